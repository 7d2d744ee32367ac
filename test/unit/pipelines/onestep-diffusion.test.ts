/**
 * The one-step diffusion pipeline against independent computations (test/helpers/onestep-reference.ts) on generated
 * tiny packs run by onnxruntime. Tolerance 1e-4 on [0, 1] / latent values unless stated.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOneStepSessions } from '../../../src-main/engine/process/diffusion-sessions';
import { EngineError } from '../../../src-main/engine/engine-error';
import { isOneStepPack, loadPack } from '../../../src-main/engine/process/pack';
import { openModel } from '../../../src-main/engine/process/session';
import { decodeImage } from '../../../src-main/imaging/read';
import { resizeCubic } from '../../../src-main/imaging/resize';
import { MANIFEST_FILE } from '../../../src-main/models/manifest';
import { GraphBuilder } from '../../../src-main/models/onnx/graph-builder';
import {
  checkOneStepModels,
  decodeLatent,
  decoderLatent,
  encodeLatent,
  IMAGENET_MEAN,
  IMAGENET_STD,
  oneStepGeometry,
  oneStepPlanes,
  predictNoise,
  promptEmbedding,
  runOneStepDiffusion,
  type DiffusionEstimate,
  type OneStepModels,
} from '../../../src-main/pipelines/onestep-diffusion';
import { loadPromptTokenizer } from '../../../src-main/pipelines/prompt';
import { planTiles } from '../../../src-main/tiling/plan';
import { AbortedError, type FloatTensor, type ModelRunner, type PixelBuffer, type StageProgress } from '../../../src-main/pixels/types';
import { TINY_PATHS } from '../../fixtures/tiny-packs';
import {
  maxAbsDiff,
  paddedInput,
  referenceDecoder,
  referenceEncoder,
  referencePipeline,
  referenceUnet,
  type ReferenceSettings,
} from '../../helpers/onestep-reference';
import { imagingResizer, openTinyDiffusion, type OpenedTinyDiffusion } from '../../helpers/tiny-diffusion';

const TOL = 1e-4;

/** A deterministic test picture with structure at every scale (gradients, a ring, fine checker, pseudo-noise). */
function testImage(width: number, height: number, seed = 7): PixelBuffer {
  const data = new Uint8Array(width * height * 3);
  let a = seed >>> 0;
  const noise = (): number => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 2 ** 32;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const r = Math.hypot(x - width / 2, y - height / 2);
      const i = (y * width + x) * 3;
      data[i] = Math.round(255 * (x / width) * 0.8 + 30 * noise());
      data[i + 1] = Math.round(128 + 100 * Math.sin(r / 6) + 20 * noise());
      data[i + 2] = ((x >> 2) + (y >> 2)) % 2 ? 200 : 40;
    }
  }
  return { data, width, height, channels: 3 };
}

/** The text encoder's output for `prompt`, computed from the pack's embedding tables (ids from the tokenizer). */
async function referenceHidden(t: OpenedTinyDiffusion, prompt: string): Promise<Float64Array> {
  const tokenizer = await loadPromptTokenizer(path.join(t.dir, TINY_PATHS.tokenizer));
  const ids = tokenizer.encode(prompt, 77);
  const p = t.tiny.params;
  const D = p.hiddenSize;
  const out = new Float64Array(77 * D);
  ids.forEach((id, k) => {
    for (let d = 0; d < D; d++) out[k * D + d] = p.embedding[id * D + d]! + p.position[k * D + d]!;
  });
  return out;
}

function settingsOf(t: OpenedTinyDiffusion, over: Partial<ReferenceSettings> = {}): ReferenceSettings {
  const d = t.sessions.params;
  return { timestep: d.timestep, alphaBar: d.alphaBar, scalingFactor: d.vaeScalingFactor, colorFix: 'adain', strength: 1, ...over };
}

function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  return 10 * Math.log10(1 / (se / a.length));
}

