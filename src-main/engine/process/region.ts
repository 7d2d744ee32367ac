/**
 * The region preview's crop: the rectangle the user drew, clamped to the photo, cut out of the decoded pixels. Done
 * here, in the engine process, so Electron main never holds a decoded photo.
 */
import type { Rect } from '../../pixels/rect';
import type { PixelBuffer } from '../../pixels/types';
import { EngineError } from '../engine-error';
import { ENGINE_ERROR_CODES } from '../protocol';

/**
 * The part of `rect` inside a `width`×`height` image: a rectangle that starts inside the photo is cut at its edges;
 * one that starts outside it is refused with INVALID_REGION.
 */
export function clampRegion(rect: { x: number; y: number; width: number; height: number }, width: number, height: number): Rect {
  const w = Math.min(rect.width, width - rect.x);
  const h = Math.min(rect.height, height - rect.y);
  if (rect.x < 0 || rect.y < 0 || w < 1 || h < 1) {
    throw new EngineError(
      ENGINE_ERROR_CODES.INVALID_REGION,
      `region ${rect.width}×${rect.height} at ${rect.x},${rect.y} is outside the ${width}×${height} photo`,
    );
  }
  return { x: rect.x, y: rect.y, w, h };
}

/** The pixels of `r` (inside `img`) as a new buffer of the same depth and channel count. */
export function cropPixels(img: PixelBuffer, r: Rect): PixelBuffer {
  const c = img.channels;
  const data = img.data instanceof Uint16Array ? new Uint16Array(r.w * r.h * c) : new Uint8Array(r.w * r.h * c);
  for (let row = 0; row < r.h; row++) {
    const from = ((r.y + row) * img.width + r.x) * c;
    data.set(img.data.subarray(from, from + r.w * c), row * r.w * c);
  }
  return { data, width: r.w, height: r.h, channels: c };
}
