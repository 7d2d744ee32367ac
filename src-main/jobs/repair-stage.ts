/** The chain's repair stage for a job's settings: the classical pipeline, with the job's inpainting pack if it has one. */
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
