/**
 * The faces pipeline's shared bilinear sampler, the warp to the template built on it, and the detector's pyramid,
 * each against an independent computation: bilinear interpolation reproduces a function of the form
 * α + βx + γy + δxy exactly, so sampling such an image anywhere must give the function's value there.
 */
import { describe, expect, it } from 'vitest';
import { applySimilarity, invertSimilarity, warpToTemplate, type Similarity } from '../../../../src-main/pipelines/faces/align';
import { sampleBilinear3 } from '../../../../src-main/pipelines/faces/bilinear';
import { buildPyramid } from '../../../../src-main/pipelines/faces/pyramid';
import { rng } from '../../../support/random';

const W = 37;
const H = 23;
/** Channel c of the test function at pixel-index position (x, y). */
const f = (c: number, x: number, y: number): number => 40 + 10 * c + 3 * x + 5 * y + (c + 1) * x * y;

function imageOf<T extends Uint16Array | Float32Array>(make: (n: number) => T, channels: 3 | 4): { data: T; width: number; height: number; channels: 3 | 4 } {
  const data = make(W * H * channels);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) data[(y * W + x) * channels + c] = f(c, x, y);
  return { data, width: W, height: H, channels };
}

describe('sampleBilinear3', () => {
  it('reproduces a bilinear function inside the image and the edge value outside (RGBA source, scale and offset)', () => {
    const img = imageOf((n) => new Float32Array(n), 4);
    const rand = rng(7);
    const out = new Float32Array(6);
    let worst = 0;
    for (let k = 0; k < 500; k++) {
      const x = -5 + rand() * (W + 10);
      const y = -5 + rand() * (H + 10);
      sampleBilinear3(img, x, y, out, 3, 0.5, -2);
      const cx = Math.min(Math.max(x, 0), W - 1);
      const cy = Math.min(Math.max(y, 0), H - 1);
      for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(out[3 + c]! - (0.5 * f(c, cx, cy) - 2)));
    }
    expect(worst).toBeLessThan(1e-3);
    expect([...out.slice(0, 3)]).toEqual([0, 0, 0]); // writes only at the offset it is given
  });

  it('returns the pixel itself at integer positions, the last row and column included', () => {
    const img = imageOf((n) => new Uint16Array(n), 3);
    const out = new Float32Array(3);
    for (const [x, y] of [[0, 0], [W - 1, H - 1], [W - 1, 4], [6, H - 1]] as const) {
      sampleBilinear3(img, x, y, out, 0);
      expect([...out]).toEqual([0, 1, 2].map((c) => f(c, x, y)));
    }
  });
});

describe('warpToTemplate', () => {
  it('shows at each template pixel the photo at the inverse transform of its centre', () => {
    const img = imageOf((n) => new Uint16Array(n), 3);
    // Turned by 0.4 rad, shrunk so the 16 px template falls inside the photo.
    const t: Similarity = { a: 0.9 * Math.cos(0.4), b: 0.9 * Math.sin(0.4), tx: -6, ty: -1 };
    const size = 16;
    const warped = warpToTemplate(img, t, size);
    const inv = invertSimilarity(t);
    let worst = 0;
    let inside = 0;
    for (let v = 0; v < size; v++) {
      for (let u = 0; u < size; u++) {
        const [x, y] = applySimilarity(inv, u + 0.5, v + 0.5).map((p) => p - 0.5) as [number, number];
        if (x < 0 || y < 0 || x > W - 1 || y > H - 1) continue;
        inside++;
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(warped[(v * size + u) * 3 + c]! * 65535 - f(c, x, y)));
      }
    }
    expect(inside).toBeGreaterThan(150);
    expect(worst).toBeLessThan(0.01);
  });
});

describe('buildPyramid', () => {
  it("halves by 2×2 means in the photo's sample type (rounded), down to the minimum side", () => {
    const rand = rng(3);
    const width = 64;
    const height = 42;
    const data = Uint8Array.from({ length: width * height * 4 }, () => Math.floor(rand() * 256));
    const levels = buildPyramid({ data, width, height, channels: 4 }, 16);
    expect(levels.map((l) => [l.width, l.height, l.factor])).toEqual([[64, 42, 1], [32, 21, 2], [16, 10, 4]]);
    const l1 = levels[1]!;
    expect(l1.data).toBeInstanceOf(Uint8Array);
    expect(l1.toByte).toBe(1);
    let worst = 0;
    for (let y = 0; y < l1.height; y++) {
      for (let x = 0; x < l1.width; x++) {
        for (let c = 0; c < 3; c++) {
          const at = (dx: number, dy: number): number => data[((2 * y + dy) * width + 2 * x + dx) * 4 + c]!;
          const mean = (at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1)) / 4;
          worst = Math.max(worst, Math.abs(l1.data[(y * l1.width + x) * 3 + c]! - mean));
        }
      }
    }
    expect(worst).toBeLessThanOrEqual(0.5);
  });
});
