/**
 * Which masked regions are large holes (tears, missing corners) for an inpainting pack, and which stay with the
 * classical fill:
 *   1. depth — every masked pixel's chessboard distance to the nearest known pixel (two passes; the ring the
 *              classical fill would reach it on)
 *   2. holes — the pixels deeper than {@link PACK_HOLE_RINGS} (the cores) and the masked pixels within that many
 *              rings + 1 of them, grouped 8-connected: a tear with its rim, without the rest of a scratch that runs
 *              into it (the scratch stays classical)
 * Depth, not area, decides: a scratch a thousand pixels long but three wide is two rings deep, and the classical fill
 * handles it perfectly; a blob 20 px across is ten rings deep, and the middle of its classical fill is a blur.
 */
import type { Rect } from '../../pixels/rect';

/**
 * Regions deeper than this many rings (over ~16 px across at their widest) go to the pack. The detector's defects —
 * specks up to 6 px and scratches up to 3 px wide, grown by a pixel or two — are at most ~5 rings deep, so they
 * always stay classical; the classical fill reads 4 px around each pixel, so beyond twice that its middle holds no
 * texture, only an average of averages.
 */
export const PACK_HOLE_RINGS = 8;

/** One large hole: its bounding box and its pixels (row-major indices into the photo). */
export interface Hole {
  box: Rect;
  pixels: Int32Array;
}

/**
 * Chessboard distance of every masked pixel to the nearest unmasked one (0 for unmasked pixels; saturates at 255).
 * Outside the photo counts as unknown, so a missing corner is as deep as its distance from the photo's own pixels.
 */
export function holeDepth(mask: Uint8Array, w: number, h: number): Uint8Array {
  const d = new Uint8Array(w * h);
  const FAR = 255;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!mask[i]) continue;
      let m = FAR;
      if (x > 0) m = Math.min(m, d[i - 1]!);
      if (y > 0) {
        m = Math.min(m, d[i - w]!);
        if (x > 0) m = Math.min(m, d[i - w - 1]!);
        if (x < w - 1) m = Math.min(m, d[i - w + 1]!);
      }
      d[i] = Math.min(FAR, m + 1);
    }
  }
  for (let y = h - 1; y >= 0; y--) {
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      if (!mask[i]) continue;
      let m = d[i]! - 1;
      if (x < w - 1) m = Math.min(m, d[i + 1]!);
      if (y < h - 1) {
        m = Math.min(m, d[i + w]!);
        if (x < w - 1) m = Math.min(m, d[i + w + 1]!);
        if (x > 0) m = Math.min(m, d[i + w - 1]!);
      }
      d[i] = Math.min(FAR, m + 1);
    }
  }
  return d;
}

/**
 * The pixels a large hole's fill covers: multi-source breadth-first from every pixel deeper than `minRings`, through
 * masked pixels, up to `minRings + 1` steps — the deep core and the rim around it, but not the far reaches of a
 * scratch that runs into a tear (those stay classical, with the filled tear as their context). 1 = taken.
 */
function takeAroundCores(mask: Uint8Array, depth: Uint8Array, w: number, h: number, minRings: number): Uint8Array | undefined {
  let take: Uint8Array | undefined;
  let frontier: number[] = [];
  for (let i = 0; i < depth.length; i++) {
    if (depth[i]! <= minRings) continue;
    take ??= new Uint8Array(w * h);
    take[i] = 1;
    frontier.push(i);
  }
  if (!take) return undefined;
  for (let step = 0; step <= minRings && frontier.length; step++) {
    const next: number[] = [];
    for (const p of frontier) {
      const x = p % w, y = (p - x) / w;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) {
          const q = yy * w + xx;
          if (mask[q] && !take[q]) {
            take[q] = 1;
            next.push(q);
          }
        }
      }
    }
    frontier = next;
  }
  return take;
}

/** The 8-connected group of taken pixels around `seed`; its pixels are marked 2 (done) in `take`. */
function floodHole(take: Uint8Array, w: number, h: number, seed: number): Hole {
  const pixels: number[] = [seed];
  take[seed] = 2;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let k = 0; k < pixels.length; k++) {
    const p = pixels[k]!;
    const x = p % w, y = (p - x) / w;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
      for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) {
        const q = yy * w + xx;
        if (take[q] === 1) {
          take[q] = 2;
          pixels.push(q);
        }
      }
    }
  }
  return { box: { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 }, pixels: Int32Array.from(pixels) };
}

/** The large holes of `mask` in scan order of their first pixel, with the depth map they were judged on. */
export function findLargeHoles(mask: Uint8Array, w: number, h: number, minRings = PACK_HOLE_RINGS): { holes: Hole[]; depth: Uint8Array } {
  const depth = holeDepth(mask, w, h);
  const take = takeAroundCores(mask, depth, w, h, minRings);
  const holes: Hole[] = [];
  if (take) for (let i = 0; i < take.length; i++) if (take[i] === 1) holes.push(floodHole(take, w, h, i));
  return { holes, depth };
}
