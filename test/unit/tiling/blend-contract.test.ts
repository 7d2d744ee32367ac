/**
 * The blend's building blocks one by one (tiling/blend.ts): the raised-cosine ramp and the 1-D partition of unity
 * against direct formulas, the weight look-ups, and every refusal of BandAccumulator with its message. Added after
 * mutation testing (docs/mutation.md) showed breaks in these paths that the end-to-end blend tests did not notice.
 */
import { describe, expect, it } from 'vitest';
import {
  axisBlendWeights,
  BandAccumulator,
  gaussianTileWeights,
  gaussianWeightFn,
  raisedCosineRamp,
  tileBlendWeights,
} from '../../../src-main/tiling/blend';
import { planTiles } from '../../../src-main/tiling/plan';
import type { FloatTensor } from '../../../src-main/pixels/types';

const TOL = 1e-12;

describe('raisedCosineRamp', () => {
  it('is ½ − ½cos(π(t + ½)/n), strictly inside (0, 1), and ramp[t] + ramp[n − 1 − t] = 1', () => {
    for (const n of [1, 2, 5, 16]) {
      const r = raisedCosineRamp(n);
      expect(r).toHaveLength(n);
      for (let t = 0; t < n; t++) {
        expect(Math.abs(r[t]! - (0.5 - 0.5 * Math.cos((Math.PI * (t + 0.5)) / n)))).toBeLessThan(TOL);
        expect(r[t]!).toBeGreaterThan(0);
        expect(r[t]!).toBeLessThan(1);
        expect(Math.abs(r[t]! + r[n - 1 - t]! - 1)).toBeLessThan(TOL);
      }
    }
    expect(raisedCosineRamp(1)[0]).toBeCloseTo(0.5, 12);
  });
});

/** Direct 1-D weights: each span's bump (1, ramps across overlaps with its neighbours), divided by the bumps' sum. */
function directAxis(spans: { start: number; length: number }[]): number[][] {
  const ramp = (t: number, n: number): number => 0.5 - 0.5 * Math.cos((Math.PI * (t + 0.5)) / n);
  const bump = (i: number, p: number): number => {
    const s = spans[i]!;
    if (p < s.start || p >= s.start + s.length) return 0;
    let v = 1;
    const prev = spans[i - 1];
    if (prev) {
      const ov = Math.min(s.length, prev.start + prev.length - s.start);
      if (p - s.start < ov) v *= ramp(p - s.start, ov);
    }
    const next = spans[i + 1];
    if (next) {
      const ov = Math.min(s.length, s.start + s.length - next.start);
      const fromEnd = s.start + s.length - 1 - p;
      if (fromEnd < ov) v *= ramp(fromEnd, ov);
    }
    return v;
  };
  return spans.map((s, i) =>
    Array.from({ length: s.length }, (_, t) => {
      const p = s.start + t;
      let sum = 0;
      for (let k = 0; k < spans.length; k++) sum += bump(k, p);
      return bump(i, p) / sum;
    }),
  );
}

describe('axisBlendWeights', () => {
  const cases: Array<[string, { start: number; length: number }[], number]> = [
    ['one span', [{ start: 0, length: 7 }], 7],
    ['two overlapping', [{ start: 0, length: 10 }, { start: 6, length: 10 }], 16],
    ['three, unequal overlaps', [{ start: 0, length: 9 }, { start: 5, length: 9 }, { start: 12, length: 8 }], 20],
    ['touching, no overlap', [{ start: 0, length: 4 }, { start: 4, length: 5 }], 9],
    ['three over one point (the middle span inside both neighbours)', [{ start: 0, length: 6 }, { start: 2, length: 3 }, { start: 3, length: 6 }], 9],
  ];
  for (const [name, spans, extent] of cases) {
    it(`matches the direct bumps over their sum: ${name}`, () => {
      const got = axisBlendWeights(spans, extent);
      const want = directAxis(spans);
      expect(got.map((g) => g.length)).toEqual(spans.map((s) => s.length));
      for (let i = 0; i < spans.length; i++) for (let t = 0; t < spans[i]!.length; t++) expect(Math.abs(got[i]![t]! - want[i]![t]!)).toBeLessThan(TOL);
      // A partition of unity.
      const sum = new Float64Array(extent);
      spans.forEach((s, i) => got[i]!.forEach((v, t) => (sum[s.start + t]! += v)));
      for (const v of sum) expect(Math.abs(v - 1)).toBeLessThan(TOL);
    });
  }

  it('names the first position no span covers', () => {
    expect(() => axisBlendWeights([{ start: 0, length: 3 }, { start: 5, length: 3 }], 8)).toThrow('position 3 of 8 is covered by no span');
    expect(() => axisBlendWeights([{ start: 0, length: 3 }], 4)).toThrow('position 3 of 4 is covered by no span');
  });
});