/** Wraps a runner, recording the dims of one input per call (and optionally failing some calls). */
function recording(runner: ModelRunner, input: string, fail?: (dims: readonly number[]) => Error | undefined): ModelRunner & { seen: number[][] } {
  const seen: number[][] = [];
  return {
    seen,
    inputNames: runner.inputNames,
    outputNames: runner.outputNames,
    ...(runner.inputMetadata ? { inputMetadata: runner.inputMetadata } : {}),
    ...(runner.outputMetadata ? { outputMetadata: runner.outputMetadata } : {}),
    run: async (feeds) => {
      const dims = [...feeds[input]!.dims];
      seen.push(dims);
      const err = fail?.(dims);
      if (err) throw err;
      return runner.run(feeds);
    },
    dispose: () => runner.dispose(),
  };
}

describe('onestep-diffusion geometry', () => {
  it('keeps inputs whose short side reaches 512 / s and pads the upscaled size to multiples of 8', () => {
    const g = oneStepGeometry(151, 131, 4);
    expect(g.enlarged).toBe(false);
    expect(g.upscaled).toEqual({ width: 604, height: 524 });
    expect(g.padded).toEqual({ width: 608, height: 528 });
    expect(g.latent).toEqual({ width: 76, height: 66 });
    expect(g.output).toEqual({ width: 604, height: 524 });
  });

  it('enlarges a small input so its short side is ⌊512 / s⌋, and still outputs s × the original', () => {
    const g = oneStepGeometry(40, 24, 4);
    expect(g.enlarged).toBe(true);
    expect(g.source).toEqual({ width: Math.round((40 * 128) / 24), height: 128 });
    expect(g.upscaled).toEqual({ width: 852, height: 512 });
    expect(g.output).toEqual({ width: 160, height: 96 });
    expect(oneStepGeometry(600, 400, 1).source).toEqual({ width: 768, height: 512 });
    expect(oneStepGeometry(300, 256, 2).enlarged).toBe(false);
    expect(oneStepGeometry(300, 255, 2).source).toEqual({ width: 301, height: 256 });
  });
});

