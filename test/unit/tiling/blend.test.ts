import { describe, expect, it } from 'vitest';
import {
  BandAccumulator,
  gaussianTileWeights,
  gaussianWeightFn,
  hwcRowWriter,
  tileBlendWeights,
} from '../../../src-main/tiling/blend';
import { planRowBands, planTiles, type Tile } from '../../../src-main/tiling/plan';
import type { FloatTensor } from '../../../src-main/pixels/types';

/** A smooth test signal, so every tile's view of an overlap agrees and the blend must reproduce it exactly. */
const signal = (x: number, y: number, c: number) => 0.5 + 0.4 * Math.sin(0.013 * x + 0.7 * c) * Math.cos(0.021 * y - c);

/** What a perfect model would return for a tile: the signal over the tile's padded output, NCHW. */
function tileTensor(t: Tile, scale: number, channels: number, value = signal): FloatTensor {
  const w = t.input.w * scale;
  const h = t.input.h * scale;
  const x0 = (t.core.x - t.inner.x) * scale;
  const y0 = (t.core.y - t.inner.y) * scale;
  const data = new Float32Array(channels * w * h);
  for (let c = 0; c < channels; c++) {
    for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) data[c * w * h + j * w + i] = value(x0 + i, y0 + j, c);
  }
  return { data, dims: [1, channels, h, w] };
}

function runPlan(opts: { width: number; height: number; tile: number; overlap: number; pad: number; scale: number },
  channels: number, gaussian: boolean) {
  const tiles = planTiles(opts);
  const W = opts.width * opts.scale;
  const H = opts.height * opts.scale;
  const emitted: number[] = [];
  let worst = 0;
  const acc = new BandAccumulator({
    width: W,
    height: H,
    channels,
    weights: gaussian ? gaussianWeightFn() : tileBlendWeights(tiles),
    onRow: (y, row) => {
      emitted.push(y);
      for (let c = 0; c < channels; c++) {
        for (let x = 0; x < W; x++) worst = Math.max(worst, Math.abs(row[c * W + x]! - signal(x, y, c)));
      }
    },
  });
  for (const band of planRowBands(tiles)) {
    for (const t of band.tiles) {
      const s = opts.scale;
      acc.add(tileTensor(t, s, channels), { x: t.inner.x * s, y: t.inner.y * s, w: t.output.w, h: t.output.h },
        { x: t.output.x, y: t.output.y });
    }
    acc.emitUntil(band.finalRows.y1);
  }
  acc.finish();
  return { emitted, worst, H, peak: acc.peakRowsHeld };
}