describe('tileBlendWeights', () => {
  const tiles = planTiles({ width: 100, height: 70, tile: 48, overlap: 12, pad: 0, scale: 2 });

  it('gives each planned tile the product of its column and row weights', () => {
    const fn = tileBlendWeights(tiles);
    const xs = [...new Map(tiles.map((t) => [t.output.x, t.output.w])).entries()].map(([start, length]) => ({ start, length }));
    const ys = [...new Map(tiles.map((t) => [t.output.y, t.output.h])).entries()].map(([start, length]) => ({ start, length }));
    const wx = directAxis(xs);
    const wy = directAxis(ys);
    for (const t of tiles) {
      const w = fn(t.output) as { x: ArrayLike<number>; y: ArrayLike<number> };
      expect(Array.from(w.x).map((v, i) => Math.abs(v - wx[t.col]![i]!)).every((d) => d < TOL)).toBe(true);
      expect(Array.from(w.y).map((v, i) => Math.abs(v - wy[t.row]![i]!)).every((d) => d < TOL)).toBe(true);
    }
  });

  it('does not depend on the order the tiles come in', () => {
    const a = tileBlendWeights(tiles);
    const b = tileBlendWeights([...tiles].reverse());
    for (const t of tiles) {
      const [wa, wb] = [a(t.output), b(t.output)] as { x: ArrayLike<number>; y: ArrayLike<number> }[];
      expect(Array.from(wb!.x)).toEqual(Array.from(wa!.x));
      expect(Array.from(wb!.y)).toEqual(Array.from(wa!.y));
    }
  });

  it('refuses a rectangle that is not a planned tile, naming it', () => {
    const fn = tileBlendWeights(tiles);
    const t = tiles[1]!.output;
    for (const r of [
      { ...t, x: t.x + 1 },
      { ...t, y: t.y + 1 },
      { ...t, w: t.w - 1 },
      { ...t, h: t.h + 1 },
    ]) {
      expect(() => fn(r)).toThrow(`no planned tile has output (${r.x}, ${r.y}) ${r.w}×${r.h}`);
    }
  });
});

describe('gaussianTileWeights and gaussianWeightFn', () => {
  it('refuses sizes that are not positive integers and a non-positive σ fraction', () => {
    expect(() => gaussianTileWeights(0, 4)).toThrow('tile size must be positive integers, got 0×4');
    expect(() => gaussianTileWeights(4, 0)).toThrow('tile size must be positive integers, got 4×0');
    expect(() => gaussianTileWeights(2.5, 4)).toThrow('got 2.5×4');
    expect(() => gaussianTileWeights(4, 1.5)).toThrow('got 4×1.5');
    expect(() => gaussianTileWeights(4, 4, 0)).toThrow('sigmaFrac must be positive, got 0');
    expect(() => gaussianTileWeights(4, 4, Number.NaN)).toThrow('sigmaFrac must be positive, got NaN');
    expect(gaussianTileWeights(1, 1)[0]).toBe(1);
  });

  it('gives each size its own Gaussian, computed once per size, with the chosen σ fraction', () => {
    const fn = gaussianWeightFn(0.25);
    const a = fn({ x: 0, y: 0, w: 6, h: 4 }) as Float32Array;
    expect(fn({ x: 10, y: 3, w: 6, h: 4 })).toBe(a);
    const b = fn({ x: 0, y: 0, w: 4, h: 6 }) as Float32Array;
    expect(b).not.toBe(a);
    expect(Array.from(a)).toEqual(Array.from(gaussianTileWeights(6, 4, 0.25)));
    expect(Array.from(b)).toEqual(Array.from(gaussianTileWeights(4, 6, 0.25)));
    expect(Array.from(gaussianWeightFn()({ x: 0, y: 0, w: 5, h: 3 }) as Float32Array)).toEqual(Array.from(gaussianTileWeights(5, 3, 0.1)));
  });
});

