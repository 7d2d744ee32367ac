/** The chain's repair stage for a job's settings: the classical pipeline, with the job's inpainting pack if it has one. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { EnhanceStage } from '../engine/protocol';
import { inpaintPackOf } from '../models/inpaint-choice';
import { repairRuns, type JobSettings } from '../settings/job-settings';

/**
 * The repair stage to run before the enhance stage, or undefined when the settings ask for no repair;
 * `resolveModelDir` maps the inpainting pack's id to its folder.
 */
export function repairStageOf(settings: Pick<JobSettings, 'repair'>, resolveModelDir: (id: string) => string): EnhanceStage | undefined {
  if (!repairRuns(settings) || !settings.repair) return undefined;
  const { mask, inpaintPack, ...options } = settings.repair;
  const pack = inpaintPackOf(inpaintPack);
  return {
    stage: 'repair',
    ...(pack !== undefined ? { modelDir: resolveModelDir(pack) } : {}),
    repair: options,
    ...(mask !== undefined ? { mask } : {}),
  };
}

/**
 * The repair stage asking the engine to write the mask it used as `<masksDir>/<name>.png` (the data folder's masks
 * folder, never beside the user's photo), so the library row can keep it for the app's overlay and "Repair again".
 * Without `masksDir`, or without a repair stage, the same as {@link repairStageOf}.
 */
export async function repairStageKeepingMask(
  settings: Pick<JobSettings, 'repair'>,
  resolveModelDir: (id: string) => string,
  masksDir: string | undefined,
  name: string,
): Promise<EnhanceStage | undefined> {
  const stage = repairStageOf(settings, resolveModelDir);
  if (!stage || !masksDir) return stage;
  await mkdir(masksDir, { recursive: true });
  return { ...stage, maskOut: path.join(masksDir, `${name}.png`) };
}
