import { describe, expect, it } from 'vitest';
import { findLargeHoles, holeDepth, PACK_HOLE_RINGS } from '../../../../src-main/pipelines/repair/large-holes';
import { resamplePlanes } from '../../../../src-main/pipelines/repair/resample';
import { rng } from '../../../support/random';

/** Chessboard distance to the nearest unmasked pixel, by brute force (an independent computation). */
function bruteDepth(mask: Uint8Array, w: number, h: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) {
        out.push(0);
        continue;
      }
      let best = 255;
      for (let yy = 0; yy < h; yy++) for (let xx = 0; xx < w; xx++) if (!mask[yy * w + xx]) best = Math.min(best, Math.max(Math.abs(xx - x), Math.abs(yy - y)));
      out.push(best);
    }
  }
  return out;
}

describe('hole depth and large holes', () => {
  it('gives every masked pixel its chessboard distance to the known pixels', () => {
    const w = 40, h = 30, r = rng(7);
    const mask = new Uint8Array(w * h);
    // Random blobs of several sizes, one touching the border.
    for (let k = 0; k < 6; k++) {
      const cx = Math.floor(r() * w), cy = Math.floor(r() * h), rad = 1 + Math.floor(r() * 8);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (Math.max(Math.abs(x - cx), Math.abs(y - cy)) < rad) mask[y * w + x] = 1;
    }
    for (let y = 0; y < 10; y++) for (let x = 0; x < 12; x++) mask[y * w + x] = 1;
    expect(Array.from(holeDepth(mask, w, h))).toEqual(bruteDepth(mask, w, h));
  });

  it('takes the regions deeper than the threshold with their rim, and leaves long thin scratches alone even where they run into a tear', () => {
    const w = 200, h = 120;
    const mask = new Uint8Array(w * h);
    // A 3-px-wide scratch across the photo, a 5×5 speck, and a 30×24 tear with a 1-px tail.
    for (let y = 10; y < 13; y++) for (let x = 0; x < w; x++) mask[y * w + x] = 1;
    for (let y = 40; y < 45; y++) for (let x = 20; x < 25; x++) mask[y * w + x] = 1;
    for (let y = 60; y < 84; y++) for (let x = 100; x < 130; x++) mask[y * w + x] = 1;
    for (let x = 130; x < 150; x++) mask[70 * w + x] = 1;
    const { holes } = findLargeHoles(mask, w, h);
    expect(holes).toHaveLength(1);
    // The tear's core (deeper than 8: x 108–121) reaches 9 steps out: the whole tear and the tail's first pixel (x 130).
    expect(holes[0]!.box).toEqual({ x: 100, y: 60, w: 31, h: 24 });
    expect(holes[0]!.pixels.length).toBe(30 * 24 + 1);
    // Two tears joined by a long scratch are two holes, and the scratch between them is not in either.
    const two = new Uint8Array(w * h);
    for (let y = 50; y < 80; y++) for (let x = 10; x < 40; x++) two[y * w + x] = two[y * w + x + 140] = 1;
    for (let x = 40; x < 150; x++) two[65 * w + x] = 1;
    const split = findLargeHoles(two, w, h).holes;
    // Each core (8 in from its edges) reaches 9 steps out: one scratch pixel beyond each tear.
    expect(split.map((hole) => hole.box)).toEqual([{ x: 10, y: 50, w: 31, h: 30 }, { x: 149, y: 50, w: 31, h: 30 }]);
    // A tear exactly 2·threshold wide is threshold deep: still classical.
    const edge = new Uint8Array(w * h);
    for (let y = 20; y < 20 + 2 * PACK_HOLE_RINGS; y++) for (let x = 20; x < 80; x++) edge[y * w + x] = 1;
    expect(findLargeHoles(edge, w, h).holes).toHaveLength(0);
  });
});

describe('resamplePlanes', () => {
  it('keeps a constant constant, and a linear ramp linear inside when enlarging', () => {
    const c = new Float32Array(2 * 9 * 7).fill(0.375);
    for (const v of resamplePlanes(c, 2, 9, 7, 31, 4)) expect(v).toBeCloseTo(0.375, 6);
    const ramp = Float32Array.from({ length: 10 * 3 }, (_, i) => (i % 10) / 10);
    const up = resamplePlanes(ramp, 1, 10, 3, 40, 3);
    // Output pixel o samples the source at (o + 0.5)/4 − 0.5; away from the edges the bilinear value is that / 10.
    for (let o = 4; o < 36; o++) expect(up[40 + o]).toBeCloseTo(((o + 0.5) / 4 - 0.5) / 10, 5);
  });
});