describe('BandAccumulator refusals and bookkeeping', () => {
  const sink = (): void => {};
  const tensor = (c: number, h: number, w: number, v = 0.5): FloatTensor => ({ data: new Float32Array(c * h * w).fill(v), dims: [1, c, h, w] });

  it('refuses a width, height or channel count that is not a positive integer, naming it', () => {
    expect(() => new BandAccumulator({ width: 0, height: 2, channels: 1, onRow: sink })).toThrow('width must be a positive integer, got 0');
    expect(() => new BandAccumulator({ width: 2, height: 1.5, channels: 1, onRow: sink })).toThrow('height must be a positive integer, got 1.5');
    expect(() => new BandAccumulator({ width: 2, height: 2, channels: -1, onRow: sink })).toThrow('channels must be a positive integer, got -1');
    expect(() => new BandAccumulator({ width: 1, height: 1, channels: 1, onRow: sink })).not.toThrow();
  });

  it('refuses tensors of the wrong rank, batch or channel count', () => {
    const acc = new BandAccumulator({ width: 4, height: 4, channels: 2, onRow: sink });
    const ones = { x: [1, 1], y: [1, 1] };
    const crop = { x: 0, y: 0, w: 2, h: 2 };
    for (const dims of [[2, 2, 2], [2, 2, 2, 2], [1, 3, 2, 2], [1, 2, 2, 2, 1]]) {
      expect(() => acc.add({ data: new Float32Array(32), dims }, crop, { x: 0, y: 0 }, ones)).toThrow(
        `expected a [1, 2, H, W] tensor, got [${dims.join(', ')}]`,
      );
    }
  });

  it('refuses a crop outside the tensor on each side', () => {
    const acc = new BandAccumulator({ width: 8, height: 8, channels: 1, onRow: sink });
    const t = tensor(1, 3, 4);
    const w = (cw: number, ch: number) => ({ x: new Array<number>(Math.max(cw, 0)).fill(1), y: new Array<number>(Math.max(ch, 0)).fill(1) });
    for (const crop of [
      { x: -1, y: 0, w: 2, h: 2 },
      { x: 0, y: -1, w: 2, h: 2 },
      { x: 0, y: 0, w: 0, h: 2 },
      { x: 0, y: 0, w: 2, h: 0 },
      { x: 3, y: 0, w: 2, h: 2 },
      { x: 0, y: 2, w: 2, h: 2 },
    ]) {
      expect(() => acc.add(t, crop, { x: 0, y: 0 }, w(crop.w, crop.h))).toThrow(`crop (${crop.x}, ${crop.y}) ${crop.w}×${crop.h} is not inside the 4×3 tensor`);
    }
    // The whole tensor is inside, and so is a single pixel.
    expect(() => acc.add(t, { x: 0, y: 0, w: 4, h: 3 }, { x: 0, y: 0 }, w(4, 3))).not.toThrow();
    expect(() => acc.add(t, { x: 3, y: 2, w: 1, h: 1 }, { x: 5, y: 5 }, w(1, 1))).not.toThrow();
  });

  it('refuses a tile that does not fit the canvas on each side', () => {
    const acc = new BandAccumulator({ width: 6, height: 5, channels: 1, onRow: sink });
    const t = tensor(1, 2, 3);
    const crop = { x: 0, y: 0, w: 3, h: 2 };
    const ones = { x: [1, 1, 1], y: [1, 1] };
    for (const at of [{ x: -1, y: 0 }, { x: 0, y: -1 }, { x: 4, y: 0 }, { x: 0, y: 4 }]) {
      expect(() => acc.add(t, crop, at, ones)).toThrow(`tile (${at.x}, ${at.y}) 3×2 does not fit the 6×5 canvas`);
    }
    expect(() => acc.add(t, crop, { x: 3, y: 3 }, ones)).not.toThrow();
  });

  it('refuses a tile with no weights, and grid weights of the wrong length', () => {
    const acc = new BandAccumulator({ width: 4, height: 4, channels: 1, onRow: sink });
    const t = tensor(1, 2, 2);
    const crop = { x: 0, y: 0, w: 2, h: 2 };
    expect(() => acc.add(t, crop, { x: 0, y: 0 })).toThrow('no weights given and the accumulator has no weight function');
    expect(() => acc.add(t, crop, { x: 0, y: 0 }, new Float32Array(3))).toThrow('weights hold 3 values for a 2×2 tile');
    expect(() => acc.add(t, crop, { x: 0, y: 0 }, { x: [1, 1], y: [1] })).toThrow('separable weights are 2×1 for a 2×2 tile');
  });

  it('uses grid weights row by row and separable weights as the outer product', () => {
    const rows: number[][] = [];
    const acc = new BandAccumulator({ width: 2, height: 2, channels: 1, onRow: (_y, r) => rows.push(Array.from(r)) });
    // Tile A (value 1) with grid weights [[1, 3], [1, 1]]; tile B (value 0) with separable x [1, 1], y [1, 3].
    acc.add(tensor(1, 2, 2, 1), { x: 0, y: 0, w: 2, h: 2 }, { x: 0, y: 0 }, Float32Array.of(1, 3, 1, 1));
    acc.add(tensor(1, 2, 2, 0), { x: 0, y: 0, w: 2, h: 2 }, { x: 0, y: 0 }, { x: [1, 1], y: [1, 3] });
    acc.finish();
    expect(rows).toEqual([
      [1 / 2, 3 / 4],
      [1 / 4, 1 / 4],
    ]);
  });

  it('takes the crop from its place in the tensor, for every channel', () => {
    const rows: number[][] = [];
    const acc = new BandAccumulator({ width: 2, height: 1, channels: 2, onRow: (_y, r) => rows.push(Array.from(r)) });
    // Tensor [1, 2, 2, 3], value = 100c + 10y + x; crop (1, 1) 2×1.
    const data = Float32Array.from({ length: 12 }, (_, i) => 100 * Math.floor(i / 6) + 10 * Math.floor((i % 6) / 3) + (i % 3));
    acc.add({ data, dims: [1, 2, 2, 3] }, { x: 1, y: 1, w: 2, h: 1 }, { x: 0, y: 0 }, { x: [1, 1], y: [1] });
    acc.finish();
    expect(rows).toEqual([[11, 12, 111, 112]]);
  });

  it('tracks the rows emitted and the most rows held, reusing emitted rows cleared', () => {
    const buffers: Float32Array[] = [];
    const values: number[][] = [];
    const acc = new BandAccumulator({
      width: 3,
      height: 6,
      channels: 1,
      weights: () => ({ x: [1, 1, 1], y: [1, 1] }),
      onRow: (_y, r) => {
        buffers.push(r);
        values.push(Array.from(r));
      },
    });
    expect([acc.emittedRows, acc.peakRowsHeld]).toEqual([0, 0]);
    acc.add(tensor(1, 2, 3, 0.25), { x: 0, y: 0, w: 3, h: 2 }, { x: 0, y: 0 });
    acc.add(tensor(1, 2, 3, 0.75), { x: 0, y: 0, w: 3, h: 2 }, { x: 0, y: 1 });
    expect(acc.peakRowsHeld).toBe(3);
    acc.emitUntil(2);
    expect(acc.emittedRows).toBe(2);
    acc.add(tensor(1, 2, 3, 1), { x: 0, y: 0, w: 3, h: 2 }, { x: 0, y: 3 });
    acc.add(tensor(1, 2, 3, 1), { x: 0, y: 0, w: 3, h: 2 }, { x: 0, y: 4 });
    expect(acc.peakRowsHeld).toBe(4);
    acc.finish();
    expect(acc.emittedRows).toBe(6);
    // Rows 0 and 1 went back to the pool (last in, first out) and came out again for rows 3 and 4, cleared.
    expect(buffers[3]).toBe(buffers[1]);
    expect(buffers[4]).toBe(buffers[0]);
    expect(values).toEqual([[0.25, 0.25, 0.25], [0.5, 0.5, 0.5], [0.75, 0.75, 0.75], [1, 1, 1], [1, 1, 1], [1, 1, 1]]);
  });

  it('names the last emitted row when a tile reaches back into emitted rows', () => {
    const acc = new BandAccumulator({ width: 2, height: 6, channels: 1, onRow: sink });
    acc.add(tensor(1, 3, 2), { x: 0, y: 0, w: 2, h: 3 }, { x: 0, y: 0 }, { x: [1, 1], y: [1, 1, 1] });
    acc.emitUntil(3);
    expect(() => acc.add(tensor(1, 2, 2), { x: 0, y: 0, w: 2, h: 2 }, { x: 0, y: 2 }, { x: [1, 1], y: [1, 1] })).toThrow(
      'tile at row 2 reaches rows already emitted (up to 2)',
    );
  });

  it('refuses to emit past the canvas or to a fractional row, and rows that nothing covered', () => {
    const acc = new BandAccumulator({ width: 2, height: 3, channels: 1, onRow: sink });
    expect(() => acc.emitUntil(4)).toThrow('cannot emit up to row 4 of 3');
    expect(() => acc.emitUntil(1.5)).toThrow('cannot emit up to row 1.5 of 3');
    expect(() => acc.emitUntil(1)).toThrow('row 0 was emitted but no tile covered it');
  });
});
