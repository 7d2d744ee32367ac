/**
 * The repair pipeline over one photo, the engine's `repair` stage without a pack:
 *   1. mask    — the user's mask when given (white = repair; the detector is not run), else detected (dust and/or
 *                scratches at the sensitivity) when the mode is 'auto', else none
 *   2. inpaint — the masked pixels filled by the classical method (any hole size; wide holes come out soft and are
 *                reported)
 *   3. colour  — fading and casts corrected when asked, blended by strength
 * Every stage is tiled or streamed (memory grows with the photo's pixels only through the photo and its one-byte
 * mask), cancellable between tiles, and reports progress under its own name. Deterministic: the same pixels and
 * options give the same result, bit for bit.
 */
import type { PixelBuffer, ProgressFn } from '../../pixels/types';
import { throwIfAborted } from '../../pixels/types';
import { analyseColour, restoreColour } from './colour-restore';
import { detectDefects } from './detect';
import { inpaint, LARGE_HOLE_RINGS } from './inpaint';
import type { RepairOptions } from './options';

export interface RunRepairOptions extends RepairOptions {
  /** The user's mask, one byte per pixel at the photo's size (1 = repair); replaces detection. */
  mask?: Uint8Array;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  onWarning?: (message: string) => void;
}

export interface RepairResult {
  rgb: PixelBuffer;
  /** What was repaired (1 = inpainted), one byte per pixel; all zero when nothing was. */
  mask: Uint8Array;
}

export function runRepair(rgb: PixelBuffer, o: RunRepairOptions): RepairResult {
  const n = rgb.width * rgb.height;
  if (o.mask && o.mask.length !== n) throw new RangeError(`the mask has ${o.mask.length} pixels, the photo ${n}`);

  // 1. mask
  const mask =
    o.mask ??
    (o.mode === 'auto' && (o.dust || o.scratches)
      ? detectDefects(rgb, { dust: o.dust, scratches: o.scratches, sensitivity: o.sensitivity, ...(o.signal ? { signal: o.signal } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) })
      : new Uint8Array(n));

  // 2. inpaint
  let out = rgb;
  if (mask.some((v) => v !== 0)) {
    const filled = inpaint(rgb, mask, { ...(o.signal ? { signal: o.signal } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
    out = filled.image;
    if (filled.maxRings > LARGE_HOLE_RINGS) {
      o.onWarning?.(
        `a repaired area about ${filled.maxRings * 2} px across was filled by the classical method (no inpaint pack), so its middle is soft`,
      );
    }
  }

  // 3. colour
  if (o.colour === 'restore' && o.strength > 0) {
    throwIfAborted(o.signal);
    o.onProgress?.({ stage: 'colour-restore', done: 0, total: 1 });
    out = restoreColour(out, analyseColour(out), o.strength);
    o.onProgress?.({ stage: 'colour-restore', done: 1, total: 1 });
  }
  return { rgb: out, mask };
}
