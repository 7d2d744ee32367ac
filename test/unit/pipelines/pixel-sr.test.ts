import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModel } from '../../../src-main/engine/process/session';
import { GraphBuilder } from '../../../src-main/models/onnx/graph-builder';
import { runPixelSr, type PixelSrOptions } from '../../../src-main/pipelines/pixel-sr';
import { AbortedError, type FloatTensor, type ModelRunner, type PixelBuffer } from '../../../src-main/pixels/types';
import { rng } from '../../support/random';


/** A photo-like test image: smooth gradients plus noise, 8 or 16 bit. */
function testImage(width: number, height: number, bits: 8 | 16, seed = 1): PixelBuffer {
  const r = rng(seed);
  const max = bits === 8 ? 255 : 65535;
  const data = bits === 8 ? new Uint8Array(width * height * 3) : new Uint16Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const v = 0.5 + 0.3 * Math.sin(x * 0.09 + c) * Math.cos(y * 0.07 - c) + 0.2 * (r() - 0.5);
        data[(y * width + x) * 3 + c] = Math.round(Math.min(1, Math.max(0, v)) * max);
      }
    }
  }
  return { data, width, height, channels: 3 };
}

function randomWeights(n: number, scale: number, r: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => (r() - 0.5) * 2 * scale);
}

/** 1×1 conv 3 → 3·s² then DepthToSpace(s), sigmoid: every output pixel depends on one input pixel. */
function pointwiseModel(s: number): Uint8Array {
  const r = rng(7);
  const g = new GraphBuilder('pointwise');
  const x = g.input('image', 'float32', [1, 3, 'h', 'w']);
  const co = 3 * s * s;
  const w = g.initializer('w', randomWeights(co * 3, 2, r), [co, 3, 1, 1]);
  const b = g.initializer('b', randomWeights(co, 0.5, r), [co]);
  const y = g.op('Conv', [x, w, b], { kernel_shape: [1, 1] });
  const d = g.op('DepthToSpace', [y], { blocksize: s, mode: 'CRD' });
  g.op('Sigmoid', [d], {}, 'upscaled');
  g.output('upscaled', 'float32', [1, 3, 'H', 'W']);
  return g.toBytes();
}

/** Two 3×3 convs (receptive-field radius 2, zero padding inside the model) then DepthToSpace(2), sigmoid. */
function conv3Model(): Uint8Array {
  const r = rng(11);
  const g = new GraphBuilder('conv3');
  const x = g.input('image', 'float32', [1, 3, 'h', 'w']);
  const w1 = g.initializer('w1', randomWeights(8 * 3 * 9, 0.6, r), [8, 3, 3, 3]);
  const w2 = g.initializer('w2', randomWeights(12 * 8 * 9, 0.4, r), [12, 8, 3, 3]);
  const h1 = g.op('Relu', [g.op('Conv', [x, w1], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })]);
  const h2 = g.op('Conv', [h1, w2], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  g.op('Sigmoid', [g.op('DepthToSpace', [h2], { blocksize: 2, mode: 'CRD' })], {}, 'upscaled');
  g.output('upscaled', 'float32', [1, 3, 'H', 'W']);
  return g.toBytes();
}

/** Channel copy then DepthToSpace(2): exact nearest-neighbour ×2, to check bit depth end to end. */
function nearestModel(): Uint8Array {
  const g = new GraphBuilder('nearest2');
  const x = g.input('image', 'float32', [1, 3, 'h', 'w']);
  const w = new Float32Array(12 * 3);
  for (let o = 0; o < 12; o++) w[o * 3 + Math.floor(o / 4)] = 1; // CRD: output channel c·4 + k comes from c
  const y = g.op('Conv', [x, g.initializer('w', w, [12, 3, 1, 1])], { kernel_shape: [1, 1] });
  g.op('DepthToSpace', [y], { blocksize: 2, mode: 'CRD' }, 'upscaled');
  g.output('upscaled', 'float32', [1, 3, 'H', 'W']);
  return g.toBytes();
}

