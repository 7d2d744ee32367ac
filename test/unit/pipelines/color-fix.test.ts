import { describe, expect, it } from 'vitest';
import {
  adainColorFix,
  applyColorFix,
  BlurScratch,
  blendStrength,
  channelStats,
  WAVELET_LEVELS,
  waveletColorFix,
  waveletLowPass,
} from '../../../src-main/pipelines/color-fix';
import { rng } from '../../support/random';

const TOL = 1e-5;


function randomImage(C: number, H: number, W: number, seed: number, lo = 0, hi = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: C * H * W }, () => lo + (hi - lo) * r());
}

// ---- Independent float64 reference implementations, written the direct way ----

const clampIdx = (i: number, n: number): number => Math.min(n - 1, Math.max(0, i));

/** The reference's wavelet_blur: pad by r with edge replication, then a 3×3 convolution with dilation r. */
function naiveBlur(img: number[][], r: number): number[][] {
  const H = img.length;
  const W = img[0]!.length;
  const k = [
    [1, 2, 1],
    [2, 4, 2],
    [1, 2, 1],
  ];
  const out: number[][] = [];
  for (let y = 0; y < H; y++) {
    const row: number[] = [];
    for (let x = 0; x < W; x++) {
      let acc = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          acc += (k[dy + 1]![dx + 1]! / 16) * img[clampIdx(y + dy * r, H)]![clampIdx(x + dx * r, W)]!;
        }
      }
      row.push(acc);
    }
    out.push(row);
  }
  return out;
}

/** The reference's wavelet_decomposition: high accumulates (image − blur) per level; low is the last blur. */
function naiveDecompose(img: number[][]): { high: number[][]; low: number[][] } {
  const H = img.length;
  const W = img[0]!.length;
  const high = Array.from({ length: H }, () => new Array<number>(W).fill(0));
  let cur = img;
  let low = img;
  for (let i = 0; i < 5; i++) {
    low = naiveBlur(cur, 2 ** i);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) high[y]![x]! += cur[y]![x]! - low[y]![x]!;
    cur = low;
  }
  return { high, low };
}

function planeOf(img: Float32Array, c: number, H: number, W: number): number[][] {
  return Array.from({ length: H }, (_, y) => Array.from({ length: W }, (_, x) => img[c * H * W + y * W + x]!));
}

function naiveWavelet(content: Float32Array, style: Float32Array, C: number, H: number, W: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < C; c++) {
    const { high } = naiveDecompose(planeOf(content, c, H, W));
    const { low } = naiveDecompose(planeOf(style, c, H, W));
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out.push(high[y]![x]! + low[y]![x]!);
  }
  return out;
}

function naiveAdain(content: Float32Array, style: Float32Array, C: number, H: number, W: number): number[] {
  const n = H * W;
  const stats = (img: Float32Array, c: number): [number, number] => {
    const v = Array.from(img.subarray(c * n, (c + 1) * n));
    const mean = v.reduce((a, b) => a + b, 0) / n;
    const unbiased = n > 1 ? v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
    return [mean, Math.sqrt(unbiased + 1e-5)];
  };
  const out: number[] = [];
  for (let c = 0; c < C; c++) {
    const [mc, sc] = stats(content, c);
    const [ms, ss] = stats(style, c);
    for (let i = 0; i < n; i++) out.push(((content[c * n + i]! - mc) / sc) * ss + ms);
  }
  return out;
}

function expectClose(actual: Float32Array, expected: number[], tol = TOL): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThan(tol);
}

// Shapes: tiny, non-square both ways, and larger than the widest dilation (16) so all padding cases occur.
const SHAPES: Array<[number, number, number]> = [
  [3, 1, 1],
  [3, 2, 3],
  [1, 3, 2],
  [3, 17, 5],
  [3, 23, 41],
  [2, 40, 33],
];

