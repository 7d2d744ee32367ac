/**
 * How a queue run looks on the command line: one line per finished photo (✓ on stdout, ✗ on stderr) or one JSON
 * object per photo with --json, warnings as "!" lines, and on a terminal the progress bars of {@link ProgressView},
 * fed by the runner's progress events.
 */
import path from 'node:path';
import type { BatchCounts, ItemProgress, JobProgress } from '../jobs/progress';
import type { LibraryStore } from '../library/library-store';
import type { ProgressView } from './progress-view';

/** One line of --json output per finished photo. */
export interface QueueJsonResult {
  input: string;
  output: string | null;
  status: 'done' | 'failed' | 'cancelled';
  /** Done because a result with the same content and settings already existed. */
  skipped: boolean;
  error: string | null;
  /** Stable reason of a failure (imaging's and the engine's codes, OUTPUT_IS_INPUT, NOT_FOUND, …), else null. */
  code: string | null;
  width: number | null;
  height: number | null;
  ms: number | null;
  provider: string | null;
  /** Non-fatal notes about this photo (provider fallback, unreadable metadata). */
  warnings: string[];
  /** Null for an argument that never became a queue item. */
  jobId: number | null;
  itemId: number | null;
}

/** Paths inside the working folder are shown relative to it, others in full. */
export function display(p: string, cwd: string): string {
  const rel = path.relative(cwd, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

/** A message that starts with the file's own path loses it on a line that already names the file. */
function withoutPath(message: string, file: string): string {
  return message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message;
}

export interface QueuePrinterOptions {
  json: boolean;
  io: { stdout: { write(s: string): boolean }; stderr: { write(s: string): boolean }; cwd: string };
  /** Where finished photos' sizes, times and providers are read from. */
  library: LibraryStore;
  /** The bars, on a terminal. */
  view?: ProgressView;
}

export class QueuePrinter {
  /** Photos that ended failed or cancelled. */
  failed = 0;
  readonly #o: QueuePrinterOptions;
  readonly #sources = new Map<number, string>();
  readonly #warnings = new Map<number, string[]>();
  readonly #counts = new Map<number, BatchCounts>();
  #running: { jobId: number; name: string } | null = null;
  #stage = '';
  #itemFraction = 0;
  #estimatedInput: string | null = null;
  /** The engine's estimate for the running photo, the bar's ETA until the queue has measured one of its own. */
  #estimateMs: number | null = null;

  constructor(options: QueuePrinterOptions) {
    this.#o = options;
  }

  /** Prints a permanent line, above the bars when they are shown. */
  log(line: () => void): void {
    if (this.#o.view) this.#o.view.log(line);
    else line();
  }

  /** A path as shown on a line. */
  show(p: string): string {
    return display(p, this.#o.io.cwd);
  }

  /** Records the engine's time estimate for `input`; true when it is the first for that photo (worth a line). */
  estimate(input: string, ms: number): boolean {
    const first = this.#estimatedInput !== input;
    this.#estimatedInput = input;
    this.#estimateMs = ms;
    return first;
  }

  onProgress(e: JobProgress): void {
    if (e.kind === 'item') {
      this.#sources.set(e.itemId, e.sourcePath);
      if (e.state === 'running') {
        if (this.#running?.name !== e.sourcePath) this.#estimateMs = null;
        this.#running = { jobId: e.jobId, name: e.sourcePath };
        this.#itemFraction = e.fraction;
      }
      if (e.state === 'done' || e.state === 'failed' || e.state === 'cancelled') {
        if (e.state !== 'done') this.failed++;
        this.#print(e);
      }
    } else if (e.kind === 'tile') {
      this.#stage = e.stage;
    } else if (e.kind === 'warning') {
      const source = this.#sources.get(e.itemId);
      this.#warnings.set(e.itemId, [...(this.#warnings.get(e.itemId) ?? []), e.message]);
      if (!this.#o.json) this.log(() => void this.#o.io.stderr.write(source ? `! ${this.show(source)}: ${withoutPath(e.message, source)}\n` : `! ${e.message}\n`));
    } else if (e.kind === 'batch') {
      this.#counts.set(e.jobId, e.counts);
      const running = this.#running;
      const c = running ? this.#counts.get(running.jobId) : undefined;
      const position = c ? `[${Math.min(c.total, c.done + c.failed + c.cancelled + 1)}/${c.total}] ` : '';
      this.#o.view?.update({
        itemLabel: running ? `${position}${path.basename(running.name)}` : '',
        stage: this.#stage,
        itemFraction: this.#itemFraction,
        overall: e.fraction,
        etaMs: e.etaMs ?? this.#estimateMs,
      });
    }
  }

  #print(e: ItemProgress): void {
    const row = e.state === 'done' && !e.skipped ? this.#o.library.forItem(e.itemId) : null;
    const r: QueueJsonResult = {
      input: e.sourcePath,
      output: e.outputPath ?? null,
      status: e.state as QueueJsonResult['status'],
      skipped: e.skipped === true,
      error: e.error ?? null,
      code: e.code ?? (e.state === 'cancelled' ? 'ABORTED' : null),
      width: row?.outputWidth ?? null,
      height: row?.outputHeight ?? null,
      ms: row?.ms ?? null,
      provider: row?.device ?? null,
      warnings: this.#warnings.get(e.itemId) ?? [],
      jobId: e.jobId,
      itemId: e.itemId,
    };
    this.#warnings.delete(e.itemId);
    const { stdout, stderr } = this.#o.io;
    this.log(() => {
      if (this.#o.json) stdout.write(`${JSON.stringify(r)}\n`);
      else if (r.status === 'done') {
        const facts = r.skipped ? ' (already done)' : r.width ? ` (${r.width}×${r.height}, ${((r.ms ?? 0) / 1000).toFixed(1)} s, ${r.provider})` : '';
        stdout.write(`${r.skipped ? '=' : '✓'} ${this.show(r.input)} → ${this.show(r.output ?? '')}${facts}\n`);
      } else {
        stderr.write(`✗ ${this.show(r.input)}: ${withoutPath(r.error ?? r.status, r.input)}\n`);
      }
    });
  }
}