function maxDiff(a: PixelBuffer, b: PixelBuffer): number {
  expect([a.width, a.height, a.channels]).toEqual([b.width, b.height, b.channels]);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}

const names = { inputName: 'image', outputName: 'upscaled' };
const runners: ModelRunner[] = [];
async function load(bytes: Uint8Array): Promise<ModelRunner> {
  const { runner } = await openModel(bytes, { provider: 'cpu', threads: 1 });
  runners.push(runner);
  return runner;
}

describe('runPixelSr on generated ONNX models', () => {
  let pointwise: ModelRunner;
  let conv3: ModelRunner;
  let nearest: ModelRunner;
  beforeAll(async () => {
    pointwise = await load(pointwiseModel(4));
    conv3 = await load(conv3Model());
    nearest = await load(nearestModel());
  });
  afterAll(async () => {
    for (const r of runners) await r.dispose();
  });

  it('gives the same result tiled as untiled for a pointwise ×4 model (within 1/255)', async () => {
    const img = testImage(83, 61, 8);
    const tiled = await runPixelSr(img, pointwise, { ...names, scale: 4, tile: 32, overlap: 8, pad: 2 });
    const whole = await runPixelSr(img, pointwise, { ...names, scale: 4, tile: 128, overlap: 8, pad: 2 });
    expect(tiled.width).toBe(332);
    expect(tiled.height).toBe(244);
    expect(tiled.data).toBeInstanceOf(Uint8Array);
    expect(maxDiff(tiled, whole)).toBeLessThanOrEqual(1);
  });

  it('gives the same result tiled as untiled for a 3×3-conv model when pad covers the receptive field', async () => {
    const img = testImage(70, 57, 8, 3);
    const whole = await runPixelSr(img, conv3, { ...names, scale: 2, tile: 96, overlap: 4, pad: 2 });
    const tiled = await runPixelSr(img, conv3, { ...names, scale: 2, tile: 24, overlap: 4, pad: 2 });
    expect(maxDiff(tiled, whole)).toBeLessThanOrEqual(1);
    // Control: without context the tile borders see the model's zero padding, and the seams show.
    const seamy = await runPixelSr(img, conv3, { ...names, scale: 2, tile: 24, overlap: 4, pad: 0 });
    expect(maxDiff(seamy, whole)).toBeGreaterThan(1);
  });

  it('keeps 16-bit depth: uint16 in, uint16 out, exact for a nearest-neighbour model', async () => {
    const img = testImage(45, 38, 16, 5);
    const out = await runPixelSr(img, nearest, { ...names, scale: 2, tile: 16, overlap: 4, pad: 1 });
    expect(out.data).toBeInstanceOf(Uint16Array);
    expect([out.width, out.height, out.channels]).toEqual([90, 76, 3]);
    let worst = 0;
    for (let y = 0; y < 76; y++) {
      for (let x = 0; x < 90; x++) {
        for (let c = 0; c < 3; c++) {
          const want = img.data[((y >> 1) * 45 + (x >> 1)) * 3 + c]!;
          worst = Math.max(worst, Math.abs(out.data[(y * 90 + x) * 3 + c]! - want));
        }
      }
    }
    expect(worst).toBe(0);
  });

  it('reports progress per tile and stops between tiles when aborted', async () => {
    const img = testImage(64, 64, 8);
    const seen: number[] = [];
    const progress: PixelSrOptions = { ...names, scale: 4, tile: 32, overlap: 8, pad: 2 };
    await runPixelSr(img, pointwise, { ...progress, onProgress: (p) => seen.push(p.done) });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // 3 × 3 tiles

    const controller = new AbortController();
    let calls = 0;
    const counting: ModelRunner = {
      ...pointwise,
      inputNames: pointwise.inputNames,
      outputNames: pointwise.outputNames,
      run: (feeds) => (calls++, pointwise.run(feeds)),
      dispose: async () => undefined,
    };
    const run = runPixelSr(img, counting, {
      ...progress,
      signal: controller.signal,
      onProgress: (p) => p.done === 2 && controller.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(AbortedError);
    expect(calls).toBe(2);
  });

  it('checks its inputs, naming the offending values', async () => {
    const img = testImage(20, 20, 8);
    const o = { ...names, scale: 4, tile: 32, overlap: 8, pad: 2 };
    const rgba: PixelBuffer = { data: new Uint8Array(20 * 20 * 4), width: 20, height: 20, channels: 4 };
    await expect(runPixelSr(rgba, pointwise, o)).rejects.toThrow('pixel-sr takes RGB (3 channels), got 4');
    await expect(runPixelSr({ ...img, width: 21 }, pointwise, o)).rejects.toThrow(
      'image data holds 1200 values, expected 21×20×3 = 1260',
    );
    await expect(runPixelSr(img, pointwise, { ...o, outputName: 'out' })).rejects.toThrow(
      'model has no output "out"; its outputs are upscaled',
    );
    await expect(runPixelSr(img, pointwise, { ...o, overlap: 32 })).rejects.toThrow('overlap 32 must be smaller than tile 32');
    await expect(runPixelSr(img, pointwise, { ...o, scale: 2 })).rejects.toThrow(
      'model output "upscaled" is [1, 3, 96, 96] for a 24×24 tile; expected [1, 3, 48, 48] at scale 2',
    );
  });
});

/** A JS ×2 nearest-neighbour "model" that runs out of memory on inputs wider or taller than `limit`. */
function fakeGpu(limit: number, message = 'CUDA out of memory. Tried to allocate 2.00 GiB') {
  const sizes: number[] = [];
  const runner: ModelRunner = {
    inputNames: ['image'],
    outputNames: ['upscaled'],
    async run(feeds: Record<string, FloatTensor>) {
      const t = feeds.image!;
      const [, c, h, w] = t.dims as [number, number, number, number];
      sizes.push(Math.max(w, h));
      if (w > limit || h > limit) throw new Error(message);
      const out = new Float32Array(c * 4 * h * w);
      for (let k = 0; k < c; k++) {
        for (let y = 0; y < 2 * h; y++) {
          for (let x = 0; x < 2 * w; x++) out[k * 4 * h * w + y * 2 * w + x] = t.data[k * h * w + (y >> 1) * w + (x >> 1)]!;
        }
      }
      return { upscaled: { data: out, dims: [1, c, 2 * h, 2 * w] } };
    },
    dispose: async () => undefined,
  };
  return { runner, sizes };
}

describe('runPixelSr out-of-memory retry', () => {
  const img = testImage(200, 150, 8, 9);
  const o = { ...names, scale: 2, tile: 256, overlap: 16, pad: 4 };

  it('halves the tile until it fits, warns each time, and still produces the right image', async () => {
    const { runner, sizes } = fakeGpu(80);
    const warnings: string[] = [];
    const out = await runPixelSr(img, runner, { ...o, onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([
      'out of memory with 256 px tiles; retrying the image with 100 px tiles',
      'out of memory with 100 px tiles; retrying the image with 64 px tiles',
    ]);
    // 200 + 2×4 pad; then 100 px tiles balance to 83 px cores on the 150 px side (+ 2×4); then 64 px tiles balance
    // to 62 px cores on the 200 px side (+ 2×4).
    expect(sizes.slice(0, 2)).toEqual([208, 91]);
    expect(Math.max(...sizes.slice(2))).toBe(70);
    let worst = 0;
    for (let y = 0; y < 300; y++) {
      for (let x = 0; x < 400; x++) {
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(out.data[(y * 400 + x) * 3 + c]! - img.data[((y >> 1) * 200 + (x >> 1)) * 3 + c]!));
      }
    }
    expect(worst).toBe(0);
  });

  it('gives up at the minimum tile with the original error, and never retries other errors', async () => {
    await expect(runPixelSr(img, fakeGpu(40).runner, o)).rejects.toThrow('CUDA out of memory');
    const broken = fakeGpu(0, 'Invalid rank for input');
    await expect(runPixelSr(img, broken.runner, o)).rejects.toThrow('Invalid rank for input');
    expect(broken.sizes).toHaveLength(1);
  });
});
