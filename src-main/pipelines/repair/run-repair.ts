/**
 * The repair pipeline over one photo, the engine's `repair` stage without a pack:
 *   1. mask    — the user's mask when given (white = repair; the detector is not run), else detected (dust and/or
 *                scratches at the sensitivity) when the mode is 'auto', else none
 *   2. inpaint — the masked pixels filled by the classical method (any hole size; holes deeper than PACK_HOLE_RINGS
 *                come out soft and are reported: an inpainting pack fills them, run-repair-pack.ts)
 *   3. colour  — fading and casts corrected when asked, blended by strength
 * Every stage is tiled or streamed (memory grows with the photo's pixels only through the photo and its one-byte
 * mask), cancellable between tiles, and reports progress under its own name. Deterministic: the same pixels and
 * options give the same result, bit for bit.
 */
import type { PixelBuffer, ProgressFn } from '../../pixels/types';
import { throwIfAborted } from '../../pixels/types';
import { analyseColour, restoreColour } from './colour-restore';
import { detectDefects } from './detect';
import { inpaint } from './inpaint';
import { PACK_HOLE_RINGS } from './large-holes';
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
  // 1. mask
  const mask = repairMask(rgb, o);

  // 2. inpaint
  let out = rgb;
  if (mask.some((v) => v !== 0)) {
    const filled = inpaint(rgb, mask, { ...(o.signal ? { signal: o.signal } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
    out = filled.image;
    if (filled.maxRings > PACK_HOLE_RINGS) o.onWarning?.(classicalLargeHoles(filled.maxRings));
  }

  // 3. colour
  return { rgb: colourStep(out, o), mask };
}

/** The stage report when large holes had no pack: what happened and what would do better, in plain words. */
export function classicalLargeHoles(rings: number): string {
  return `large holes (up to about ${rings * 2} px across) were filled by the classical method, which leaves their middle soft; install an inpainting pack for better results`;
}

/** Stage 1: the user's mask (checked against the photo's size), else the detected one, else none. */
export function repairMask(rgb: PixelBuffer, o: RunRepairOptions): Uint8Array {
  const n = rgb.width * rgb.height;
  if (o.mask && o.mask.length !== n) throw new RangeError(`the mask has ${o.mask.length} pixels, the photo ${n}`);
  return (
    o.mask ??
    (o.mode === 'auto' && (o.dust || o.scratches)
      ? detectDefects(rgb, { dust: o.dust, scratches: o.scratches, sensitivity: o.sensitivity, ...(o.signal ? { signal: o.signal } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) })
      : new Uint8Array(n))
  );
}

/** Stage 3: fading and casts corrected when asked. */
export function colourStep(rgb: PixelBuffer, o: RunRepairOptions): PixelBuffer {
  if (o.colour !== 'restore' || o.strength <= 0) return rgb;
  throwIfAborted(o.signal);
  o.onProgress?.({ stage: 'colour-restore', done: 0, total: 1 });
  const out = restoreColour(rgb, analyseColour(rgb), o.strength);
  o.onProgress?.({ stage: 'colour-restore', done: 1, total: 1 });
  return out;
}
