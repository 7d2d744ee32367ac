/**
 * The CLI's progress display on a terminal: two lines on stderr, redrawn in place —
 *
 *   [2/5] beach.jpg   upscale  ██████████░░░░░░░░░░  52%
 *   overall           ████░░░░░░░░░░░░░░░░  30%  ETA 1:42
 *
 * Written here rather than taken from a package: it is forty lines, and the ETA comes from the job queue's own
 * estimator (jobs/eta.ts) so the CLI and the app agree. Permanent lines (one per finished file) are printed above
 * the bars by {@link ProgressView.log}. Not used when stderr is not a terminal.
 */
import { imageFraction } from '../jobs/progress';

export { imageFraction };

/** "1:02:03", "4:05", "0:07". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

export interface ProgressStream {
  write(s: string): boolean;
  columns?: number;
}

/** Redraws at most this often; tile events can arrive far faster than a terminal is worth repainting. */
const MIN_REDRAW_MS = 80;

export class ProgressView {
  readonly #out: ProgressStream;
  readonly #now: () => number;
  #lines = 0;
  #lastDraw = 0;
  #itemLabel = '';
  #stage = '';
  #itemFraction = 0;
  #overall = 0;
  #etaMs: number | null = null;

  constructor(out: ProgressStream, now: () => number = Date.now) {
    this.#out = out;
    this.#now = now;
  }

  /** Sets what the bars show and redraws (throttled unless `force`). */
  update(
    state: { itemLabel: string; stage: string; itemFraction: number; overall: number; etaMs: number | null },
    force = false,
  ): void {
    this.#itemLabel = state.itemLabel;
    this.#stage = state.stage;
    this.#itemFraction = state.itemFraction;
    this.#overall = state.overall;
    this.#etaMs = state.etaMs;
    if (force || this.#now() - this.#lastDraw >= MIN_REDRAW_MS) this.#draw();
  }

  /** Prints a permanent line above the bars (via `print`, e.g. to stdout) and redraws them below it. */
  log(print: () => void): void {
    this.#clear();
    print();
    this.#draw();
  }

  /** Removes the bars (end of the batch). */
  finish(): void {
    this.#clear();
  }

  #clear(): void {
    if (this.#lines === 0) return;
    // Up to the first bar line, then clear to the end of the screen.
    this.#out.write(`\r${this.#lines > 1 ? `\x1b[${this.#lines - 1}A` : ''}\x1b[J`);
    this.#lines = 0;
  }

  #draw(): void {
    // A terminal that reports no size (a pty under `script`, some CI consoles) gets the classic 80 columns.
    const width = Math.min((this.#out.columns ?? 0) > 0 ? this.#out.columns! : 80, 120);
    // label 24 + stage 10 + percentage 4 + ETA 14 + separators 6 = 58 columns around the bar.
    const barWidth = Math.max(10, Math.min(30, width - 59));
    const label = this.#itemLabel.length > 24 ? `…${this.#itemLabel.slice(-23)}` : this.#itemLabel.padEnd(24);
    const pct = (f: number): string => `${Math.round(f * 100)}%`.padStart(4);
    const eta = this.#etaMs === null ? 'ETA --:--' : `ETA ${formatDuration(this.#etaMs)}`;
    const line1 = `${label} ${this.#stage.padEnd(10)} ${bar(this.#itemFraction, barWidth)} ${pct(this.#itemFraction)}`;
    const line2 = `${'overall'.padEnd(24)} ${''.padEnd(10)} ${bar(this.#overall, barWidth)} ${pct(this.#overall)}  ${eta}`;
    this.#clear();
    this.#out.write(`${line1.slice(0, width - 1)}\n${line2.slice(0, width - 1)}`);
    this.#lines = 2;
    this.#lastDraw = this.#now();
  }
}
