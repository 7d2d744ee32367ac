/**
 * The repair pipeline with an inpainting pack: as runRepair (run-repair.ts), but the large holes go to the model.
 *   1. mask    — the user's or the detected one (as runRepair)
 *   2. holes   — the masked regions deeper than PACK_HOLE_RINGS (large-holes.ts); the model is opened only when
 *                there is one, so a photo with only dust and scratches never loads it
 *   3. pack    — each large hole filled by the model (pack-fill.ts), cancellable between holes
 *   4. inpaint — the remaining (small) defects by the classical method, with the filled holes as context
 *   5. colour  — as runRepair
 */
import type { PixelBuffer } from '../../pixels/types';
import { inpaint } from './inpaint';
import { findLargeHoles } from './large-holes';
import { fillLargeHoles, type InpaintModel } from './pack-fill';
import { colourStep, repairMask, type RepairResult, type RunRepairOptions } from './run-repair';

export interface PackRepairResult extends RepairResult {
  /** How many large holes the model filled (0: the pack did not run). */
  holesFilled: number;
}

export async function runRepairWithPack(rgb: PixelBuffer, o: RunRepairOptions & { model: () => Promise<InpaintModel> }): Promise<PackRepairResult> {
  const { width: W, height: H } = rgb;
  const progress = { ...(o.signal ? { signal: o.signal } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) };
  // 1. mask
  const mask = repairMask(rgb, o);
  // 2. holes
  const { holes, depth } = findLargeHoles(mask, W, H);
  // 3. pack
  let out = rgb;
  if (holes.length) out = await fillLargeHoles(rgb, mask, holes, depth, await o.model(), progress);
  // 4. inpaint
  const small = mask.slice();
  for (const h of holes) for (const p of h.pixels) small[p] = 0;
  if (small.some((v) => v !== 0)) out = inpaint(out, small, progress).image;
  // 5. colour
  return { rgb: colourStep(out, o), mask, holesFilled: holes.length };
}
