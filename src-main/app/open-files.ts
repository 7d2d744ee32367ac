/**
 * macOS hands files to the app as `open-file` events, one event per file, and may send them before the app is
 * ready (a Finder Quick Action or `open -a Revive a.jpg b.jpg` launching it) or at any time after. This queue
 * holds paths until the app says it is ready, then delivers them; later events that arrive in quick succession
 * are gathered into one batch, so a 40-photo selection becomes one hand-off rather than 40.
 *
 * Pure logic: no `electron` import. The Electron glue (single-instance.ts) feeds it from `open-file`.
 */

/** Closes a batch later: the default waits {@link DEFAULT_BATCH_MS} so a burst of events lands together. */
export type BatchScheduler = (flush: () => void) => void;

/** Long enough for Finder's burst of per-file events, short enough that a user does not notice. */
export const DEFAULT_BATCH_MS = 150;

export interface OpenFileQueueOptions {
  /** Receives each batch, in arrival order, each path once per batch. */
  deliver: (paths: string[]) => void;
  /** When to close a batch after ready; defaults to a {@link DEFAULT_BATCH_MS} timer (tests pass their own). */
  schedule?: BatchScheduler;
}

/** Buffers `open-file` paths until {@link OpenFileQueue.markReady}, then delivers them in batches. */
export class OpenFileQueue {
  readonly #deliver: (paths: string[]) => void;
  readonly #schedule: BatchScheduler;
  #buffer: string[] = [];
  #ready = false;
  #flushScheduled = false;

  constructor(options: OpenFileQueueOptions) {
    this.#deliver = options.deliver;
    this.#schedule = options.schedule ?? ((flush) => void setTimeout(flush, DEFAULT_BATCH_MS));
  }

  /** Adds one path from an `open-file` event. Before ready it waits; after, it joins the current batch. */
  push(filePath: string): void {
    if (typeof filePath !== 'string' || filePath === '') {
      throw new Error(`open-file path must be a non-empty string, got ${JSON.stringify(filePath)}`);
    }
    if (!this.#buffer.includes(filePath)) this.#buffer.push(filePath);
    if (this.#ready && !this.#flushScheduled) {
      this.#flushScheduled = true;
      this.#schedule(() => this.#flush());
    }
  }

  /** The app can take files now: delivers everything buffered so far as one batch, synchronously. */
  markReady(): void {
    if (this.#ready) return;
    this.#ready = true;
    if (!this.#flushScheduled) this.#flush();
  }

  /** Paths waiting for delivery (before ready, or in a batch not yet closed). */
  get pending(): readonly string[] {
    return [...this.#buffer];
  }

  get ready(): boolean {
    return this.#ready;
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#buffer.length === 0) return;
    const batch = this.#buffer;
    this.#buffer = [];
    // Delivery errors propagate to the caller of flush (the event loop, for a timer): a failed hand-off is
    // reported by the deliver callback, not hidden here.
    this.#deliver(batch);
  }
}
