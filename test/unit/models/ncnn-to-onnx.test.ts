/**
 * The converter on tiny ncnn models written here: converted, run in onnxruntime, and compared with a plain-JS
 * computation of the same layers (written from the ncnn layer definitions, not from the converter).
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { convertNcnnModel } from '../../../src-main/models/ncnn/to-onnx';
import { concatBytes, fp16Tagged, fp32Raw, gridValues } from '../../support/ncnn-bin';

const TOL = 1e-4;

/** A C×H×W float image. */
interface Chw {
  c: number;
  h: number;
  w: number;
  data: Float32Array;
}

const at = (x: Chw, c: number, y: number, xx: number): number => x.data[(c * x.h + y) * x.w + xx]!;

function conv2d(x: Chw, weight: readonly number[], bias: readonly number[] | null, cout: number, k: number, pad: number): Chw {
  const h = x.h + 2 * pad - k + 1;
  const w = x.w + 2 * pad - k + 1;
  const out = new Float32Array(cout * h * w);
  for (let o = 0; o < cout; o++) {
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        let s = bias ? bias[o]! : 0;
        for (let i = 0; i < x.c; i++) {
          for (let ky = 0; ky < k; ky++) {
            for (let kx = 0; kx < k; kx++) {
              const sy = y + ky - pad;
              const sx = xx + kx - pad;
              if (sy < 0 || sx < 0 || sy >= x.h || sx >= x.w) continue;
              s += weight[((o * x.c + i) * k + ky) * k + kx]! * at(x, i, sy, sx);
            }
          }
        }
        out[(o * h + y) * w + xx] = s;
      }
    }
  }
  return { c: cout, h, w, data: out };
}

const map = (x: Chw, f: (v: number, c: number) => number): Chw => ({
  ...x,
  data: x.data.map((v, i) => f(v, Math.floor(i / (x.h * x.w)))),
});

/** Output channel p, sub-pixel (i, j) reads input channel p·r² + i·r + j (CRD) or (i·r + j)·C + p (DCR). */
function pixelShuffle(x: Chw, r: number, mode: 'CRD' | 'DCR'): Chw {
  const c = x.c / (r * r);
  const out = new Float32Array(x.data.length);
  for (let p = 0; p < c; p++) {
    for (let y = 0; y < x.h * r; y++) {
      for (let xx = 0; xx < x.w * r; xx++) {
        const i = y % r;
        const j = xx % r;
        const q = mode === 'CRD' ? p * r * r + i * r + j : (i * r + j) * c + p;
        out[(p * x.h * r + y) * x.w * r + xx] = at(x, q, Math.floor(y / r), Math.floor(xx / r));
      }
    }
  }
  return { c, h: x.h * r, w: x.w * r, data: out };
}

function nearestUp(x: Chw, s: number): Chw {
  const out = new Float32Array(x.c * x.h * s * x.w * s);
  for (let c = 0; c < x.c; c++) {
    for (let y = 0; y < x.h * s; y++) {
      for (let xx = 0; xx < x.w * s; xx++) out[(c * x.h * s + y) * x.w * s + xx] = at(x, c, Math.floor(y / s), Math.floor(xx / s));
    }
  }
  return { c: x.c, h: x.h * s, w: x.w * s, data: out };
}

const concatChannels = (a: Chw, b: Chw): Chw => ({ c: a.c + b.c, h: a.h, w: a.w, data: Float32Array.from([...a.data, ...b.data]) });

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

async function runOnnx(bytes: Uint8Array, x: Chw): Promise<{ dims: readonly number[]; data: Float32Array }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ input: new ort.Tensor('float32', x.data, [1, x.c, x.h, x.w]) });
    const t = out.output!;
    return { dims: t.dims, data: t.data as Float32Array };
  } finally {
    await session.release();
  }
}

function randomImage(c: number, h: number, w: number, seed: number): Chw {
  return { c, h, w, data: Float32Array.from(gridValues(c * h * w, seed).map((v) => (v + 1) / 2)) };
}

// Model A: conv 3→8 (3×3, pad 1, bias, fp16 weights) → PReLU (8 slopes) → PixelShuffle ×2 → 2 channels.
// (With a single output channel CRD and DCR coincide: the mode test needs at least two.)
const A_WEIGHTS = gridValues(8 * 3 * 9, 1);
const A_BIAS = [0.125, -0.25, 0.5, 0, 0.375, -0.125, 0.25, -0.0625];
const A_SLOPES = [0.25, 0.5, -0.125, 0.0625, 0.75, 0.1875, 1, 0];
const A_BIN = concatBytes([fp16Tagged(A_WEIGHTS), fp32Raw(A_BIAS), fp32Raw(A_SLOPES)]);
const aParam = (mode: 0 | 1): string => `7767517
4 4
Input        in    0 1 data
Convolution  conv  1 1 data c 0=8 1=3 4=1 5=1 6=216
PReLU        act   1 1 c p 0=8
PixelShuffle ps    1 1 p output 0=2 1=${mode}
`;

function referenceA(x: Chw, mode: 'CRD' | 'DCR'): Chw {
  const c = conv2d(x, A_WEIGHTS, A_BIAS, 8, 3, 1);
  return pixelShuffle(map(c, (v, ch) => (v < 0 ? v * A_SLOPES[ch]! : v)), 2, mode);
}

