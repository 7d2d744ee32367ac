/**
 * Stage 1 of repair — detection → a defect mask (1 = repair), tile by tile:
 *   1. planes    — the darkest and the brightest channel of the tile and its halo
 *   2. top-hats  — bright (darkest − its opening) and dark (closing of the brightest − brightest) structures
 *                  narrower than the element: dust up to ~8 px across, at any orientation
 *   3. threshold — against the local activity (the mean top-hat around the pixel), so texture (foliage, fabric,
 *                  hair) needs far more contrast than a clear sky before it counts; a floor keeps noise out
 *   4. lines     — thin (5×5) residuals as a share of the way to white or black, averaged along 30 px segments in
 *                  16 directions at half resolution (lines.ts): a scratch stands out of texture along its length where
 *                  single pixels do not; kept only when it stands out of both sides and the two sides are alike (a
 *                  rim or a gunwale runs between two different surfaces)
 *   5. grow      — hysteresis: weak pixels joined to a strong or line pixel belong to the defect (soft edges)
 *   6. sort      — each connected defect is dust (compact) or a scratch/crack (long); a long one is kept whole only
 *                  when line evidence carries it, else only its line pixels; the options keep either kind
 *   7. dilate    — by one pixel, so the inpainting starts from clean pixels
 * The line thresholds were set on the tuning photos and the first held-out pair of test/bench/repair/PHOTOS.md; the
 * second held-out set was not looked at while setting them.
 */
import type { PixelBuffer } from '../../pixels/types';
import { throwIfAborted, type ProgressFn } from '../../pixels/types';
import { boxMean, dilate, erode, makePlane, type Plane } from './morphology';
import { channelExtremes, repairTiles } from './planes';
import { halve, lineResponse, sideContrast } from './lines';

/** Radius of the top-hat element: 9×9, wider than the widest dust (6 px) and scratch (3 px) plus their soft edges. */
const ELEMENT_R = 4;
/** Radius of the line residuals' element: 5×5, a 3 px scratch and its soft edges. */
const LINE_ELEMENT_R = 2;
/** Share of a long component's pixels that line evidence must carry for the whole component to be kept. */
const LINE_SHARE = 0.3;
/** Keeps the share finite next to pure white or black (0–1 units). */
const HEADROOM = 0.03;
/** Radius of the activity window. */
const ACTIVITY_R = 12;
/** A defect longer than this (px, on its bounding box's long side) is a scratch or crack, not dust. */
const DUST_MAX_EXTENT = 14;
/** Line evidence (lines.ts): segment contrast over the local activity, at sensitivity 0 and its fall to 100. */
const LINE_K: [number, number] = [2.5, 1.25];
/** The segment contrast's floor (share of the way to white or black) at sensitivity 0 and its fall to 100. */
const LINE_FLOOR: [number, number] = [0.42, 0.21];
/** A line must stand out of its nearer side by this share of its segment contrast (a highlight along an edge does not). */
const LINE_SIDES = 0.5;
/** A line whose sides differ by more than this share of how far it stands out of them runs between two surfaces. */
const LINE_UNLIKE = 0.5;
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

/**
 * Top-hat residuals: how far each pixel stands out above (bright) and below (dark) its surroundings, for structures
 * narrower than a (2r+1)² square.
 */
function topHats(lo: Plane, hi: Plane, r: number): { bright: Plane; dark: Plane } {
  const bright = dilate(erode(lo, r), r);
  const dark = erode(dilate(hi, r), r);
  for (let i = 0; i < bright.data.length; i++) {
    bright.data[i] = lo.data[i]! - bright.data[i]!;
    dark.data[i] = dark.data[i]! - hi.data[i]!;
  }
  return { bright, dark };
}

/**
 * Thin residuals as a share of the way to white (bright) or to black (dark): a scratch takes the emulsion off or
 * lays dirt on, going most of the way to an extreme whatever the surface under it, where a grain line or a vein
 * shades its surface by a fraction. A dark crack over a dark forest is faint in levels but not in this measure.
 */
function towardExtremes(lo: Plane, hi: Plane, r: number): { bright: Plane; dark: Plane } {
  const { bright, dark } = topHats(lo, hi, r);
  for (let i = 0; i < bright.data.length; i++) {
    bright.data[i] = bright.data[i]! / (1 - lo.data[i]! + bright.data[i]! + HEADROOM);
    dark.data[i] = dark.data[i]! / (hi.data[i]! + dark.data[i]! + HEADROOM);
  }
  return { bright, dark };
}

/**
 * The local activity around each pixel: the mean top-hat of its window, leaving out the pixels that already stand out
 * against the plain mean — a scratch must not raise the bar it is measured against.
 */
function backgroundActivity(th: Plane, k: number, floor: number, radius = ACTIVITY_R): Plane {
  const first = boxMean(th, radius);
  const kept = makePlane(th.w, th.h);
  const weight = makePlane(th.w, th.h);
  for (let i = 0; i < th.data.length; i++) {
    const outlier = th.data[i]! >= Math.max(floor, k * first.data[i]!);
    kept.data[i] = outlier ? 0 : th.data[i]!;
    weight.data[i] = outlier ? 0 : 1;
  }
  const sum = boxMean(kept, radius);
  const share = boxMean(weight, radius);
  for (let i = 0; i < th.data.length; i++) sum.data[i] = share.data[i]! > 0.05 ? sum.data[i]! / share.data[i]! : first.data[i]!;
  return sum;
}

