/**
 * Stage 1 of repair — detection → a defect mask (1 = repair), tile by tile:
 *   1. planes    — the darkest and the brightest channel of the tile and its halo
 *   2. top-hats  — bright (darkest − its opening) and dark (closing of the brightest − brightest) structures
 *                  narrower than the element: dust up
 *                  to ~8 px across and lines up to ~8 px wide, at any orientation, straight or curved
 *   3. threshold — against the local activity (the mean top-hat around the pixel), so texture (foliage, fabric,
 *                  hair) needs far more contrast than a clear sky before it counts; a floor keeps noise out
 *   4. grow      — hysteresis: weak pixels joined to a strong one belong to the defect (soft edges)
 *   5. sort      — each connected defect is dust (compact) or a scratch/crack (long); the options keep either
 *   6. dilate    — by one pixel, so the inpainting starts from clean pixels
 */
import type { PixelBuffer } from '../../pixels/types';
import { throwIfAborted, type ProgressFn } from '../../pixels/types';
import { boxMean, dilate, erode, makePlane, type Plane } from './morphology';
import { channelExtremes, repairTiles } from './planes';

/** Radius of the top-hat element: 9×9, wider than the widest dust (6 px) and scratch (3 px) plus their soft edges. */
const ELEMENT_R = 4;
/** Radius of the activity window. */
const ACTIVITY_R = 12;
/** A defect longer than this (px, on its bounding box's long side) is a scratch or crack, not dust. */
const DUST_MAX_EXTENT = 14;
// Large tiles keep the halo a small, near-constant share of the work whatever the photo's size.
const TILE = 1024;
const HALO = 32;

export interface DetectOptions {
  dust: boolean;
  scratches: boolean;
  /** 0–100. */
  sensitivity: number;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

/** Thresholds for a sensitivity: the contrast × activity factor and the absolute floor (luma units). */
export function thresholdsFor(sensitivity: number): { k: number; floor: number } {
  const s = Math.min(100, Math.max(0, sensitivity)) / 100;
  return { k: 8 - 4 * s, floor: 0.2 - 0.1 * s };
}

/** Top-hat response: how far each pixel stands out above (bright) or below (dark) its surroundings. */
function topHat(lo: Plane, hi: Plane): Plane {
  const open = dilate(erode(lo, ELEMENT_R), ELEMENT_R);
  const close = erode(dilate(hi, ELEMENT_R), ELEMENT_R);
  const out = makePlane(lo.w, lo.h);
  for (let i = 0; i < out.data.length; i++) {
    const bright = lo.data[i]! - open.data[i]!;
    const dark = close.data[i]! - hi.data[i]!;
    out.data[i] = bright > dark ? bright : dark;
  }
  return out;
}

/**
 * The local activity around each pixel: the mean top-hat of its window, leaving out the pixels that already stand out
 * against the plain mean — a scratch must not raise the bar it is measured against.
 */
function backgroundActivity(th: Plane, k: number, floor: number): Plane {
  const first = boxMean(th, ACTIVITY_R);
  const kept = makePlane(th.w, th.h);
  const weight = makePlane(th.w, th.h);
  for (let i = 0; i < th.data.length; i++) {
    const outlier = th.data[i]! >= Math.max(floor, k * first.data[i]!);
    kept.data[i] = outlier ? 0 : th.data[i]!;
    weight.data[i] = outlier ? 0 : 1;
  }
  const sum = boxMean(kept, ACTIVITY_R);
  const share = boxMean(weight, ACTIVITY_R);
  for (let i = 0; i < th.data.length; i++) sum.data[i] = share.data[i]! > 0.05 ? sum.data[i]! / share.data[i]! : first.data[i]!;
  return sum;
}

/** Steps 2–5 over one tile's channel extremes: the tile-sized mask. */
export function detectInPlanes(lo: Plane, hi: Plane, o: Omit<DetectOptions, 'signal' | 'onProgress'>): Uint8Array {
  const th = topHat(lo, hi);
  const { k, floor } = thresholdsFor(o.sensitivity);
  const act = backgroundActivity(th, k, floor);
  const n = lo.w * lo.h;
  // 0 = no, 1 = weak, 2 = strong.
  const level = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const strong = Math.max(floor, k * act.data[i]!);
    const v = th.data[i]!;
    level[i] = v >= strong ? 2 : v >= strong * 0.5 && v >= floor * 0.5 ? 1 : 0;
  }
  return growAndSort(level, lo.w, lo.h, o);
}

/** Steps 4–5: 8-connected components of weak+strong pixels holding a strong one, kept by kind. */
function growAndSort(level: Uint8Array, w: number, h: number, o: { dust: boolean; scratches: boolean }): Uint8Array {
  const mask = new Uint8Array(w * h);
  const seen = new Uint8Array(w * h);
  const stack: number[] = [];
  const members: number[] = [];
  for (let start = 0; start < level.length; start++) {
    if (level[start] !== 2 || seen[start]) continue;
    stack.push(start);
    seen[start] = 1;
    members.length = 0;
    let x0 = w, x1 = 0, y0 = h, y1 = 0;
    while (stack.length) {
      const p = stack.pop()!;
      members.push(p);
      const px = p % w, py = (p - px) / w;
      if (px < x0) x0 = px;
      if (px > x1) x1 = px;
      if (py < y0) y0 = py;
      if (py > y1) y1 = py;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = py + dy;
        if (ny < 0 || ny >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = px + dx;
          if (nx < 0 || nx >= w) continue;
          const q = ny * w + nx;
          if (level[q] && !seen[q]) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
    }
    const isDust = Math.max(x1 - x0, y1 - y0) + 1 <= DUST_MAX_EXTENT;
    if (isDust ? o.dust : o.scratches) for (const p of members) mask[p] = 1;
  }
  return mask;
}

/** Grows a mask by one pixel (8-neighbourhood) in place of a copy. */
export function dilateMask(mask: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) out[yy * w + xx] = 1;
      }
    }
  }
  return out;
}

/** The whole photo's defect mask (1 = repair), one byte per pixel; progress as `detect` tiles. */
export function detectDefects(img: PixelBuffer, o: DetectOptions): Uint8Array {
  const { width: W, height: H } = img;
  const mask = new Uint8Array(W * H);
  const tiles = repairTiles(W, H, TILE, HALO);
  for (const [i, t] of tiles.entries()) {
    throwIfAborted(o.signal);
    const s = t.source;
    const { lo, hi } = channelExtremes(img, s);
    const local = dilateMask(detectInPlanes(lo, hi, o), s.w, s.h);
    for (let y = t.core.y; y < t.core.y + t.core.h; y++) {
      const from = (y - s.y) * s.w + (t.core.x - s.x);
      mask.set(local.subarray(from, from + t.core.w), y * W + t.core.x);
    }
    o.onProgress?.({ stage: 'detect', done: i + 1, total: tiles.length });
  }
  return mask;
}
