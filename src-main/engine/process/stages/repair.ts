/**
 * The `repair` position of the chain without a pack: the classical pipeline (pipelines/repair) — detection or the
 * user's mask, classical inpainting, colour restore — over the decoded planes, 16-bit kept.
 *   1. check  — the options parse (before decoding)
 *   2. mask   — the user's mask read and checked against the photo's size (a wrong size names both)
 *   3. repair — the pipeline, progress as detect / inpaint / colour-restore
 *   4. mask out — the repaired mask written for the app's overlay, when asked
 */
import { readMask, writeMask } from '../../../imaging/mask';
import path from 'node:path';
import { RepairOptionsSchema, type RepairOptions } from '../../../pipelines/repair/options';
import { runRepair } from '../../../pipelines/repair/run-repair';
import type { PixelBuffer } from '../../../pixels/types';
import { describeIssues } from '../../../pixels/zod-issues';
import { EngineError } from '../../engine-error';
import type { EnhanceStage } from '../../protocol';
import type { PreparedStage, StageContext, StageOutput } from './stage-kind';

/** What the stage table would hold for a pack-less kind: the repair stage keeps depth and size. */
export const CLASSICAL_REPAIR = { serves: 'repair', depth: 'keep', enlarges: false } as const;

/** The provenance name of the pack-less repair (results name the packs that made them). */
export const CLASSICAL_REPAIR_ID = 'classical-repair';

/** Stage 1: the options checked, ready to run. */
export function prepareClassicalRepair(options: EnhanceStage): PreparedStage {
  const repair = parseRepairOptions(options);
  return { modelId: describeRepair(repair, options.mask), run: (rgb, ctx) => run(rgb, ctx, options, repair) };
}

/** The request's repair options with their defaults; a bad one is refused naming the field. */
export function parseRepairOptions(options: EnhanceStage): RepairOptions {
  const parsed = RepairOptionsSchema.safeParse(options.repair ?? {});
  if (!parsed.success) throw new EngineError('BAD_REQUEST', `invalid repair options: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** The provenance entry (XMP history, EXIF ProcessingSoftware): the pipeline and every option that shaped it. */
export function describeRepair(r: RepairOptions, mask?: string, inpaintPack?: string): string {
  const what = mask !== undefined ? `mask ${path.basename(mask)}` : r.mode === 'auto' ? `${[r.dust ? 'dust' : '', r.scratches ? 'scratches' : ''].filter(Boolean).join('+') || 'nothing'} at sensitivity ${r.sensitivity}` : 'no detection';
  const colour = r.colour === 'restore' ? `; colour restore ${Math.round(r.strength * 100)} %` : '';
  const holes = inpaintPack !== undefined ? `; large holes by ${inpaintPack}` : '';
  // No commas or braces: the text becomes a field of ExifTool's XMP history structure, where they separate fields.
  return `${CLASSICAL_REPAIR_ID} (${what}${holes}${colour})`;
}

/** The user's mask file, which must be the photo's size (the message names both). */
export async function userMask(file: string, rgb: PixelBuffer): Promise<Uint8Array> {
  const mask = await readMask(file);
  if (mask.width !== rgb.width || mask.height !== rgb.height) {
    throw new EngineError('BAD_REQUEST', `the mask ${file} is ${mask.width}×${mask.height} but the photo is ${rgb.width}×${rgb.height}`);
  }
  return mask.data;
}

async function run(rgb: PixelBuffer, ctx: StageContext, options: EnhanceStage, repair: RepairOptions): Promise<StageOutput> {
  const { hooks } = ctx;
  // 2. mask
  const mask = options.mask !== undefined ? await userMask(options.mask, rgb) : undefined;
  // 3. repair
  const result = runRepair(rgb, {
    ...repair,
    ...(mask ? { mask } : {}),
    onProgress: (p) => hooks.onProgress(p.stage, p.done, p.total),
    onWarning: hooks.onWarning,
  });
  // 4. mask out
  if (options.maskOut !== undefined) await writeMask(options.maskOut, { data: result.mask, width: rgb.width, height: rgb.height });
  return { rgb: result.rgb, provider: 'cpu' };
}
