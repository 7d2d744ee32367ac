/**
 * What the runner writes down when an item ends: the queue transition and the library row in one transaction (so a
 * kill never leaves a finished item without its history entry, or the reverse), the progress events that announce
 * it, and the library thumbnails afterwards, in the background, one item after another.
 */
import { stat } from 'node:fs/promises';
import type { EnhanceResult } from './engine';
import { failureCode } from './failure-code';
import type { LibraryStore } from '../library/library-store';
import type { ThumbnailCache } from '../library/thumbnails';
import type { Preparation, ReadyItem } from './prepare';
import type { ProgressReporter, RunningItem } from './progress-reporter';
import type { ItemRecord, JobRecord, QueueStore } from './queue-store';

export interface ResultRecorderOptions {
  queue: QueueStore;
  library: LibraryStore;
  /** Null: no thumbnails are made. */
  thumbnails: ThumbnailCache | null;
  reporter: ProgressReporter;
  now: () => number;
}

/** The parts of a library row that depend on how the item ended. */
interface Outcome {
  status: 'done' | 'failed';
  error: string | null;
  startedAt: number | null;
  finishedAt: number;
  ms?: number;
  device?: string;
  outputSize?: number | null;
  outputWidth?: number;
  outputHeight?: number;
  sourceHash?: string | null;
  sourceSize?: number | null;
  faces?: EnhanceResult['faces'];
  /** What the colour stage did, when the chain had one. */
  colorize?: EnhanceResult['colorize'];
  repairMask?: string | null;
}

export class ResultRecorder {
  readonly #queue: QueueStore;
  readonly #library: LibraryStore;
  readonly #thumbnails: ThumbnailCache | null;
  readonly #reporter: ProgressReporter;
  readonly #now: () => number;
  /** Background work (thumbnails), chained so items are handled in order. */
  #post: Promise<void> = Promise.resolve();

  constructor(options: ResultRecorderOptions) {
    this.#queue = options.queue;
    this.#library = options.library;
    this.#thumbnails = options.thumbnails;
    this.#reporter = options.reporter;
    this.#now = options.now;
  }

  /** Resolves once the background work queued so far (thumbnails) is finished. */
  idle(): Promise<void> {
    return this.#post;
  }

  /** Done without running: a result with the same content and settings already exists. */
  skipped(item: ItemRecord, prep: Extract<Preparation, { kind: 'skip' }>): void {
    this.#queue.transition(item.id, 'done', { skipped: true, outputPath: prep.match.outputPath, sourceHash: prep.hash, finishedAt: this.#now() });
    this.#reporter.changed(item, 'done', 1, 0, { outputPath: prep.match.outputPath ?? undefined, skipped: true });
  }

