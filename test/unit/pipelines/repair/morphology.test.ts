import { describe, expect, it } from 'vitest';
import { boxMean, dilate, erode, makePlane } from '../../../../src-main/pipelines/repair/morphology';

function noise(w: number, h: number, seed: number) {
  const p = makePlane(w, h);
  let s = seed;
  for (let i = 0; i < p.data.length; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    p.data[i] = s / 2 ** 31;
  }
  return p;
}

// Independent reference: the window scanned pixel by pixel.
function brute(p: ReturnType<typeof makePlane>, r: number, x: number, y: number) {
  let mn = Infinity, mx = -Infinity, sum = 0, n = 0;
  for (let yy = Math.max(0, y - r); yy <= Math.min(p.h - 1, y + r); yy++) {
    for (let xx = Math.max(0, x - r); xx <= Math.min(p.w - 1, x + r); xx++) {
      const v = p.data[yy * p.w + xx]!;
      mn = Math.min(mn, v);
      mx = Math.max(mx, v);
      sum += v;
      n++;
    }
  }
  return { mn, mx, mean: sum / n };
}

describe('square morphology and box means', () => {
  it.each([1, 2, 4, 7])('match a brute-force window scan at radius %i, borders clipped', (r) => {
    const p = noise(29, 17, r);
    const e = erode(p, r), d = dilate(p, r), m = boxMean(p, r);
    for (let y = 0; y < p.h; y++) {
      for (let x = 0; x < p.w; x++) {
        const b = brute(p, r, x, y);
        expect(e.data[y * p.w + x]).toBe(Math.fround(b.mn));
        expect(d.data[y * p.w + x]).toBe(Math.fround(b.mx));
        expect(m.data[y * p.w + x]).toBeCloseTo(b.mean, 5);
      }
    }
  });
});