describe('ncnnToOnnx', () => {
  // Non-square, so a height/width swap anywhere shows.
  const x = randomImage(3, 5, 7, 42);

  it('converts conv 3→8 (fp16 weights) + PReLU + PixelShuffle and matches the reference within 1e-4', async () => {
    const r = convertNcnnModel(aParam(0), A_BIN);
    const out = await runOnnx(r.bytes, x);
    const ref = referenceA(x, 'CRD');
    expect(out.dims).toEqual([1, 2, 10, 14]);
    expect(maxAbsDiff(out.data, ref.data)).toBeLessThan(TOL);
    expect(r).toMatchObject({ scale: 2, inputChannels: 3, outputChannels: 2, macsPerInputPixel: 8 * 3 * 9 });
    expect(r.parameterCount).toBe(216 + 8 + 8);
  });

  it('maps ncnn PixelShuffle mode 0 to CRD and mode 1 to DCR, and the two orders differ', async () => {
    const crd = referenceA(x, 'CRD');
    const dcr = referenceA(x, 'DCR');
    // The test can only tell the modes apart if they give different pictures.
    expect(maxAbsDiff(crd.data, dcr.data)).toBeGreaterThan(0.05);
    const out0 = await runOnnx(convertNcnnModel(aParam(0), A_BIN).bytes, x);
    const out1 = await runOnnx(convertNcnnModel(aParam(1), A_BIN).bytes, x);
    expect(maxAbsDiff(out0.data, crd.data)).toBeLessThan(TOL);
    expect(maxAbsDiff(out0.data, dcr.data)).toBeGreaterThan(0.05);
    expect(maxAbsDiff(out1.data, dcr.data)).toBeLessThan(TOL);
  });

  it('gives identical outputs with fp16 weight storage, in a smaller file', async () => {
    const fp32 = convertNcnnModel(aParam(0), A_BIN);
    const fp16 = convertNcnnModel(aParam(0), A_BIN, { weightStorage: 'float16' });
    expect(fp16.bytes.byteLength).toBeLessThan(fp32.bytes.byteLength);
    expect(maxAbsDiff((await runOnnx(fp16.bytes, x)).data, (await runOnnx(fp32.bytes, x)).data)).toBe(0);
  });

  it('is deterministic', () => {
    expect(Buffer.from(convertNcnnModel(aParam(0), A_BIN).bytes).equals(Buffer.from(convertNcnnModel(aParam(0), A_BIN).bytes))).toBe(true);
  });

  // Model B: the RRDB-style wiring: Split, conv with fused LeakyReLU, Concat, Eltwise with coefficients,
  // nearest Interp, BinaryOp (blob + blob and blob + scalar).
  const B_W1 = gridValues(2 * 3, 2); // 1×1 conv 3→2
  const B_B1 = [0.25, -0.5];
  const B_W2 = gridValues(3 * 5 * 9, 3); // 3×3 conv 5→3, no bias
  const B_BIN = concatBytes([fp16Tagged(B_W1), fp32Raw(B_B1), fp16Tagged(B_W2)]);
  const B_PARAM = `7767517
9 12
Input       in     0 1 data
Split       sp     1 3 data d0 d1 d2
Convolution c1     1 1 d0 a 0=2 1=1 5=1 6=6 9=2 -23310=1,2.000000e-01
Concat      cat    2 1 d1 a cat 0=0
Convolution c2     1 1 cat b 0=3 1=3 4=1 5=0 6=135
Eltwise     res    2 1 b d2 e 0=1 -23301=2,2.000000e-01,1.000000e+00
Split       sp2    1 2 e e0 e1
BinaryOp    sq     2 1 e0 e1 m 0=2
Interp      up     1 1 m u 0=1 1=2.000000e+00 2=2.000000e+00
`;

  it('converts Split, fused LeakyReLU, Concat, Eltwise coefficients, BinaryOp and Interp', async () => {
    const r = convertNcnnModel(B_PARAM, B_BIN);
    const out = await runOnnx(r.bytes, x);
    const a = map(conv2d(x, B_W1, B_B1, 2, 1, 0), (v) => (v < 0 ? 0.2 * v : v));
    const b = conv2d(concatChannels(x, a), B_W2, null, 3, 3, 1);
    const e = { ...b, data: b.data.map((v, i) => 0.2 * v + x.data[i]!) };
    const ref = nearestUp(map(e, (v) => v * v), 2);
    expect(out.dims).toEqual([1, 3, 10, 14]);
    expect(maxAbsDiff(out.data, ref.data)).toBeLessThan(TOL);
    expect(r.macsPerInputPixel).toBe(2 * 3 + 3 * 5 * 9);
  });

  it('applies a scalar BinaryOp', async () => {
    const param = `7767517
2 2
Input    in  0 1 data
BinaryOp sub 1 1 data out 0=1 1=1 2=2.500000e-01
`;
    const out = await runOnnx(convertNcnnModel(param, new Uint8Array(0)).bytes, x);
    expect(maxAbsDiff(out.data, x.data.map((v) => v - 0.25))).toBeLessThan(TOL);
  });

  it('fails on a channel mismatch and on a graph with two outputs', () => {
    const mismatch = aParam(0).replace('0=8 1=3 4=1 5=1 6=216', '0=8 1=3 4=1 5=1 6=288');
    const bin = concatBytes([fp16Tagged(gridValues(288, 1)), fp32Raw(A_BIAS), fp32Raw(A_SLOPES)]);
    expect(() => convertNcnnModel(mismatch, bin)).toThrow(/Convolution "conv": weights are for 4 input channels but its input has 3/);
    const twoOutputs = `7767517
2 3
Input in 0 1 data
Split sp 1 2 data x0 x1
`;
    expect(() => convertNcnnModel(twoOutputs, new Uint8Array(0))).toThrow(/exactly one output blob, found 2: x0, x1/);
  });
});
