/**
 * Between interleaved pixel buffers and the float planes the repair stages work on, one tile at a time so memory
 * stays bounded by the tile, not the photo.
 */
import type { PixelBuffer } from '../../pixels/types';
import type { Rect } from '../../pixels/rect';
import { planTiles } from '../../tiling/plan';
import { makePlane, type Plane } from './morphology';

/** Full scale of the buffer's samples: 255 or 65535. */
export function fullScale(img: PixelBuffer): number {
  return img.data instanceof Uint16Array ? 65535 : 255;
}

/** Rec. 709 luma of `rect`, in 0–1 (on the encoded values: defects are judged as they look). */
export function lumaOf(img: PixelBuffer, rect: Rect): Plane {
  const p = makePlane(rect.w, rect.h);
  const s = 1 / fullScale(img);
  const c = img.channels;
  for (let y = 0; y < rect.h; y++) {
    let i = ((rect.y + y) * img.width + rect.x) * c;
    let o = y * rect.w;
    for (let x = 0; x < rect.w; x++, i += c, o++) {
      p.data[o] = (0.2126 * img.data[i]! + 0.7152 * img.data[i + 1]! + 0.0722 * img.data[i + 2]!) * s;
    }
  }
  return p;
}

/** A tile for the repair stages: the pixels it decides (`core`) and the context it reads (`source`). */
export interface RepairTile {
  core: Rect;
  source: Rect;
}

/**
 * Tiles of at most `tile`² pixels whose context reaches `halo` pixels beyond the core (clamped to the image). Cores
 * do not depend on the photo's content, so a result never depends on anything but the pixels and the options.
 */
export function repairTiles(width: number, height: number, tile: number, halo: number): RepairTile[] {
  return planTiles({ width, height, tile, overlap: 0, pad: halo, scale: 1 }).map((t) => ({ core: t.core, source: t.source }));
}

/**
 * The darkest and the brightest channel of `rect`, in 0–1. A white speck over a saturated colour barely moves the
 * luma but lifts the darkest channel a lot (and a dark speck drops the brightest), so defects are judged on these.
 */
export function channelExtremes(img: PixelBuffer, rect: Rect): { lo: Plane; hi: Plane } {
  const lo = makePlane(rect.w, rect.h);
  const hi = makePlane(rect.w, rect.h);
  const s = 1 / fullScale(img);
  const c = img.channels;
  for (let y = 0; y < rect.h; y++) {
    let i = ((rect.y + y) * img.width + rect.x) * c;
    let o = y * rect.w;
    for (let x = 0; x < rect.w; x++, i += c, o++) {
      const r = img.data[i]!, g = img.data[i + 1]!, b = img.data[i + 2]!;
      lo.data[o] = (r < g ? (r < b ? r : b) : g < b ? g : b) * s;
      hi.data[o] = (r > g ? (r > b ? r : b) : g > b ? g : b) * s;
    }
  }
  return { lo, hi };
}
