/**
 * Stage 2 of repair — classical inpainting of the masked pixels, tile by tile (after Telea, "An image inpainting
 * technique based on the fast marching method", 2004):
 *   1. order   — distance of every masked pixel to the known ones (chessboard, breadth-first), so the hole is
 *                filled from its rim inwards, one ring at a time
 *   2. fill    — each pixel of a ring is the weighted mean of the known or already-filled pixels within `RADIUS`:
 *                nearer pixels, pixels on the same ring and pixels along the fill direction count more
 * Each ring reads only earlier rings, so the result does not depend on the visiting order within a ring. Holes much
 * wider than the halo come out blurred and are reported: they are what an inpaint pack is for.
 */
import type { PixelBuffer } from '../../pixels/types';
import { throwIfAborted, type ProgressFn } from '../../pixels/types';
import type { Rect } from '../../pixels/rect';
import { repairTiles } from './planes';

const RADIUS = 4;
// Large tiles keep the halo a small, near-constant share of the work whatever the photo's size.
const TILE = 1024;
const HALO = 40;

export interface InpaintOptions {
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

export interface InpaintResult {
  image: PixelBuffer;
  /** The most rings any hole needed; above large-holes.ts's PACK_HOLE_RINGS the fill of its middle is a blur. */
  maxRings: number;
}

/** Ring index per pixel of the region: 0 known, k ≥ 1 the k-th ring inwards, -1 unreachable (all masked). */
function rings(mask: Uint8Array, w: number, h: number): { ring: Int32Array; order: number[] } {
  const ring = new Int32Array(w * h).fill(-1);
  let frontier: number[] = [];
  for (let i = 0; i < ring.length; i++) if (!mask[i]) ring[i] = 0;
  for (let i = 0; i < ring.length; i++) {
    if (ring[i] !== -1) continue;
    const x = i % w, y = (i - x) / w;
    if (hasNeighbour(ring, w, h, x, y, 0)) {
      ring[i] = 1;
      frontier.push(i);
    }
  }
  const order: number[] = [];
  for (let k = 1; frontier.length; k++) {
    for (const p of frontier) order.push(p);
    const next: number[] = [];
    for (const p of frontier) {
      const x = p % w, y = (p - x) / w;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) {
          const q = yy * w + xx;
          if (ring[q] === -1) {
            ring[q] = k + 1;
            next.push(q);
          }
        }
      }
    }
    frontier = next;
  }
  return { ring, order };
}

function hasNeighbour(ring: Int32Array, w: number, h: number, x: number, y: number, value: number): boolean {
  for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
    for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) if (ring[yy * w + xx] === value) return true;
  }
  return false;
}

/** The fill direction at p: the gradient of the ring index (central differences over pixels that have one). */
function direction(ring: Int32Array, w: number, h: number, x: number, y: number): [number, number] {
  const at = (xx: number, yy: number): number => {
    if (xx < 0 || yy < 0 || xx >= w || yy >= h) return ring[y * w + x]!;
    const r = ring[yy * w + xx]!;
    return r < 0 ? ring[y * w + x]! : r;
  };
  const gx = (at(x + 1, y) - at(x - 1, y)) / 2;
  const gy = (at(x, y + 1) - at(x, y - 1)) / 2;
  const n = Math.hypot(gx, gy);
  return n > 0 ? [gx / n, gy / n] : [0, 0];
}

/** Fills one region in place: `px` holds its samples as floats (3 per pixel), `mask` its masked pixels. */
export function inpaintRegion(px: Float32Array, mask: Uint8Array, w: number, h: number): number {
  const { ring, order } = rings(mask, w, h);
  let maxRing = 0;
  for (const p of order) {
    const x = p % w, y = (p - x) / w;
    const t = ring[p]!;
    if (t > maxRing) maxRing = t;
    const [nx, ny] = direction(ring, w, h, x, y);
    let sw = 0, r = 0, g = 0, b = 0;
    for (let yy = Math.max(0, y - RADIUS); yy <= Math.min(h - 1, y + RADIUS); yy++) {
      for (let xx = Math.max(0, x - RADIUS); xx <= Math.min(w - 1, x + RADIUS); xx++) {
        const q = yy * w + xx;
        const tq = ring[q]!;
        if (tq < 0 || tq >= t) continue;
        const dx = x - xx, dy = y - yy;
        const d2 = dx * dx + dy * dy;
        if (d2 > RADIUS * RADIUS) continue;
        const dir = Math.abs(dx * nx + dy * ny) / Math.sqrt(d2) + 0.05;
        const wq = (dir / d2) / (1 + t - tq);
        sw += wq;
        r += wq * px[q * 3]!;
        g += wq * px[q * 3 + 1]!;
        b += wq * px[q * 3 + 2]!;
      }
    }
    if (sw > 0) {
      px[p * 3] = r / sw;
      px[p * 3 + 1] = g / sw;
      px[p * 3 + 2] = b / sw;
    }
  }
  return maxRing;
}

function readRegion(img: PixelBuffer, s: Rect): Float32Array {
  const out = new Float32Array(s.w * s.h * 3);
  const c = img.channels;
  for (let y = 0; y < s.h; y++) {
    for (let x = 0; x < s.w; x++) {
      const i = ((s.y + y) * img.width + s.x + x) * c;
      const o = (y * s.w + x) * 3;
      out[o] = img.data[i]!;
      out[o + 1] = img.data[i + 1]!;
      out[o + 2] = img.data[i + 2]!;
    }
  }
  return out;
}

function coreHasMask(mask: Uint8Array, W: number, core: Rect): boolean {
  for (let y = core.y; y < core.y + core.h; y++) {
    const row = y * W;
    for (let x = core.x; x < core.x + core.w; x++) if (mask[row + x]) return true;
  }
  return false;
}

/** A copy of `img` with the pixels where `mask` is set filled from their surroundings; progress as `inpaint`. */
export function inpaint(img: PixelBuffer, mask: Uint8Array, o: InpaintOptions = {}): InpaintResult {
  const { width: W, height: H, channels: c } = img;
  const out = { ...img, data: img.data.slice() };
  const max = img.data instanceof Uint16Array ? 65535 : 255;
  const tiles = repairTiles(W, H, TILE, HALO);
  let maxRings = 0;
  for (const [i, t] of tiles.entries()) {
    throwIfAborted(o.signal);
    if (coreHasMask(mask, W, t.core)) {
      const s = t.source;
      const local = new Uint8Array(s.w * s.h);
      for (let y = 0; y < s.h; y++) local.set(mask.subarray((s.y + y) * W + s.x, (s.y + y) * W + s.x + s.w), y * s.w);
      const px = readRegion(img, s);
      maxRings = Math.max(maxRings, inpaintRegion(px, local, s.w, s.h));
      for (let y = t.core.y; y < t.core.y + t.core.h; y++) {
        for (let x = t.core.x; x < t.core.x + t.core.w; x++) {
          if (!mask[y * W + x]) continue;
          const li = ((y - s.y) * s.w + (x - s.x)) * 3;
          const oi = (y * W + x) * c;
          for (let ch = 0; ch < 3; ch++) out.data[oi + ch] = Math.min(max, Math.max(0, Math.round(px[li + ch]!)));
        }
      }
    }
    o.onProgress?.({ stage: 'inpaint', done: i + 1, total: tiles.length });
  }
  return { image: out, maxRings };
}