  /** Failed before the engine was asked (unreadable, too large, output is the input, …). */
  unusable(item: ItemRecord, job: JobRecord, prep: Extract<Preparation, { kind: 'failed' }>): void {
    const now = this.#now();
    this.#queue.db.transaction(() => {
      this.#queue.transition(item.id, 'failed', { error: prep.error, finishedAt: now, sourceHash: prep.hash }, 'queued');
      this.#insertLibrary(job, item, null, { status: 'failed', error: prep.error, startedAt: null, finishedAt: now, sourceHash: prep.hash, sourceSize: prep.sizeBytes });
    })();
    this.#reporter.changed(item, 'failed', 0, 0, { error: prep.error, code: prep.code });
  }

  /** The user cancelled the running item. */
  cancelled(cur: RunningItem): void {
    const now = this.#now();
    this.#queue.transition(cur.item.id, 'cancelled', { finishedAt: now }, 'running');
    this.#reporter.changed(cur.item, 'cancelled', cur.fraction, now - cur.startedAt);
  }

  /** The running item goes back to the queue (pause now). */
  requeued(cur: RunningItem): void {
    const now = this.#now();
    this.#queue.transition(cur.item.id, 'queued', { startedAt: null }, 'running');
    this.#reporter.changed(cur.item, 'queued', 0, now - cur.startedAt);
  }

  /** The engine failed on the item. */
  failed(cur: RunningItem, job: JobRecord, err: Error): void {
    const { item } = cur;
    const now = this.#now();
    const message = err.message || String(err);
    this.#queue.db.transaction(() => {
      this.#queue.transition(item.id, 'failed', { error: message, finishedAt: now, ms: now - cur.startedAt }, 'running');
      this.#insertLibrary(job, item, cur.ready, { status: 'failed', error: message, startedAt: cur.startedAt, finishedAt: now });
    })();
    this.#reporter.changed(item, 'failed', cur.fraction, now - cur.startedAt, { error: message, code: failureCode(err) });
    this.#thumbnailsLater(item.id, item.sourcePath, null);
  }

  /**
   * The engine wrote the result. `cold`: the model was loaded for this image (its time says little about the next).
   * `repairMask`: the mask file the engine was asked to keep, recorded with the row.
   */
  async done(cur: RunningItem, job: JobRecord, result: EnhanceResult, cold: boolean, repairMask: string | null = null): Promise<void> {
    const { item, ready } = cur;
    const now = this.#now();
    const ms = now - cur.startedAt;
    const outSize = await stat(ready.output).then(
      (s) => s.size,
      () => null,
    );
    this.#queue.db.transaction(() => {
      this.#queue.transition(item.id, 'done', { outputPath: ready.output, finishedAt: now, ms }, 'running');
      this.#insertLibrary(job, item, ready, {
        status: 'done',
        error: null,
        startedAt: cur.startedAt,
        finishedAt: now,
        ms,
        device: result.provider,
        outputSize: outSize,
        outputWidth: result.width,
        outputHeight: result.height,
        ...(result.faces ? { faces: result.faces } : {}),
        ...(result.colorize ? { colorize: result.colorize } : {}),
        repairMask,
      });
    })();
    this.#reporter.recordRun({ job, pixels: ready.probe.width * ready.probe.height, ms, cold, provider: result.provider });
    this.#reporter.changed(item, 'done', 1, ms, { outputPath: ready.output });
    this.#thumbnailsLater(item.id, item.sourcePath, ready.output);
  }

  #insertLibrary(job: JobRecord, item: ItemRecord, ready: ReadyItem | null, r: Outcome): void {
    this.#library.insert({
      itemId: item.id,
      jobId: job.id,
      sourcePath: item.sourcePath,
      // A source that could not even be hashed still gets its row (with an empty hash) so the failure is listed.
      sourceHash: ready?.hash ?? r.sourceHash ?? '',
      sourceSize: ready?.probe.bytes ?? r.sourceSize ?? null,
      sourceWidth: ready?.probe.width ?? null,
      sourceHeight: ready?.probe.height ?? null,
      outputPath: r.status === 'done' ? (ready?.output ?? null) : null,
      outputSize: r.outputSize ?? null,
      outputWidth: r.outputWidth ?? null,
      outputHeight: r.outputHeight ?? null,
      model: job.settings.model,
      settings: job.settings,
      settingsKey: ready?.settingsKey ?? '',
      status: r.status,
      error: r.error,
      ms: r.ms ?? null,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      device: r.device ?? null,
      dateTaken: ready?.facts.dateTaken ?? null,
      camera: ready?.facts.camera ?? null,
      hasGps: ready?.facts.hasGps ?? false,
      faces: r.faces ?? null,
      colorize: r.colorize ?? null,
      repairMask: r.repairMask ?? null,
    });
  }

  /** Thumbnails after the row is committed: a kill before they exist costs only a preview ({@link ThumbnailCache.ensure}). */
  #thumbnailsLater(itemId: number, source: string, output: string | null): void {
    const cache = this.#thumbnails;
    if (!cache) return;
    this.#post = this.#post.then(async () => {
      const entry = this.#library.forItem(itemId);
      if (!entry) return;
      let errors: string[];
      try {
        const t = await cache.ensure(entry.id, source, output);
        this.#library.setThumbnails(entry.id, t.before, t.after);
        errors = t.errors;
      } catch (e) {
        // A preview is not worth stopping the batch for (the cache folder may be unwritable); say so instead.
        errors = [(e as Error).message];
      }
      // A failed photo has already said why it cannot be read; its missing preview would repeat that as a warning.
      if (entry.status === 'failed') return;
      for (const message of errors) this.#reporter.warn(entry.jobId ?? 0, itemId, `thumbnail: ${message}`);
    });
  }
}
