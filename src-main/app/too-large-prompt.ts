/**
 * The question the desktop app asks when photos handed over by the file manager ("Enhance with Revive") would give
 * results too large for the default format: which format to write them in instead, or cancel. Pure (no Electron), so
 * the wording and the button-to-format mapping are tested; main.ts shows it with Electron's message box.
 */
import type { OutputFormat } from '../imaging/formats';
import type { TooLargeResult } from '../jobs/output-size';

export interface TooLargePrompt {
  message: string;
  detail: string;
  /** Button labels: one per format, then "Cancel" (the cancel button is the last one). */
  buttons: string[];
  /** The format each button but the last stands for. */
  formats: OutputFormat[];
}

const NAMES: Readonly<Record<OutputFormat, string>> = { jpg: 'JPEG', png: 'PNG', webp: 'WebP', tiff: 'TIFF', avif: 'AVIF' };

/** Builds the prompt; null when nothing is too large, or when no format holds every result (then only a smaller scale helps). */
export function tooLargePrompt(check: { tooLarge: readonly TooLargeResult[]; formats: readonly OutputFormat[] }, basename: (p: string) => string): TooLargePrompt | null {
  const { tooLarge, formats } = check;
  if (!tooLarge.length || !formats.length) return null;
  const first = tooLarge[0]!;
  const what = tooLarge.length === 1 ? `“${basename(first.path)}”` : `${tooLarge.length} photos`;
  const lines = tooLarge
    .slice(0, 5)
    .map((t) => `${basename(t.path)}: ${t.outWidth} × ${t.outHeight} (${NAMES[t.format]} holds at most ${t.maxSide} pixels a side)`);
  if (tooLarge.length > 5) lines.push(`… and ${tooLarge.length - 5} more`);
  return {
    message: `The result of ${what} would be too large for ${NAMES[first.format]}.`,
    detail: `${lines.join('\n')}\n\nWrite ${tooLarge.length === 1 ? 'it' : 'them'} in another format? The other photos keep the format you chose.`,
    buttons: [...formats.map((f) => `Write as ${NAMES[f]}`), 'Cancel'],
    formats: [...formats],
  };
}
