import { describe, expect, it } from 'vitest';
import { detectDefects } from '../../../../src-main/pipelines/repair/detect';
import { halve, lineResponse, sideContrast } from '../../../../src-main/pipelines/repair/lines';
import { makePlane, type Plane } from '../../../../src-main/pipelines/repair/morphology';
import type { PixelBuffer } from '../../../../src-main/pixels/types';
import { rng } from '../../../support/random';

function noisePlane(w: number, h: number, seed: number): Plane {
  const p = makePlane(w, h);
  const rand = rng(seed);
  for (let i = 0; i < p.data.length; i++) p.data[i] = rand();
  return p;
}

// Independent reference: each direction's segment walked sample by sample, coordinates clamped to the plane.
function bruteLine(p: Plane, cap: Plane, x: number, y: number): number {
  let best = 0;
  for (let k = 0; k < 16; k++) {
    const a = (k * Math.PI) / 16;
    let s = 0;
    for (let j = -7; j <= 7; j++) {
      const xx = Math.min(p.w - 1, Math.max(0, x + Math.round(j * Math.cos(a))));
      const yy = Math.min(p.h - 1, Math.max(0, y + Math.round(j * Math.sin(a))));
      s += Math.min(p.data[yy * p.w + xx]!, cap.data[yy * p.w + xx]!);
    }
    best = Math.max(best, s / 15);
  }
  return best;
}

/** A textured grey photo (texture amplitude `amp`), RGB, 8-bit. */
function textured(w: number, h: number, amp: number, seed: number): PixelBuffer {
  const rand = rng(seed);
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const v = Math.round((0.45 + amp * (rand() - 0.5)) * 255);
    data.set([v, v, v], i * 3);
  }
  return { data, width: w, height: h, channels: 3 };
}

describe('line evidence', () => {
  it('halves by 2 × 2 means, an odd last row and column kept', () => {
    const p = noisePlane(5, 3, 1);
    const h = halve(p);
    expect([h.w, h.h]).toEqual([3, 2]);
    const at = (x: number, y: number) => p.data[y * 5 + x]!;
    expect(h.data[0]).toBeCloseTo((at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1)) / 4, 6);
    expect(h.data[2]).toBeCloseTo((at(4, 0) * 2 + at(4, 1) * 2) / 4, 6);
    expect(h.data[5]).toBeCloseTo(at(4, 2), 6);
  });

  it('matches a brute-force segment walk, borders included, each sample clipped at its own cap', () => {
    const p = noisePlane(40, 30, 7);
    const cap = makePlane(40, 30);
    const rand = rng(3);
    for (let i = 0; i < cap.data.length; i++) cap.data[i] = 0.3 + 0.7 * rand();
    const { mean } = lineResponse(p, cap);
    for (const [x, y] of [[0, 0], [39, 29], [20, 15], [3, 27], [37, 2], [11, 8]] as const) {
      expect(mean.data[y * 40 + x]).toBeCloseTo(bruteLine(p, cap, x, y), 5);
    }
  });

  it('tells a line between like surfaces from one between unlike surfaces', () => {
    const w = 40, h = 40;
    const like = makePlane(w, h), unlike = makePlane(w, h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const onLine = x === 20;
        like.data[y * w + x] = onLine ? 0.9 : 0.3;
        unlike.data[y * w + x] = onLine ? 0.9 : x < 20 ? 0.1 : 0.7;
      }
    }
    // Direction 8 is 90°: along the column.
    const a = sideContrast(like, 20, 20, 8, 1), b = sideContrast(unlike, 20, 20, 8, 1);
    expect(a.excess).toBeCloseTo(0.6, 5);
    expect(a.unlike).toBeCloseTo(0, 5);
    expect(b.excess).toBeCloseTo(0.2, 5);
    expect(b.unlike).toBeCloseTo(0.6, 5);
    expect(b.near).toBeCloseTo(0.7, 5);
  });
});