describe('waveletColorFix', () => {
  for (const [C, H, W] of SHAPES) {
    it(`matches the direct float64 decomposition on ${C}×${H}×${W}`, () => {
      const content = randomImage(C, H, W, 1 + H * 31 + W);
      const style = randomImage(C, H, W, 7 + H * 17 + W);
      expectClose(waveletColorFix(content, style, C, H, W), naiveWavelet(content, style, C, H, W));
    });
  }

  it('works in place over the content and over the style buffer', () => {
    const [C, H, W] = [3, 21, 34];
    const content = randomImage(C, H, W, 11);
    const style = randomImage(C, H, W, 12);
    const expected = naiveWavelet(content, style, C, H, W);
    const c1 = content.slice();
    waveletColorFix(c1, style, C, H, W, c1);
    expectClose(c1, expected);
    const s1 = style.slice();
    waveletColorFix(content, s1, C, H, W, s1);
    expectClose(s1, expected);
  });

  it('takes the low band from the style: a constant style shifts the mean to that constant', () => {
    const [C, H, W] = [1, 30, 30];
    const content = randomImage(C, H, W, 3);
    const style = new Float32Array(C * H * W).fill(0.25);
    const out = waveletColorFix(content, style, C, H, W);
    // The blur preserves the mean only up to the replicated border, so compare against the direct computation too.
    expectClose(out, naiveWavelet(content, style, C, H, W));
    const mean = out.reduce((a, b) => a + b, 0) / out.length;
    expect(Math.abs(mean - 0.25)).toBeLessThan(0.05);
  });

  it('leaves an image unchanged when content and style are the same', () => {
    const [C, H, W] = [3, 19, 26];
    const img = randomImage(C, H, W, 5);
    expectClose(waveletColorFix(img, img, C, H, W), Array.from(img));
  });

  it('low-passes a plane exactly like five direct blurs', () => {
    const [H, W] = [37, 12];
    const img = randomImage(1, H, W, 9);
    const { low } = naiveDecompose(planeOf(img, 0, H, W));
    expectClose(waveletLowPass(img.slice(), H, W), low.flat());
  });
});

describe('adainColorFix', () => {
  for (const [C, H, W] of SHAPES) {
    it(`matches the direct float64 formula on ${C}×${H}×${W}`, () => {
      const content = randomImage(C, H, W, 100 + H + W, -0.2, 1.3);
      const style = randomImage(C, H, W, 200 + H + W, 0.1, 0.6);
      expectClose(adainColorFix(content, style, C, H, W), naiveAdain(content, style, C, H, W));
    });
  }

  it('gives the output the style’s per-channel mean and (unbiased) std', () => {
    const [C, H, W] = [3, 31, 29];
    const content = randomImage(C, H, W, 1);
    const style = randomImage(C, H, W, 2, 0.3, 0.5);
    const out = adainColorFix(content, style, C, H, W);
    const n = H * W;
    for (let c = 0; c < C; c++) {
      const o = channelStats(out.subarray(c * n, (c + 1) * n), 0);
      const s = channelStats(style.subarray(c * n, (c + 1) * n), 0);
      expect(o.mean).toBeCloseTo(s.mean, 5);
      // std differs only by the epsilon's effect, which is small against these variances.
      expect(Math.abs(o.std - s.std)).toBeLessThan(1e-3);
    }
  });

  it('works in place and keeps flat channels finite', () => {
    const [C, H, W] = [3, 4, 5];
    const content = new Float32Array(C * H * W).fill(0.5);
    const style = randomImage(C, H, W, 4);
    const expected = naiveAdain(content, style, C, H, W);
    adainColorFix(content, style, C, H, W, content);
    expectClose(content, expected);
    expect(content.every(Number.isFinite)).toBe(true);
  });

  it('refuses shapes that do not match the buffers, naming the sizes', () => {
    const a = new Float32Array(12);
    expect(() => adainColorFix(a, a, 3, 2, 3)).toThrow(/3×2×3 = 18 values, got content 12/);
    expect(() => waveletColorFix(a, a, 3, 0, 4)).toThrow(/H must be a positive integer, got 0/);
  });
});

