/** The chain's repair stage for a job's settings (pack-less: the classical pipeline). */
import type { EnhanceStage } from '../engine/protocol';
import { repairRuns, type JobSettings } from '../settings/job-settings';

/** The repair stage to run before the enhance stage, or undefined when the settings ask for no repair. */
export function repairStageOf(settings: Pick<JobSettings, 'repair'>): EnhanceStage | undefined {
  if (!repairRuns(settings) || !settings.repair) return undefined;
  const { mask, ...options } = settings.repair;
  return { stage: 'repair', repair: options, ...(mask !== undefined ? { mask } : {}) };
}
