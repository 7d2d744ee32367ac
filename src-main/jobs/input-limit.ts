/**
 * The size limits a photo meets before it is queued for the engine, in one place:
 * - the input pixel limit (a guard against damaged or hostile files: `--max-megapixels`, the queue.maxInputMegapixels
 *   setting);
 * - the result's size in memory on this platform (imaging/output-capacity.ts), at the scale the chain works at — a
 *   4× model makes 4× first, whatever scale was asked.
 * A photo over either fails alone, with its own reason, when its item is prepared (jobs/prepare.ts); every check that
 * sizes a batch from headers — output format (jobs/output-size.ts), disk space (prepare.ts expectedOutputs) — leaves
 * it out first, so one lying header cannot refuse or stall a whole batch.
 */
import { DEFAULT_MAX_INPUT_PIXELS, inputTooLargeMessage } from '../imaging/formats';
import { overCapacity, scaleTooLargeMessage, type PixelLayout } from '../imaging/output-capacity';
import { OUTPUT_SCALES } from '../engine/protocol';
import type { JobSettings } from '../settings/job-settings';

/** The scale a pack works at for a requested scale (the model's own for feed-forward packs); default: the request's. */
export type WorkingScale = (model: string, scale: number) => number;
const asRequested: WorkingScale = (_model, scale) => scale;

type SizeSettings = Pick<JobSettings, 'maxMegapixels' | 'scale'> & { model?: string };
type Size = { width: number; height: number } & PixelLayout;

/** The input pixel limit a job runs with. */
export function maxPixelsOf(settings: Pick<JobSettings, 'maxMegapixels'>): number {
  return settings.maxMegapixels !== undefined ? Math.round(settings.maxMegapixels * 1e6) : DEFAULT_MAX_INPUT_PIXELS;
}

/**
 * Why a photo of this (header) size is refused before it runs, or null when it may run: over the job's input limit,
 * or too large a result for this platform at the scale the chain works at.
 */
export function sizeRefusal(path: string, size: Size, settings: SizeSettings, workingScale: WorkingScale = asRequested): string | null {
  if (size.width * size.height > maxPixelsOf(settings)) return inputTooLargeMessage(path, size.width, size.height, maxPixelsOf(settings));
  if (!overCapacity(size, workingScale(settings.model ?? '', settings.scale))) return null;
  const ask = { scale: settings.scale, workingScaleAt: (s: number) => workingScale(settings.model ?? '', s), scales: OUTPUT_SCALES };
  return scaleTooLargeMessage(path, size.width, size.height, ask, size);
}

/** Whether a photo of this (header) size is refused ({@link sizeRefusal}). */
export function overInputLimit(size: Size, settings: SizeSettings, workingScale: WorkingScale = asRequested): boolean {
  return sizeRefusal('', size, settings, workingScale) !== null;
}