/** Steps 2–5 over one tile's channel extremes: the tile-sized mask. */
export function detectInPlanes(lo: Plane, hi: Plane, o: Omit<DetectOptions, 'signal' | 'onProgress'>): Uint8Array {
  const { bright, dark } = topHats(lo, hi, ELEMENT_R);
  const th = makePlane(lo.w, lo.h);
  for (let i = 0; i < th.data.length; i++) th.data[i] = Math.max(bright.data[i]!, dark.data[i]!);
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
  if (o.scratches) {
    const line = lineThresholdsFor(o.sensitivity);
    const planes = { lo: halve(lo), hi: halve(hi) };
    // A narrower element for lines: scratches are at most 3 px wide, and a white rim 8 px wide is not one.
    const thin = towardExtremes(lo, hi, LINE_ELEMENT_R);
    seedLines(thin.bright, 1, planes, line, level);
    seedLines(thin.dark, -1, planes, line, level);
  }
  return growAndSort(level, lo.w, lo.h, o);
}

/** Thresholds of the line evidence for a sensitivity: segment contrast × activity factor, floor, side share. */
export function lineThresholdsFor(sensitivity: number): { k: number; floor: number; sides: number } {
  const s = Math.min(100, Math.max(0, sensitivity)) / 100;
  return { k: LINE_K[0] - LINE_K[1] * s, floor: LINE_FLOOR[0] - LINE_FLOOR[1] * s, sides: LINE_SIDES };
}

/**
 * Marks as strong the pixels of lines that stand out of their texture along a segment (see lines.ts) and have the same
 * surface on both sides; `half` holds the tile's channel extremes at half resolution.
 */
type LineThresholds = ReturnType<typeof lineThresholdsFor>;

function seedLines(res: Plane, sign: 1 | -1, half: { lo: Plane; hi: Plane }, t: LineThresholds, level: Uint8Array): void {
  const r2 = halve(res);
  const act = backgroundActivity(r2, t.k, t.floor, ACTIVITY_R >> 1);
  const need = makePlane(r2.w, r2.h);
  for (let i = 0; i < need.data.length; i++) need.data[i] = Math.max(t.floor, t.k * act.data[i]!);
  const cap = makePlane(r2.w, r2.h);
  for (let i = 0; i < cap.data.length; i++) cap.data[i] = act.data[i]! + 2 * need.data[i]!;
  const { mean, dir } = lineResponse(r2, cap);
  for (let y = 0; y < r2.h; y++) {
    for (let x = 0; x < r2.w; x++) {
      const i = y * r2.w + x, m = mean.data[i]!;
      if (m - act.data[i]! < need.data[i]!) continue;
      // Judged on both extremes: a dark line between a white rim and a blue body has like sides in the brightest
      // channel only.
      const own = sideContrast(sign > 0 ? half.lo : half.hi, x, y, dir[i]!, sign);
      const other = sideContrast(sign > 0 ? half.hi : half.lo, x, y, dir[i]!, sign);
      const unlike = Math.max(own.unlike, other.unlike);
      const share = own.excess / ((sign > 0 ? 1 - own.near : own.near) + HEADROOM);
      if (share < t.sides * (m - act.data[i]!) || unlike > LINE_UNLIKE * own.excess) continue;
      for (let yy = 2 * y; yy < Math.min(res.h, 2 * y + 2); yy++) {
        for (let xx = 2 * x; xx < Math.min(res.w, 2 * x + 2); xx++) {
          const p = yy * res.w + xx;
          if (res.data[p]! >= 0.5 * m) level[p] = 3;
        }
      }
    }
  }
}

/** Steps 4–5: 8-connected components of weak, strong and line pixels holding a strong or line one, kept by kind. */
function growAndSort(level: Uint8Array, w: number, h: number, o: { dust: boolean; scratches: boolean }): Uint8Array {
  const mask = new Uint8Array(w * h);
  const seen = new Uint8Array(w * h);
  const stack: number[] = [];
  const members: number[] = [];
  for (let start = 0; start < level.length; start++) {
    if (level[start]! < 2 || seen[start]) continue;
    stack.push(start);
    seen[start] = 1;
    members.length = 0;
    let lines = 0;
    let x0 = w, x1 = 0, y0 = h, y1 = 0;
    while (stack.length) {
      const p = stack.pop()!;
      members.push(p);
      if (level[p] === 3) lines++;
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
    if (isDust ? !o.dust : !o.scratches) continue;
    // A long component must be carried by line evidence (thin, standing out of like sides): a rim or a grain line the
    // top-hat alone finds keeps only the pixels the line evidence vouched for.
    const whole = isDust || lines >= LINE_SHARE * members.length;
    for (const p of members) if (whole || level[p] === 3) mask[p] = 1;
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
