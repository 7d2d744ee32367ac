/**
 * Results that their output format cannot hold (a WebP side is at most 16 383 pixels, a JPEG side 65 535): found from
 * the photos' headers before a batch is queued, so the user hears about it — and picks another format — before any
 * work is done, never after a long run. The same rule decides each item's format when it is prepared (jobs/prepare.ts),
 * which covers batches resumed later and photos replaced by bigger ones in the meantime.
 *
 * A job may name a `fallbackFormat`: photos whose result does not fit the chosen format are written in it instead.
 */
import { overInputLimit } from './input-limit';
import { resolveOutputFormat } from './naming';
import { formatsThatFit, MAX_OUTPUT_SIDE, type OutputFormat, outputFits, tooLargeMessage } from '../imaging/formats';
import type { JobSettings } from '../settings/job-settings';

/** The upright size of a photo, from its header. */
export interface PhotoSize {
  width: number;
  height: number;
}

/** A photo whose result fits neither the job's format nor its fallback. */
export interface TooLargeResult {
  path: string;
  /** The result's size: the photo's upright size times the scale. */
  outWidth: number;
  outHeight: number;
  /** The format it would have been written in, and the largest side that format stores. */
  format: OutputFormat;
  maxSide: number;
  /** Formats that would hold it, best first. */
  fits: OutputFormat[];
  /** One line for the user, naming the file, the sizes and the formats that fit. */
  message: string;
}

type SizeSettings = Pick<JobSettings, 'scale' | 'format' | 'fallbackFormat' | 'maxMegapixels'>;

/**
 * What an item is written as: `format` (the job's, or its fallback when that one cannot hold the result; `fellBack`
 * then names the job's format it replaces), or why neither works.
 */
export type FormatDecision =
  | { ok: true; format: OutputFormat; fellBack?: OutputFormat }
  | { ok: false; tooLarge: TooLargeResult };

/** Decides the output format of one photo from its size (see the module doc). */
export function decideFormat(source: string, size: PhotoSize, settings: SizeSettings): FormatDecision {
  const format = resolveOutputFormat(source, settings.format);
  const outWidth = size.width * settings.scale;
  const outHeight = size.height * settings.scale;
  if (outputFits(format, outWidth, outHeight)) return { ok: true, format };
  const fallback = settings.fallbackFormat;
  if (fallback && outputFits(fallback, outWidth, outHeight)) return { ok: true, format: fallback, fellBack: format };
  return {
    ok: false,
    tooLarge: {
      path: source,
      outWidth,
      outHeight,
      format,
      maxSide: MAX_OUTPUT_SIDE[format],
      fits: formatsThatFit(format, outWidth, outHeight),
      message: `${source}: ${tooLargeMessage(format, outWidth, outHeight)}`,
    },
  };
}

/** How many headers are read at once: enough to hide disk latency, few enough not to starve the running engine. */
const PROBE_CONCURRENCY = 8;

/**
 * The photos among `files` whose result fits neither the job's format nor its fallback. Photos whose header cannot
 * be read are left out: they fail later with their own reason (missing, not an image, damaged); so are photos over
 * the input pixel limit (jobs/input-limit.ts), which fail alone as TOO_LARGE and must not refuse the whole batch.
 */
export async function findTooLarge(
  files: readonly string[],
  settings: SizeSettings,
  probe: (file: string) => Promise<PhotoSize>,
): Promise<TooLargeResult[]> {
  const found: (TooLargeResult | null)[] = new Array<TooLargeResult | null>(files.length).fill(null);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      const file = files[i]!;
      let size: PhotoSize;
      try {
        size = await probe(file);
      } catch {
        continue; // reported when the item runs, with the reason the decoder gives
      }
      if (overInputLimit(size, settings)) continue;
      const d = decideFormat(file, size, settings);
      if (!d.ok) found[i] = d.tooLarge;
    }
  };
  await Promise.all(Array.from({ length: Math.min(PROBE_CONCURRENCY, files.length) }, worker));
  return found.filter((t): t is TooLargeResult => t !== null);
}

/** The formats that hold every one of `tooLarge`, best first (what to offer for the whole batch). */
export function formatsForAll(tooLarge: readonly TooLargeResult[]): OutputFormat[] {
  if (!tooLarge.length) return [];
  return tooLarge[0]!.fits.filter((f) => tooLarge.every((t) => t.fits.includes(f)));
}