describe('onestep-diffusion on a tiny pack', () => {
  let t: OpenedTinyDiffusion;
  const input = testImage(151, 131);
  let up: PixelBuffer;

  beforeAll(async () => {
    t = await openTinyDiffusion({});
    up = await resizeCubic(input, 604, 524);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('encodes the latent MEAN (not a sample, not the log-variance) times the scaling factor', async () => {
    const g = oneStepGeometry(input.width, input.height, 4);
    const z = await encodeLatent(up, g, t.sessions.models.vaeEncoder, { tile: 256, overlap: 32, scalingFactor: 0.18215 });
    const { data, W, H } = paddedInput(up);
    const all = referenceEncoder(t.tiny.params, data, W, H);
    const n = (W / 8) * (H / 8);
    const mean = all.subarray(0, 4 * n);
    expect(maxAbsDiff(z, mean.map((v) => v * 0.18215))).toBeLessThan(TOL);
    // The unscaled mean and the log-variance channels are far from it: the test can tell them apart.
    expect(maxAbsDiff(z, mean)).toBeGreaterThan(0.05);
    expect(maxAbsDiff(z, all.subarray(4 * n).map((v) => v * 0.18215))).toBeGreaterThan(0.1);
    // A second run gives the same bits (a sample would not).
    const again = await encodeLatent(up, g, t.sessions.models.vaeEncoder, { tile: 64, overlap: 16, scalingFactor: 0.18215 });
    expect(maxAbsDiff(again, z)).toBeLessThan(TOL);
  });

  it('computes x0 = (z − √(1−ᾱ)ε)/√ᾱ and divides by the scaling factor, in float32', () => {
    const n = 1000;
    const z = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
    const eps = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 1.3));
    const ab = t.sessions.params.alphaBar;
    const expected = Array.from(z, (zi, i) => (zi - Math.sqrt(1 - ab) * eps[i]!) / Math.sqrt(ab) / 0.18215);
    const got = decoderLatent(z, eps.slice(), ab, 0.18215);
    // x0 / sf reaches ~250 here; float32 keeps ~7 digits, so compare relative to magnitude.
    let worst = 0;
    got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected[i]!) / Math.max(1, Math.abs(expected[i]!)))));
    expect(worst).toBeLessThan(TOL);
    expect(ab).toBeCloseTo(0.0046601, 6);
  });

  it('blends UNet tiles with centred Gaussian weights, σ = 0.1 × tile (checked with a position-revealing fake UNet)', async () => {
    const size = { width: 40, height: 28 };
    const n = size.width * size.height;
    // Channel 0 holds x and channel 1 holds y, so the fake knows where its tile starts; it answers a constant per tile.
    const z = new Float32Array(4 * n);
    for (let y = 0; y < size.height; y++) for (let x = 0; x < size.width; x++) [z[y * size.width + x], z[n + y * size.width + x]] = [x, y];
    const tileValue = (x: number, y: number): number => x * 0.01 + y * 0.1;
    const fake: ModelRunner = {
      inputNames: ['sample', 'timestep', 'encoder_hidden_states'],
      outputNames: ['out_sample'],
      run: async (feeds) => {
        const s = feeds.sample!;
        const [, , h, w] = s.dims as [number, number, number, number];
        const v = tileValue(s.data[0]!, s.data[h * w]!);
        return { out_sample: { data: new Float32Array(4 * h * w).fill(v), dims: [1, 4, h, w] } };
      },
      dispose: async () => {},
    };
    const ehs: FloatTensor = { data: new Float32Array(77 * 32), dims: [1, 77, 32] };
    const eps = await predictNoise(z, size, ehs, fake, { tile: 16, overlap: 6, timestep: 999 });
    const tiles = planTiles({ width: 40, height: 28, tile: 16, overlap: 6, pad: 0, scale: 1 });
    expect(tiles.length).toBeGreaterThan(4);
    const num = new Float64Array(n);
    const den = new Float64Array(n);
    for (const tile of tiles) {
      const { x: x0, y: y0, w, h } = tile.core;
      for (let j = 0; j < h; j++) {
        for (let i = 0; i < w; i++) {
          const wt = Math.exp(-((i - (w - 1) / 2) ** 2) / (2 * (0.1 * w) ** 2) - (j - (h - 1) / 2) ** 2 / (2 * (0.1 * h) ** 2));
          num[(y0 + j) * size.width + x0 + i]! += wt * tileValue(x0, y0);
          den[(y0 + j) * size.width + x0 + i]! += wt;
        }
      }
    }
    const expected = Array.from(num, (v, i) => v / den[i]!);
    for (let k = 0; k < 4; k++) expect(maxAbsDiff(eps.subarray(k * n, (k + 1) * n), expected)).toBeLessThan(TOL);
  });

  it('gives the same ε tiled as untiled for the pointwise tiny UNet, equal to the independent UNet', async () => {
    const size = { width: 50, height: 37 };
    const n = size.width * size.height;
    const z = Float32Array.from({ length: 4 * n }, (_, i) => Math.sin(i * 0.37));
    const hidden = await referenceHidden(t, '');
    const ehs: FloatTensor = { data: Float32Array.from(hidden), dims: [1, 77, 32] };
    const unet = t.sessions.models.unet;
    const tiled = await predictNoise(z, size, ehs, unet, { tile: 16, overlap: 8, timestep: 999 });
    const whole = await predictNoise(z, size, ehs, unet, { tile: 96, overlap: 32, timestep: 999 });
    expect(maxAbsDiff(tiled, whole)).toBeLessThan(TOL);
    expect(maxAbsDiff(whole, referenceUnet(t.tiny.params, Float64Array.from(z), n, 999, hidden))).toBeLessThan(TOL);
  });

  it('decodes tiled with overlap like the whole image for the pointwise tiny decoder, clamped to [0, 1]', async () => {
    const size = { width: 30, height: 21 };
    const n = size.width * size.height;
    const latent = Float32Array.from({ length: 4 * n }, (_, i) => 2 * Math.sin(i * 0.11));
    const crop = { width: 237, height: 161 };
    const tiled = await decodeLatent(latent, size, crop, t.sessions.models.vaeDecoder, { tile: 64, overlap: 16 });
    const whole = await decodeLatent(latent, size, crop, t.sessions.models.vaeDecoder, { tile: 256, overlap: 32 });
    expect(maxAbsDiff(tiled, whole)).toBeLessThan(TOL);
    const dec = referenceDecoder(t.tiny.params, Float64Array.from(latent), size.width, size.height, false);
    const W = size.width * 8;
    const H = size.height * 8;
    const expected = new Float64Array(3 * crop.width * crop.height);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < crop.height; y++) {
        for (let x = 0; x < crop.width; x++) {
          expected[(c * crop.height + y) * crop.width + x] = (Math.min(1, Math.max(-1, dec[(c * H + y) * W + x]!)) + 1) / 2;
        }
      }
    }
    expect(maxAbsDiff(whole, expected)).toBeLessThan(TOL);
    expect(Math.min(...whole)).toBe(0); // the clamp was exercised at both ends
    expect(Math.max(...whole)).toBe(1);
  });

  for (const colorFix of ['adain', 'wavelet', 'none'] as const) {
    it(`matches the independent whole-pipeline computation with colour fix "${colorFix}" (tiled in every stage)`, async () => {
      const tiles = { encode: 128, decode: 96, vaeOverlap: 32, latent: 24, latentOverlap: 8 };
      const r = await oneStepPlanes(input, t.sessions.models, t.options({ colorFix, promptMode: 'none', tiles }));
      const expected = referencePipeline(t.tiny.params, up, await referenceHidden(t, ''), settingsOf(t, { colorFix }));
      expect(r.planes.length).toBe(expected.length);
      expect(maxAbsDiff(r.planes, expected)).toBeLessThan(TOL);
    });
  }

  it('blends with the bicubic input by strength (0 gives the bicubic image back)', async () => {
    const hidden = await referenceHidden(t, '');
    const half = await oneStepPlanes(input, t.sessions.models, t.options({ promptMode: 'none', strength: 0.3 }));
    expect(maxAbsDiff(half.planes, referencePipeline(t.tiny.params, up, hidden, settingsOf(t, { strength: 0.3 })))).toBeLessThan(TOL);
    const none = await oneStepPlanes(input, t.sessions.models, t.options({ promptMode: 'none', strength: 0 }));
    const bicubic = new Float64Array(none.planes.length);
    const N = up.width * up.height;
    for (let i = 0; i < N; i++) for (let c = 0; c < 3; c++) bicubic[c * N + i] = up.data[i * 3 + c]! / 255;
    expect(maxAbsDiff(none.planes, bicubic)).toBeLessThan(TOL);
  });

  it('uses the custom prompt\'s hidden state in the UNet', async () => {
    const r = await oneStepPlanes(input, t.sessions.models, t.options({ promptMode: 'custom', prompt: 'a cat photo', colorFix: 'none' }));
    expect(r.prompt).toBe('a cat photo');
    const withPrompt = referencePipeline(t.tiny.params, up, await referenceHidden(t, 'a cat photo'), settingsOf(t, { colorFix: 'none' }));
    const withEmpty = referencePipeline(t.tiny.params, up, await referenceHidden(t, ''), settingsOf(t, { colorFix: 'none' }));
    expect(maxAbsDiff(r.planes, withPrompt)).toBeLessThan(TOL);
    expect(maxAbsDiff(r.planes, withEmpty)).toBeGreaterThan(1e-3);
  });

  it('is byte-identical across runs, with per-tile progress for encode, unet and decode', async () => {
    const events: StageProgress[] = [];
    const opts = t.options({ promptMode: 'none', tiles: { encode: 128, decode: 128, vaeOverlap: 32, latent: 32, latentOverlap: 8 } });
    const a = await runOneStepDiffusion(input, t.sessions.models, { ...opts, onProgress: (p) => events.push(p) });
    const b = await runOneStepDiffusion(input, t.sessions.models, opts);
    expect(a.width).toBe(604);
    expect(a.height).toBe(524);
    expect(Buffer.compare(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength), Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength))).toBe(0);
    for (const stage of ['encode', 'unet', 'decode']) {
      const mine = events.filter((e) => e.stage === stage);
      expect(mine.length).toBeGreaterThan(2);
      expect(mine.at(-1)!.done).toBe(mine.at(-1)!.total);
      mine.forEach((e, i) => expect(e.done).toBe(i));
    }
  });

  it('estimates the time left after the first tile of each model stage', async () => {
    const estimates: DiffusionEstimate[] = [];
    await oneStepPlanes(input, t.sessions.models, t.options({ promptMode: 'none', onEstimate: (e) => estimates.push(e) }));
    expect(estimates).toHaveLength(3);
    for (const e of estimates) expect(Number.isFinite(e.remainingMs) && e.remainingMs >= 0).toBe(true);
    expect(estimates[0]!.basis).toMatch(/^encode: \d+ tiles × \d+ ms; unet: \d+ tiles, extrapolated; decode/);
    expect(estimates[2]!.basis).toMatch(/^decode: \d+ tiles × \d+ ms$/);
  });

  it('enlarges a small input for processing and returns s × the original size', async () => {
    const small = testImage(40, 24, 3);
    const encoder = recording(t.sessions.models.vaeEncoder, 'sample');
    const models: OneStepModels = { ...t.sessions.models, vaeEncoder: encoder };
    const out = await runOneStepDiffusion(small, models, t.options({ promptMode: 'none', tiles: { encode: 1024, decode: 256, vaeOverlap: 32, latent: 96, latentOverlap: 32 } }));
    expect([out.width, out.height]).toEqual([160, 96]);
    // The models saw the enlarged image: 213×128 × 4 = 852×512, padded to 856×512.
    expect(encoder.seen).toEqual([[1, 3, 512, 856]]);
  });

  it('returns the model\'s result for a small input, brought back down: its pixels match the independent pipeline', async () => {
    // Independent reference: the float64 whole-image pipeline on the bicubic enlargement (852×512), quantised with
    // Math.round, then the same Lanczos-3 resize to s × the original (sharp's, via the test's resizer). Tolerance:
    // 2 levels of 255 (float32 vs float64 can flip one rounding before the resize; the resize can add one more).
    const small = testImage(40, 24, 3);
    const out = await runOneStepDiffusion(small, t.sessions.models, t.options({ promptMode: 'none' }));
    const upSmall = await resizeCubic(small, 852, 512);
    const ref = referencePipeline(t.tiny.params, upSmall, await referenceHidden(t, ''), settingsOf(t));
    const N = 852 * 512;
    const quantised = new Uint8Array(N * 3);
    for (let i = 0; i < N; i++) for (let c = 0; c < 3; c++) quantised[i * 3 + c] = Math.round(ref[c * N + i]! * 255);
    const expected = await imagingResizer({ data: quantised, width: 852, height: 512, channels: 3 }, 160, 96, 'lanczos3');
    expect([out.width, out.height]).toEqual([160, 96]);
    expect(maxAbsDiff(out.data, expected.data)).toBeLessThanOrEqual(2);
    // The check can tell the model's result from the bicubic image alone (what a broken small-input path returns).
    const bicubicOnly = await imagingResizer(upSmall, 160, 96, 'lanczos3');
    expect(maxAbsDiff(bicubicOnly.data, expected.data)).toBeGreaterThan(10);
  });

  it('redoes a stage with smaller tiles after running out of memory, with a warning and the same result', async () => {
    const unet = recording(t.sessions.models.unet, 'sample', (dims) =>
      dims[2]! > 20 || dims[3]! > 20 ? new Error('Failed to allocate memory for requested buffer of size 123') : undefined,
    );
    const warnings: string[] = [];
    const opts = t.options({ promptMode: 'none', onWarning: (m) => warnings.push(m) });
    const r = await oneStepPlanes(input, { ...t.sessions.models, unet }, opts);
    expect(warnings.some((w) => /out of memory in the unet stage with 96 latent px tiles; retrying it with 38 latent px tiles/.test(w))).toBe(true);
    expect(unet.seen.at(-1)![2]).toBeLessThanOrEqual(20);
    expect(maxAbsDiff(r.planes, referencePipeline(t.tiny.params, up, await referenceHidden(t, ''), settingsOf(t)))).toBeLessThan(TOL);
  });

  it('stops between tiles when aborted', async () => {
    const controller = new AbortController();
    const run = oneStepPlanes(input, t.sessions.models, t.options({
      promptMode: 'none',
      tiles: { encode: 64, decode: 64, vaeOverlap: 16, latent: 16, latentOverlap: 4 },
      signal: controller.signal,
      onProgress: (p) => {
        if (p.stage === 'unet' && p.done === 1) controller.abort();
      },
    }));
    await expect(run).rejects.toBeInstanceOf(AbortedError);
  });

  it('refuses bad settings with the offending values named', async () => {
    const opts = t.options({ promptMode: 'none' });
    await expect(oneStepPlanes(input, t.sessions.models, { ...opts, tiles: { ...opts.tiles, encode: 100 } })).rejects.toThrow(/encode tile must be a multiple of 8 pixels, got 100/);
    await expect(oneStepPlanes(input, t.sessions.models, { ...opts, strength: 1.5 })).rejects.toThrow(/strength must be in \[0, 1\], got 1.5/);
    await expect(oneStepPlanes(input, t.sessions.models, { ...opts, promptMode: 'tags' })).rejects.toThrow(/needs a tagger, and this pack has none/);
    await expect(oneStepPlanes(input, t.sessions.models, { ...opts, promptMode: 'custom' })).rejects.toThrow(/needs prompt text/);
    await expect(oneStepPlanes({ ...input, channels: 4 }, t.sessions.models, opts)).rejects.toThrow(/RGB \(3 channels\), got 4/);
  });
});