describe('BandAccumulator', () => {
  it('emits each row exactly once, in order, holding at most about one band of rows', () => {
    const opts = { width: 157, height: 203, tile: 48, overlap: 12, pad: 5, scale: 2 };
    const { emitted, H, peak } = runPlan(opts, 3, false);
    expect(emitted).toEqual(Array.from({ length: H }, (_, y) => y));
    // A band is one tile high at output scale; nothing more may be held at once.
    expect(peak).toBeLessThanOrEqual(opts.tile * opts.scale);
  });

  it('reproduces a signal every tile agrees on (raised cosine, 3 channels; tolerance 1e-6)', () => {
    expect(runPlan({ width: 131, height: 97, tile: 40, overlap: 10, pad: 3, scale: 3 }, 3, false).worst).toBeLessThan(1e-6);
  });

  it('reproduces it with Gaussian weights for 4-channel latents (normalised by the weight sum; tolerance 1e-6)', () => {
    const r = runPlan({ width: 96, height: 80, tile: 32, overlap: 16, pad: 0, scale: 1 }, 4, true);
    expect(r.emitted).toHaveLength(80);
    expect(r.worst).toBeLessThan(1e-6);
  });

  it('blends two disagreeing tiles along the raised-cosine ramp', () => {
    // Two cores over 100 px (tile ≤ 64, overlap ≥ 16): balanced to 58 px, starts 0 and 42, overlap x = 42..57 (16 px).
    // Left tile says 0, right says 1.
    const tiles = planTiles({ width: 100, height: 4, tile: 64, overlap: 16, pad: 0, scale: 1 });
    const rows: Float32Array[] = [];
    const acc = new BandAccumulator({
      width: 100, height: 4, channels: 1, weights: tileBlendWeights(tiles), onRow: (_y, row) => rows.push(row.slice()),
    });
    tiles.forEach((t, k) => acc.add(tileTensor(t, 1, 1, () => k), { ...t.inner }, t.output));
    acc.finish();
    const row = rows[2]!;
    for (let x = 0; x < 100; x++) {
      const t = x - 42;
      const expected = x < 42 ? 0 : x >= 58 ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * (t + 0.5)) / 16);
      expect(Math.abs(row[x]! - expected)).toBeLessThan(1e-6);
    }
  });

  it('blends a 2×2 grid of disagreeing tiles as the product of the x and y ramps', () => {
    // 100×100, tile ≤ 64: 58 px cores, starts 0 and 42 on both axes, overlap 16. Tile k (row-major) outputs the constant v[k].
    const v = [0, 1, 0.25, 0.5];
    const tiles = planTiles({ width: 100, height: 100, tile: 64, overlap: 16, pad: 0, scale: 1 });
    const out = new Float32Array(100 * 100);
    const acc = new BandAccumulator({
      width: 100, height: 100, channels: 1, weights: tileBlendWeights(tiles), onRow: (y, row) => out.set(row, y * 100),
    });
    tiles.forEach((t, k) => acc.add(tileTensor(t, 1, 1, () => v[k]!), { ...t.inner }, t.output));
    acc.finish();
    // Independent weights: share of the far tile along one axis (0 before the overlap, cosine ramp, 1 after).
    const far = (p: number) => (p < 42 ? 0 : p >= 58 ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * (p - 42 + 0.5)) / 16));
    let worst = 0;
    for (let y = 0; y < 100; y++) {
      for (let x = 0; x < 100; x++) {
        const [a, b] = [far(x), far(y)];
        const expected = v[0]! * (1 - a) * (1 - b) + v[1]! * a * (1 - b) + v[2]! * (1 - a) * b + v[3]! * a * b;
        worst = Math.max(worst, Math.abs(out[y * 100 + x]! - expected));
      }
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it('normalises Gaussian weights: a pixel is Σ wᵢvᵢ / Σ wᵢ over the tiles covering it', () => {
    // Two 8×8 tiles at x = 0 and x = 4, constant values 0.2 and 0.8.
    const rows: Float32Array[] = [];
    const acc = new BandAccumulator({ width: 12, height: 8, channels: 1, onRow: (_y, r) => rows.push(r.slice()) });
    const g = gaussianTileWeights(8, 8);
    const tile = (v: number): FloatTensor => ({ data: new Float32Array(64).fill(v), dims: [1, 1, 8, 8] });
    acc.add(tile(0.2), { x: 0, y: 0, w: 8, h: 8 }, { x: 0, y: 0 }, g);
    acc.add(tile(0.8), { x: 0, y: 0, w: 8, h: 8 }, { x: 4, y: 0 }, g);
    acc.finish();
    const wAt = (i: number, j: number) => Math.exp(-((i - 3.5) ** 2 + (j - 3.5) ** 2) / (2 * 0.8 ** 2));
    for (const [x, y] of [[5, 3], [6, 0], [7, 7], [2, 2], [10, 5]] as const) {
      const a = x < 8 ? wAt(x, y) : 0;
      const b = x >= 4 ? wAt(x - 4, y) : 0;
      expect(Math.abs(rows[y]![x]! - (0.2 * a + 0.8 * b) / (a + b))).toBeLessThan(1e-6);
    }
  });

  it('refuses tiles reaching emitted rows, and rows no tile covered', () => {
    const acc = new BandAccumulator({ width: 4, height: 4, channels: 1, onRow: () => undefined });
    const t: FloatTensor = { data: new Float32Array(8).fill(0.5), dims: [1, 1, 2, 4] };
    const ones = { x: [1, 1, 1, 1], y: [1, 1] };
    acc.add(t, { x: 0, y: 0, w: 4, h: 2 }, { x: 0, y: 0 }, ones);
    acc.emitUntil(2);
    expect(() => acc.add(t, { x: 0, y: 0, w: 4, h: 2 }, { x: 0, y: 1 }, ones)).toThrow('reaches rows already emitted');
    acc.add(t, { x: 0, y: 0, w: 2, h: 2 }, { x: 0, y: 2 }, { x: [1, 1], y: [1, 1] });
    expect(() => acc.finish()).toThrow('pixel (2, 2) has total weight 0');
    expect(() => acc.add(t, { x: 0, y: 0, w: 4, h: 2 }, { x: 1, y: 2 }, ones)).toThrow('does not fit the 4×4 canvas');
    expect(() => acc.add(t, { x: 0, y: 0, w: 4, h: 2 }, { x: 0, y: 2 }, { x: [1], y: [1, 1] })).toThrow(
      'separable weights are 1×2 for a 4×2 tile',
    );
  });
});

