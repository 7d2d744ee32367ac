/**
 * The small sheet the desktop app shows when photos arrive from the file manager ("Enhance with Revive"): how many,
 * how large the results will be and how long it will take, before anything is queued — a 24 MP photo is not silently
 * enlarged 4× into a 384 MP file for 46 minutes. Photos already large get 2× unless the person picks the full scale;
 * "Don't ask again" turns the sheet off (the shell settings remember it). Pure (no Electron): main.ts shows it with
 * Electron's message box, so the wording and the button-to-scale mapping are tested here.
 */
import { describeResult, estimateSeconds, resultSize, scaleFor, type Speed } from '../../src-preload/contract';

type Scale = 1 | 2 | 3 | 4;

export interface HandoffPhoto {
  name: string;
  width: number;
  height: number;
}

export interface HandoffSheet {
  message: string;
  detail: string;
  /** One button per scale offered, then "Cancel" (last). */
  buttons: string[];
  /** The scale each button but the last stands for. */
  scales: Scale[];
  checkboxLabel: string;
}

/** "12 s", "4 min", "1 h 05 min". */
function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Builds the sheet for `photos` (sizes from their headers) at the default `scale` with the model's `speed`. */
export function handoffSheet(photos: readonly HandoffPhoto[], scale: Scale, speed: Speed | null): HandoffSheet {
  const largest = Math.max(0, ...photos.map((p) => (p.width * p.height) / 1e6));
  const suggested = scaleFor(largest, scale, false);
  const scales: Scale[] = suggested === scale ? [scale] : [suggested, scale];
  const inputMp = photos.reduce((a, p) => a + (p.width * p.height) / 1e6, 0);
  const facts = (s: Scale): string => {
    const size =
      photos.length === 1
        ? describeResult(photos[0]!.width, photos[0]!.height, s)
        : `results of about ${Math.round(photos.reduce((a, p) => a + resultSize(p.width, p.height, s).megapixels, 0))} MP in all`;
    const secs = estimateSeconds(inputMp, speed);
    return `${s}×: ${size}${secs === null ? '' : `, about ${duration(secs)}${speed?.basis === 'measured' ? '' : ' (estimate)'}`}`;
  };
  const what = photos.length === 1 ? `“${photos[0]!.name}”` : `${photos.length} photos`;
  const lines = scales.map(facts);
  if (suggested !== scale) lines.push(`${photos.length === 1 ? 'This photo is' : 'Some photos are'} already over 12 MP, so 2× is suggested.`);
  return {
    message: `Restore ${what}?`,
    detail: lines.join('\n'),
    buttons: [...scales.map((s) => `Restore at ${s}×`), 'Cancel'],
    scales,
    checkboxLabel: 'Don’t ask again',
  };
}

/** What asking needs from the app: the message box, and the remembered "don't ask again". */
export interface HandoffAsker {
  /** Whether the sheet is still wanted (false after "Don't ask again"). */
  shouldAsk(): boolean;
  ask(sheet: HandoffSheet): Promise<{ response: number; checkboxChecked: boolean }>;
  dontAskAgain(): void;
}

/**
 * The scale to queue the hand-off at: asked with {@link handoffSheet} unless the person turned the sheet off (then the
 * default, kept at 2× for photos already large); null when they cancelled.
 */
export async function chooseHandoffScale(photos: readonly HandoffPhoto[], scale: Scale, speed: Speed | null, asker: HandoffAsker): Promise<Scale | null> {
  const sheet = handoffSheet(photos, scale, speed);
  if (!asker.shouldAsk()) return sheet.scales[0]!;
  const answer = await asker.ask(sheet);
  const chosen = sheet.scales[answer.response];
  if (chosen === undefined) return null;
  if (answer.checkboxChecked) asker.dontAskAgain();
  return chosen;
}