describe('onestep-diffusion prompts from the tagger', () => {
  let t: OpenedTinyDiffusion;

  beforeAll(async () => {
    // "dog" reacts to the red channel's mean (after ImageNet normalisation); the other tags have fixed logits.
    t = await openTinyDiffusion({ tagger: { tags: ['cat', 'dog', 'old photo', 'portrait', 'sky'], logits: [2, -1, 0.5, 3, -4], thresholds: [0.6, 0.5, 0.7, 1, 0.01], imageWeights: [[0, 0, 0], [2, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]] } });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The tags the test expects, from the thresholds and the normalised mean red of the 384² image. */
  async function expectedTags(up: PixelBuffer): Promise<string[]> {
    const small = await resizeCubic(up, 384, 384);
    let red = 0;
    for (let i = 0; i < 384 * 384; i++) red += (small.data[i * 3]! / 255 - IMAGENET_MEAN[0]) / IMAGENET_STD[0];
    red /= 384 * 384;
    const logits = [2, -1 + 2 * red, 0.5, 3, -4];
    const thresholds = [0.6, 0.5, 0.7, 1, 0.01];
    return ['cat', 'dog', 'old photo', 'portrait', 'sky'].filter((_, i) => thresholds[i]! < 1 && 1 / (1 + Math.exp(-logits[i]!)) > thresholds[i]!);
  }

  it('builds "t1, t2, …, {user text}," from the tags over their thresholds, and embeds that prompt', async () => {
    const red: PixelBuffer = { data: new Uint8Array(300 * 200 * 3).map((_, i) => (i % 3 === 0 ? 240 : 20)), width: 300, height: 200, channels: 3 };
    const dark: PixelBuffer = { data: new Uint8Array(300 * 200 * 3).fill(10), width: 300, height: 200, channels: 3 };
    const opts = t.options({ promptMode: 'tags', prompt: 'old' });
    const r1 = await promptEmbedding(red, t.sessions.models, opts);
    expect(await expectedTags(red)).toEqual(['cat', 'dog', 'sky']);
    expect(r1.tags).toEqual(['cat', 'dog', 'sky']);
    expect(r1.prompt).toBe('cat, dog, sky, old,');
    const r2 = await promptEmbedding(dark, t.sessions.models, t.options({ promptMode: 'tags' }));
    expect(r2.tags).toEqual(await expectedTags(dark));
    expect(r2.prompt).toBe('cat, sky, ,');
    expect(maxAbsDiff(r1.embedding.data, await referenceHidden(t, 'cat, dog, sky, old,'))).toBeLessThan(TOL);
    expect(maxAbsDiff(r2.embedding.data, await referenceHidden(t, 'cat, sky, ,'))).toBeLessThan(TOL);
  });

  it('runs the whole pipeline in tags mode against the independent computation', async () => {
    const input = testImage(140, 128, 11);
    const up = await resizeCubic(input, 560, 512);
    const r = await oneStepPlanes(input, t.sessions.models, t.options({ promptMode: 'tags' }));
    const prompt = `${(await expectedTags(up)).join(', ')}, ,`;
    expect(r.prompt).toBe(prompt);
    expect(maxAbsDiff(r.planes, referencePipeline(t.tiny.params, up, await referenceHidden(t, prompt), settingsOf(t)))).toBeLessThan(TOL);
  });
});

describe('onestep-diffusion input dtypes', () => {
  const input = testImage(130, 128, 5);
  let reference: Uint8Array | Uint16Array;

  beforeAll(async () => {
    const t = await openTinyDiffusion({});
    try {
      reference = (await runOneStepDiffusion(input, t.sessions.models, t.options({ promptMode: 'custom', prompt: 'old dog' }))).data;
    } finally {
      await t.close();
    }
  });

  for (const variant of [{ timestepType: 'int32' }, { timestepType: 'float32' }, { inputIdsType: 'int32' }] as const) {
    it(`reads ${JSON.stringify(variant)} from the session and gives the same bytes as int64`, async () => {
      const t = await openTinyDiffusion(variant);
      try {
        const opts = t.options({ promptMode: 'custom', prompt: 'old dog' });
        const out = await runOneStepDiffusion(input, t.sessions.models, opts);
        expect(Buffer.compare(Buffer.from(out.data), Buffer.from(reference))).toBe(0);
        const planes = await oneStepPlanes(input, t.sessions.models, opts);
        const up = await resizeCubic(input, 520, 512);
        expect(maxAbsDiff(planes.planes, referencePipeline(t.tiny.params, up, await referenceHidden(t, 'old dog'), settingsOf(t)))).toBeLessThan(TOL);
      } finally {
        await t.close();
      }
    });
  }

  it('uses a pack\'s precomputed empty-prompt embedding', async () => {
    const t = await openTinyDiffusion({ emptyPromptEmbedding: true });
    try {
      const r = await promptEmbedding(input, t.sessions.models, t.options({ promptMode: 'none' }));
      expect(maxAbsDiff(r.embedding.data, await referenceHidden(t, ''))).toBeLessThan(TOL);
    } finally {
      await t.close();
    }
  });
});

describe('onestep-diffusion pack checks', () => {
  it('refuses a pack whose tensors disagree with the manifest\'s hiddenSize', async () => {
    const t = await openTinyDiffusion({});
    try {
      const manifest = { ...t.tiny.manifest, diffusion: { ...(t.tiny.manifest.diffusion as object), hiddenSize: 64 } };
      await writeFile(path.join(t.dir, MANIFEST_FILE), JSON.stringify(manifest));
      const pack = await loadPack(t.dir);
      if (!isOneStepPack(pack)) throw new Error('not a diffusion pack');
      const err = await openOneStepSessions(pack, (f) => openModel(f, { provider: 'cpu', threads: 1 }), { withTagger: false }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).code).toBe('BAD_PACK');
      expect((err as EngineError).message).toMatch(/does not match its manifest: UNet input "encoder_hidden_states" is \[1, 77, 32\]: dimension 2 is 32, but the manifest's diffusion.hiddenSize is 64/);
    } finally {
      await t.close();
    }
  });

  it('refuses a UNet without the timestep input, naming what it has', async () => {
    const t = await openTinyDiffusion({});
    try {
      const g = new GraphBuilder('bad_unet');
      g.input('sample', 'float32', [1, 4, 'h', 'w']);
      g.input('t', 'int64', [1]);
      g.input('encoder_hidden_states', 'float32', [1, 77, 32]);
      g.op('Identity', ['sample'], {}, 'out_sample');
      g.output('out_sample', 'float32', [1, 4, 'h', 'w']);
      await writeFile(path.join(t.dir, TINY_PATHS.unet), g.toBytes());
      const err = await openOneStepSessions(t.pack, (f) => openModel(f, { provider: 'cpu', threads: 1 }), { withTagger: false }).catch((e: unknown) => e);
      expect((err as EngineError).code).toBe('BAD_PACK');
      expect((err as Error).message).toMatch(/UNet has no input "timestep" \(it has: sample, t, encoder_hidden_states\)/);
    } finally {
      await t.close();
    }
  });

  it('refuses runners without the SD tensor names (fake models)', () => {
    const fake = (inputs: string[], outputs: string[]): ModelRunner => ({ inputNames: inputs, outputNames: outputs, run: async () => ({}), dispose: async () => {} });
    const params = { timestep: 999, alphaBar: 0.0046601, vaeScalingFactor: 0.18215, hiddenSize: 32, maxTokens: 77 };
    const good = { vaeEncoder: fake(['sample'], ['latent_sample']), unet: fake(['sample', 'timestep', 'encoder_hidden_states'], ['out_sample']), vaeDecoder: fake(['latent_sample'], ['sample']) };
    expect(() => checkOneStepModels(good, params)).not.toThrow();
    expect(() => checkOneStepModels({ ...good, vaeDecoder: fake(['latents'], ['sample']) }, params)).toThrow(/VAE decoder has no input "latent_sample" \(it has: latents\)/);
    expect(() => checkOneStepModels({ ...good, vaeEncoder: fake(['sample'], ['latent_dist']) }, params)).toThrow(/VAE encoder has no output "latent_sample"/);
  });
});

describe('tiled VAE deviation with GroupNorm (measured)', () => {
  it('reports max abs and PSNR of tiled vs whole-image decoding on a real photo crop', async () => {
    const t = await openTinyDiffusion({ groupNorm: true });
    try {
      const photo = await decodeImage('/usr/share/wallpapers/FallenLeaf/contents/images/1280x800.jpg');
      // A 336×264 crop at s = 2: processed at 672×528, latent 84×66.
      const W = 336;
      const H = 264;
      const crop = new Uint8Array(W * H * 3);
      for (let y = 0; y < H; y++) crop.set(photo.rgb.data.subarray(((300 + y) * photo.width + 400) * 3, ((300 + y) * photo.width + 400 + W) * 3) as Uint8Array, y * W * 3);
      const input: PixelBuffer = { data: crop, width: W, height: H, channels: 3 };
      const g = oneStepGeometry(W, H, 2);
      const up = await imagingResizer(input, g.upscaled.width, g.upscaled.height, 'cubic');
      const z = await encodeLatent(up, g, t.sessions.models.vaeEncoder, { tile: 1024, overlap: 32, scalingFactor: 0.18215 });
      const latent = z.map((v) => v / 0.18215);
      const whole = await decodeLatent(latent, g.latent, g.upscaled, t.sessions.models.vaeDecoder, { tile: 1024, overlap: 32 });
      const tiled = await decodeLatent(latent, g.latent, g.upscaled, t.sessions.models.vaeDecoder, { tile: 256, overlap: 32 });
      const small = await decodeLatent(latent, g.latent, g.upscaled, t.sessions.models.vaeDecoder, { tile: 128, overlap: 32 });
      // The whole-image run is the GroupNorm decoder's true output.
      const expected = referenceDecoder(t.tiny.params, Float64Array.from(latent), g.latent.width, g.latent.height, true);
      const { width: Wu, height: Hu } = g.upscaled;
      expect([Wu, Hu, g.padded.width, g.padded.height]).toEqual([672, 528, 672, 528]);
      const exp01 = Float64Array.from(expected, (v) => (Math.min(1, Math.max(-1, v)) + 1) / 2);
      expect(maxAbsDiff(whole, exp01)).toBeLessThan(TOL);
      const figures = {
        tile256: { maxAbs: maxAbsDiff(tiled, whole), psnr: psnr(tiled, whole) },
        tile128: { maxAbs: maxAbsDiff(small, whole), psnr: psnr(small, whole) },
      };
      console.info(`tiled-VAE deviation (GroupNorm tiny decoder, ${Wu}×${Hu}, overlap 32): ${JSON.stringify(figures)}`);
      // The decoder opens as its tile-consistent graph (GroupNorm statistics from the whole image, issue 14): tiles
      // stay within the 40 dB goal of the untiled output (per-tile statistics gave 18 dB here).
      for (const f of Object.values(figures)) expect(f.psnr).toBeGreaterThanOrEqual(40);
    } finally {
      await t.close();
    }
  });
});