describe('blendStrength and applyColorFix', () => {
  it('blends strength·model + (1 − strength)·input', () => {
    const model = randomImage(3, 5, 7, 21);
    const input = randomImage(3, 5, 7, 22);
    for (const s of [0, 0.3, 0.75, 1]) {
      const expected = Array.from(model, (m, i) => s * m + (1 - s) * input[i]!);
      expectClose(blendStrength(model, input, s), expected, 1e-6);
    }
    expect(Array.from(blendStrength(model, input, 1))).toEqual(Array.from(model));
    expect(Array.from(blendStrength(model, input, 0))).toEqual(Array.from(input));
  });

  it('refuses strengths outside [0, 1]', () => {
    const a = new Float32Array(3);
    expect(() => blendStrength(a, a, 1.5)).toThrow(/got 1.5/);
    expect(() => blendStrength(a, a, Number.NaN)).toThrow(/got NaN/);
  });

  it('dispatches on the colour-fix kind', () => {
    const [C, H, W] = [3, 9, 8];
    const content = randomImage(C, H, W, 31);
    const style = randomImage(C, H, W, 32);
    expectClose(applyColorFix('adain', content, style, C, H, W), naiveAdain(content, style, C, H, W));
    expectClose(applyColorFix('wavelet', content, style, C, H, W), naiveWavelet(content, style, C, H, W));
    expect(Array.from(applyColorFix('none', content, style, C, H, W))).toEqual(Array.from(content));
  });
});

// The checks below were found missing by mutation testing (docs/mutation.md): each one fails when the guard it names
// is removed or loosened.
/** The buffers the colour fixes allocate (their default `out`): an ArrayBuffer, not a SharedArrayBuffer. */
type F32 = Float32Array<ArrayBuffer>;

describe('argument checks', () => {
  it('blendStrength refuses an input or an out buffer of another length, naming the three lengths', () => {
    const a = new Float32Array(6);
    expect(() => blendStrength(a, new Float32Array(5), 0.5)).toThrow('blendStrength: lengths differ (model 6, input 5, out 6)');
    expect(() => blendStrength(a, a, 0.5, new Float32Array(7))).toThrow('blendStrength: lengths differ (model 6, input 6, out 7)');
  });

  it('each colour fix names itself and the buffer that does not fit the shape', () => {
    const n = 2 * 3 * 4;
    const ok = (): F32 => new Float32Array(n);
    const short = new Float32Array(n - 1);
    for (const [fn, call] of [
      ['adainColorFix', (c: F32, s: F32, o: F32) => adainColorFix(c, s, 2, 3, 4, o)],
      ['waveletColorFix', (c: F32, s: F32, o: F32) => waveletColorFix(c, s, 2, 3, 4, o)],
      ['applyColorFix', (c: F32, s: F32, o: F32) => applyColorFix('none', c, s, 2, 3, 4, o)],
    ] as const) {
      expect(() => call(short, ok(), ok())).toThrow(`${fn}: expected 2×3×4 = 24 values, got content 23, style 24, out 24`);
      expect(() => call(ok(), short, ok())).toThrow(`${fn}: expected 2×3×4 = 24 values, got content 24, style 23, out 24`);
      expect(() => call(ok(), ok(), short)).toThrow(`${fn}: expected 2×3×4 = 24 values, got content 24, style 24, out 23`);
    }
  });

  it('refuses a channel count, height or width that is not a positive integer, naming it', () => {
    const a = new Float32Array(12);
    expect(() => adainColorFix(a, a, 1.5, 2, 4)).toThrow('adainColorFix: C must be a positive integer, got 1.5');
    expect(() => waveletColorFix(a, a, 3, 4, 0)).toThrow('waveletColorFix: W must be a positive integer, got 0');
    expect(() => applyColorFix('none', a, a, -1, -3, 4)).toThrow('applyColorFix: C must be a positive integer, got -1');
  });

  it('channelStats refuses an empty plane instead of returning NaN', () => {
    expect(() => channelStats(new Float32Array(0))).toThrow('channelStats: empty plane');
  });

  it('channelStats of one pixel has variance 0: std is √eps', () => {
    const s = channelStats(Float32Array.of(0.4));
    expect(s.mean).toBeCloseTo(0.4, 7);
    expect(s.std).toBeCloseTo(Math.sqrt(1e-5), 10);
  });
});

