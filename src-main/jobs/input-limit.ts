/**
 * The input pixel limit (a guard against damaged or hostile files: `--max-megapixels`, the queue.maxInputMegapixels
 * setting), in one place. A photo over it fails alone, with its own reason, when its item is prepared (jobs/
 * prepare.ts); every check that sizes a batch from headers — output format (jobs/output-size.ts), disk space
 * (prepare.ts expectedOutputs) — leaves it out first, so one lying header cannot refuse or stall a whole batch.
 */
import { DEFAULT_MAX_INPUT_PIXELS } from '../imaging/formats';
import type { JobSettings } from '../settings/job-settings';

/** The input pixel limit a job runs with. */
export function maxPixelsOf(settings: Pick<JobSettings, 'maxMegapixels'>): number {
  return settings.maxMegapixels !== undefined ? Math.round(settings.maxMegapixels * 1e6) : DEFAULT_MAX_INPUT_PIXELS;
}

/** Whether a photo of this (header) size is refused by the job's input limit. */
export function overInputLimit(size: { width: number; height: number }, settings: Pick<JobSettings, 'maxMegapixels'>): boolean {
  return size.width * size.height > maxPixelsOf(settings);
}