describe('gaussianTileWeights', () => {
  it('matches exp(-((x-cx)² + (y-cy)²) / (2σ²)) with σ = 0.1 × size for square tiles (tolerance 1e-6)', () => {
    for (const n of [1, 8, 33, 64]) {
      const g = gaussianTileWeights(n, n);
      const sigma = 0.1 * n;
      const c = (n - 1) / 2;
      for (let y = 0; y < n; y++) {
        for (let x = 0; x < n; x++) {
          const expected = Math.exp(-((x - c) ** 2 + (y - c) ** 2) / (2 * sigma * sigma));
          expect(Math.abs(g[y * n + x]! - expected)).toBeLessThanOrEqual(1e-6);
        }
      }
    }
  });

  it('is centred and symmetric, with σ per axis for rectangles and a configurable fraction', () => {
    const w = 40;
    const h = 24;
    const g = gaussianTileWeights(w, h, 0.2);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = g[y * w + x]!;
        expect(v).toBe(g[(h - 1 - y) * w + (w - 1 - x)]); // point symmetry about ((w-1)/2, (h-1)/2)
        const expected = Math.exp(-((x - 19.5) ** 2) / (2 * 8 ** 2) - ((y - 11.5) ** 2) / (2 * 4.8 ** 2));
        expect(Math.abs(v - expected)).toBeLessThanOrEqual(1e-6);
      }
    }
    // Peak at the centre pixels, falling off outwards.
    expect(g[11 * w + 19]).toBeGreaterThan(g[11 * w + 10]!);
    expect(g[11 * w + 19]).toBeGreaterThan(g[2 * w + 19]!);
    expect(() => gaussianTileWeights(0, 4)).toThrow('tile size must be positive integers, got 0×4');
  });
});

describe('hwcRowWriter', () => {
  it('writes planar float rows as rounded, clamped interleaved integers (8 and 16 bit)', () => {
    const row = Float32Array.from([0, 0.5, 1.2, /* G */ -0.1, 0.25, 1, /* B */ Number.NaN, 0.999, 0.002]);
    const out8 = { data: new Uint8Array(2 * 3 * 3), width: 3, height: 2, channels: 3 };
    hwcRowWriter(out8)(1, row);
    expect([...out8.data.subarray(9)]).toEqual([0, 0, 0, 128, 64, 255, 255, 255, 1]);
    const out16 = { data: new Uint16Array(3 * 3), width: 3, height: 1, channels: 3 };
    hwcRowWriter(out16)(0, row);
    expect([...out16.data]).toEqual([0, 0, 0, 32768, 16384, 65469, 65535, 65535, 131]);
  });
});