// Independent reference for sideContrast: the segment through (x, y) at angle kπ/16, 15 samples (j = −7..7), and its
// two sides 3 px away along the normal, walked in x/y coordinates; a triple with any sample outside the plane's rows
// is skipped (the function works on flat indices, so only the top and bottom edges are exercised here).
function bruteSides(p: Plane, x: number, y: number, k: number, sign: 1 | -1): { excess: number; unlike: number; near: number } {
  const a = (k * Math.PI) / 16, c = Math.cos(a), s = Math.sin(a);
  let sa = 0, sb = 0, sm = 0, n = 0;
  for (let j = -7; j <= 7; j++) {
    const ax = x + Math.round(j * c - 3 * s), ay = y + Math.round(j * s + 3 * c);
    const bx = 2 * x - ax, by = 2 * y - ay;
    const mx = x + Math.round(j * c), my = y + Math.round(j * s);
    if (Math.min(ay, by, my) < 0 || Math.max(ay, by, my) >= p.h) continue;
    sa += p.data[ay * p.w + ax]!;
    sb += p.data[by * p.w + bx]!;
    sm += p.data[my * p.w + mx]!;
    n++;
  }
  if (n === 0) return { excess: 0, unlike: 0, near: 0 };
  const near = (sign > 0 ? Math.max(sa, sb) : Math.min(sa, sb)) / n;
  return { excess: sign * (sm / n - near), unlike: Math.abs(sa - sb) / n, near };
}

describe('sideContrast against a walk in x/y coordinates', () => {
  it('matches every direction and both signs inside the plane and at its top and bottom rows', () => {
    const p = noisePlane(48, 40, 11);
    const points = [[24, 20], [12, 9], [35, 30], [24, 0], [24, 39], [20, 2]] as const;
    for (const [x, y] of points) {
      for (let k = 0; k < 16; k++) {
        for (const sign of [1, -1] as const) {
          const got = sideContrast(p, x, y, k, sign), want = bruteSides(p, x, y, k, sign);
          expect(got.excess, `(${x},${y}) k=${k} sign=${sign} excess`).toBeCloseTo(want.excess, 5);
          expect(got.unlike, `(${x},${y}) k=${k} unlike`).toBeCloseTo(want.unlike, 5);
          expect(got.near, `(${x},${y}) k=${k} sign=${sign} near`).toBeCloseTo(want.near, 5);
        }
      }
    }
  });

  it('gives zeros when no triple fits in the plane', () => {
    const p = noisePlane(20, 3, 12);
    // At 0° the two sides lie 3 rows above and below the middle row: outside a 3-row plane for every sample.
    expect(sideContrast(p, 10, 1, 0, 1)).toEqual({ excess: 0, unlike: 0, near: 0 });
    expect(sideContrast(p, 10, 1, 0, -1)).toEqual({ excess: 0, unlike: 0, near: 0 });
  });
});

describe('detectDefects with line evidence', () => {
  it('finds a dark scratch over noisy texture (the top-hat alone finds none of it), and nothing on the clean texture', () => {
    const w = 320, h = 240;
    const clean = textured(w, h, 0.3, 11);
    const img = textured(w, h, 0.3, 11);
    const line: number[] = [];
    for (let x = 20; x < 300; x++) {
      const y = 60 + Math.round(x * 0.4);
      for (const yy of [y, y + 1]) {
        line.push(yy * w + x);
        img.data.set([8, 8, 8], (yy * w + x) * 3);
      }
    }
    const opts = { dust: true, scratches: true, sensitivity: 50 };
    const m = detectDefects(img, opts);
    const hit = line.filter((i) => m[i]).length;
    expect(hit / line.length).toBeGreaterThan(0.8);
    const fp = detectDefects(clean, opts).reduce((a, v) => a + v, 0);
    expect(fp / (w * h)).toBeLessThan(0.001);
  });

  it('leaves a thin bright rim between a dark and a light surface alone (the top-hat alone took all of it), and finds a scratch across it', () => {
    const w = 240, h = 160;
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = y === 80 || y === 81 ? 240 : y < 80 ? 50 : 170;
        data.set([v, v, v], (y * w + x) * 3);
      }
    }
    const rim: PixelBuffer = { data, width: w, height: h, channels: 3 };
    const opts = { dust: true, scratches: true, sensitivity: 50 };
    const onRim = detectDefects(rim, opts);
    let flagged = 0;
    for (let x = 0; x < w; x++) flagged += onRim[80 * w + x]! + onRim[81 * w + x]!;
    expect(flagged / (2 * w)).toBeLessThan(0.05);
    const scratched = { ...rim, data: Uint8Array.from(data) };
    const col: number[] = [];
    for (let y = 0; y < h; y++) {
      col.push(y * w + 120);
      scratched.data.set([255, 255, 255], (y * w + 120) * 3);
    }
    const m = detectDefects(scratched, opts);
    expect(col.filter((i) => m[i]).length / col.length).toBeGreaterThan(0.9);
  });
});