describe('waveletColorFix with an out buffer that partly overlaps the style', () => {
  // One channel, so the only buffer the write can destroy is the style plane being read; out starts after, then
  // before, the style in one shared ArrayBuffer. The overlap test must see both orders to keep the style's low band.
  const [C, H, W] = [1, 13, 11];
  const n = C * H * W;
  for (const shift of [3, -3]) {
    it(`matches the direct computation when out is shifted ${shift} values against the style`, () => {
      const content = randomImage(C, H, W, 41);
      const styleValues = randomImage(C, H, W, 42);
      const expected = naiveWavelet(content, styleValues, C, H, W);
      const shared = new Float32Array(n + 3);
      const style = shared.subarray(shift > 0 ? 0 : 3, shift > 0 ? n : n + 3);
      const out = shared.subarray(shift > 0 ? 3 : 0, shift > 0 ? n + 3 : n);
      style.set(styleValues);
      waveletColorFix(content, style, C, H, W, out);
      expectClose(out, expected);
    });
  }

  it('matches the direct computation when out and style are disjoint views of one buffer', () => {
    const content = randomImage(C, H, W, 43);
    const styleValues = randomImage(C, H, W, 44);
    const shared = new Float32Array(2 * n);
    const style = shared.subarray(0, n);
    const out = shared.subarray(n, 2 * n);
    style.set(styleValues);
    waveletColorFix(content, style, C, H, W, out);
    expectClose(out, naiveWavelet(content, styleValues, C, H, W));
    expect(Array.from(style)).toEqual(Array.from(styleValues));
  });
});

describe('colour fixes with an out buffer shifted against a three-channel input', () => {
  // With several channels, channel c's writes land on channel c+1's input before it is read unless the function copies
  // the overlapped input first: before that copy, waveletColorFix gave wrong values here (a mutation run found it).
  const [C, H, W] = [3, 9, 7];
  const n = C * H * W;
  const cases = [
    { fn: 'waveletColorFix', run: waveletColorFix, naive: naiveWavelet },
    { fn: 'adainColorFix', run: adainColorFix, naive: naiveAdain },
  ] as const;
  for (const { fn, run, naive } of cases) {
    for (const over of ['style', 'content'] as const) {
      for (const shift of [5, -5]) {
        it(`${fn}: out shifted ${shift} values against the ${over} matches the direct computation`, () => {
          const contentValues = randomImage(C, H, W, 61);
          const styleValues = randomImage(C, H, W, 62);
          const expected = naive(contentValues, styleValues, C, H, W);
          const shared = new Float32Array(n + 5);
          const input = shared.subarray(shift > 0 ? 0 : 5, shift > 0 ? n : n + 5);
          const out = shared.subarray(shift > 0 ? 5 : 0, shift > 0 ? n + 5 : n);
          input.set(over === 'style' ? styleValues : contentValues);
          const content = over === 'content' ? input : contentValues;
          const style = over === 'style' ? input : styleValues;
          run(content, style, C, H, W, out);
          expectClose(out, expected);
        });
      }
    }
  }
});

describe('waveletLowPass with a caller’s scratch buffers', () => {
  const [H, W] = [29, 13];

  it('ignores scratch made for another width or too few rows, and still matches the direct blur', () => {
    const img = randomImage(1, H, W, 51);
    const { low } = naiveDecompose(planeOf(img, 0, H, W));
    for (const scratch of [new BlurScratch(W + 3), new BlurScratch(W - 2), new BlurScratch(W, 1), new BlurScratch(W, 8), new BlurScratch(W)]) {
      expectClose(waveletLowPass(img.slice(), H, W, WAVELET_LEVELS, scratch), low.flat());
    }
  });

  it('refuses a plane whose length is not H × W', () => {
    expect(() => waveletLowPass(new Float32Array(H * W - 1), H, W)).toThrow(`waveletLowPass: plane has ${H * W - 1} values, expected ${H}×${W}`);
  });

  it('refuses a negative strength', () => {
    const a = new Float32Array(3);
    expect(() => blendStrength(a, a, -0.25)).toThrow('strength must be in [0, 1], got -0.25');
  });
});
