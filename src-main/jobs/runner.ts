/**
 * The job runner: takes queued items one at a time (one model run at a time per device), runs them through the
 * engine, records results in the queue and the library, and reports progress with ETAs.
 *
 * What overlaps with the model run (`overlap: true`, the default), and what does not:
 * - the engine process does decode → model → encode → write for one image at a time; those stages are sequential
 *   inside it, so the next image's decode does not overlap the current model run;
 * - in this (host) process, while the engine works: the next item is prepared (header probe, content hash, metadata
 *   read, skip-if-done check, output planning and recording), and the previous item's thumbnails are made. On a
 *   machine whose cores the model saturates, this host work competes for the same cores, so the gain is the hiding
 *   of disk latency and of the host's own wall time, not free computation. The bench measures both modes.
 *
 * Control: `cancel` aborts the running image at once (the engine host kills its process; the item becomes
 * cancelled, no partial output exists because the engine writes atomically); `pause` lets the running image finish
 * and starts nothing new; `pause({ now: true })` aborts the running image and puts it back in the queue.
 */
import { stat } from 'node:fs/promises';
import { resolveOutputFormat } from './naming';
import { imageFraction } from './progress';
import type { ProcessLock } from '../store/lock';
import type { Store } from '../store/database';
import type { StageProgress } from '../pixels/types';
import { LibraryStore } from '../library/library-store';
import { readPhotoFacts } from '../library/photo-facts';
import { ThumbnailCache } from '../library/thumbnails';
import { probeImage } from '../imaging/probe';
import { decodeImage } from '../imaging/read';
import { estimatePixels, EtaEstimator } from './eta';
import type { Engine, EnhanceResult } from './engine';
import { failureCode } from './failure-code';
import { hashFile } from './hash';
import { checkSpace, InsufficientSpaceError, type SpaceCheck, type SpaceProbe, systemSpaceProbe } from './disk-space';
import { JobOutputPlanner, maxPixelsOf, outputDirFor, type Preparation, type PrepareDeps, prepareItem, type ReadyItem } from './prepare';
import type { BatchProgress, ItemProgress, JobProgress, JobProgressListener } from './progress';
import { QueueStore, type ItemRecord, type JobRecord } from './queue-store';
import { recoverInterrupted, type RecoveryReport } from './recovery';

export interface RunnerOptions {
  store: Store;
  engine: Engine;
  /** The queue lock, held by this process ({@link acquireLock} with QUEUE_LOCK). */
  lock: ProcessLock;
  /** Folder of an installed model pack, by id. */
  resolveModelDir(modelId: string): string;
  /** Prepare the next item and make thumbnails while the engine runs (default true). */
  overlap?: boolean;
  /** Make library thumbnails (default true). */
  thumbnails?: boolean;
  now?: () => number;
  /** Replaceable for tests. */
  probe?: PrepareDeps['probe'];
  hash?: PrepareDeps['hash'];
  readFacts?: PrepareDeps['readFacts'];
  /** Decodes a found output completely (crash recovery); returns its size. */
  verifyOutput?: (path: string) => Promise<{ width: number; height: number }>;
  space?: SpaceProbe;
}

export interface RunOptions {
  /** Only these jobs (default: every active job, oldest first). */
  jobIds?: readonly number[];
  /** Check free disk space before starting (default true). */
  checkSpace?: boolean;
}

export interface RunSummary {
  done: number;
  skipped: number;
  failed: number;
  cancelled: number;
  /** Items put back in the queue (pause now, lock lost). */
  requeued: number;
  /** True when the run ended because the lock was taken over by another process. */
  lockLost: boolean;
}

/** Why the running item is being stopped. */
type StopIntent = 'cancel' | 'requeue' | 'abandon';

interface Current {
  item: ItemRecord;
  ready: ReadyItem;
  controller: AbortController;
  intent: StopIntent | null;
  startedAt: number;
  fraction: number;
}

/** At most one batch event per this many ms from tile progress (every state change emits one anyway). */
const BATCH_PROGRESS_INTERVAL_MS = 100;

/** Per-job figures kept in memory during a run (refreshed from the database when items change). */
interface JobStats {
  /** Sizes of queued items already probed. */
  knownPixels: number[];
  /** Queued items not probed yet. */
  unknown: number;
  /** Mean size of every probed item of the job (to stand in for the unknown ones), or null. */
  meanPixels: number | null;
  startedAt: number;
}

export class JobRunner {
  readonly queue: QueueStore;
  readonly library: LibraryStore;
  readonly thumbnails: ThumbnailCache;
  readonly #o: RunnerOptions;
  readonly #now: () => number;
  readonly #deps: PrepareDeps;
  readonly #listeners = new Set<JobProgressListener>();
  readonly #planners = new Map<number, JobOutputPlanner>();
  readonly #etas = new Map<string, EtaEstimator>();
  readonly #stats = new Map<number, JobStats>();
  /** Job rows for progress events (tile events come many times a second; the row changes only on pause/cancel). */
  readonly #jobs = new Map<number, JobRecord>();
  #lastBatchEmit = 0;
  #current: Current | null = null;
  #running: Promise<RunSummary> | null = null;
  #stopRequested = false;
  #lockLost = false;
  /** Model (and scale) the engine last loaded; a different one, or a restart, makes the next image "cold". */
  #warmModel: string | null = null;
  #device: string | null = null;
  #post: Promise<void> = Promise.resolve();
  /** The running item's id → settles once its engine call has ended and its new state is recorded. */
  readonly #settling = new Map<number, Promise<void>>();

  constructor(options: RunnerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.queue = new QueueStore(options.store.db, this.#now);
    this.library = new LibraryStore(options.store.db);
    this.thumbnails = new ThumbnailCache(options.store.dataDir);
    this.#deps = {
      queue: this.queue,
      library: this.library,
      probe: options.probe ?? probeImage,
      hash: options.hash ?? hashFile,
      readFacts: options.readFacts ?? readPhotoFacts,
    };
    options.lock.onLost(() => {
      this.#lockLost = true;
      this.#stopRequested = true;
      // Another process now owns the queue and will recover this item itself: stop, and write nothing about it.
      this.#abortCurrent('abandon');
    });
  }

  /** Subscribes to progress events. Returns the unsubscribe function. */
  onProgress(listener: JobProgressListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Whether a run is in progress. */
  get running(): boolean {
    return this.#running !== null;
  }

  /**
   * After a crash or kill: requeue interrupted items, adopt complete outputs, remove temp files. Call once after
   * taking the lock, before {@link run}.
   */
  async recover(): Promise<RecoveryReport> {
    this.#assertLock();
    return recoverInterrupted({
      queue: this.queue,
      library: this.library,
      thumbnails: this.#o.thumbnails === false ? null : this.thumbnails,
      verifyOutput: this.#o.verifyOutput ?? (async (p) => {
        const d = await decodeImage(p);
        return { width: d.width, height: d.height };
      }),
      readFacts: this.#deps.readFacts,
      probe: this.#deps.probe,
      now: this.#now,
    });
  }

  /** Expected output size against free space, per file system, for the queued items of these jobs. */
  async checkSpace(jobIds?: readonly number[]): Promise<SpaceCheck[]> {
    const jobs = jobIds ? jobIds.map((id) => this.queue.job(id)) : this.queue.jobs({ unfinished: true });
    const outputs = [];
    for (const job of jobs) {
      const queued = this.queue.items(job.id).filter((i) => i.state === 'queued' || i.state === 'running');
      // Header probes are cheap but not free; a sample of up to 200 sizes stands for the rest.
      const sample = queued.filter((_, k) => k % Math.max(1, Math.ceil(queued.length / 200)) === 0);
      const known: number[] = [];
      for (const it of sample) {
        if (it.width && it.height) known.push(it.width * it.height);
        else {
          const p = await this.#deps.probe(it.sourcePath).catch(() => null);
          if (p) known.push(p.width * p.height);
        }
      }
      const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 0;
      for (const it of queued) {
        const px = (it.width && it.height ? it.width * it.height : mean) * job.settings.scale ** 2;
        outputs.push({ dir: outputDirFor(job, it.sourcePath), pixels: px, format: resolveOutputFormat(it.sourcePath, job.settings.format) });
      }
    }
    return checkSpace(outputs, this.#o.space ?? systemSpaceProbe);
  }

  /**
   * Runs queued items until none is left in the chosen jobs (paused jobs wait). Calling it while a run is in
   * progress returns that run.
   * @throws InsufficientSpaceError before starting when the outputs will not fit.
   */
  run(options: RunOptions = {}): Promise<RunSummary> {
    if (this.#running) return this.#running;
    this.#stopRequested = false;
    const run = this.#run(options).finally(() => {
      this.#running = null;
    });
    this.#running = run;
    return run;
  }

  /** Lets the running image finish, then stops the run (the queue stays as it is). */
  stop(): void {
    this.#stopRequested = true;
  }

  /**
   * Pauses a job: the running image finishes and nothing new of the job starts. With `now`, the running image is
   * abandoned and put back at the front of the queue.
   */
  pause(jobId: number, options: { now?: boolean } = {}): void {
    this.queue.setPaused(jobId, true);
    this.#jobs.delete(jobId);
    if (options.now && this.#current?.item.jobId === jobId) this.#abortCurrent('requeue');
    this.#emitBatch(jobId);
  }

  /** Unpauses a job (call {@link run} to process it if no run is in progress). */
  resume(jobId: number): void {
    this.queue.setPaused(jobId, false);
    this.#jobs.delete(jobId);
    this.#emitBatch(jobId);
  }

  /** Cancels a job: its queued items are cancelled and its running image is stopped now. */
  cancel(jobId: number): void {
    this.queue.cancelJob(jobId);
    if (this.#current?.item.jobId === jobId) this.#abortCurrent('cancel');
    this.#invalidate(jobId);
    this.#emitBatch(jobId);
  }

  /** Cancels one item (stopping it now if it is running). */
  cancelItem(itemId: number): void {
    if (this.#current?.item.id === itemId) {
      this.#abortCurrent('cancel');
      return;
    }
    const item = this.queue.item(itemId);
    this.queue.transition(itemId, 'cancelled', { finishedAt: this.#now() });
    this.#invalidate(item.jobId);
    this.#emitBatch(item.jobId);
  }

  /**
   * Resolves once the item is no longer running — its engine call has ended and its new state (cancelled, done,
   * failed, back in the queue) is recorded — at once if it is not running. A running item cannot be removed before.
   */
  whenSettled(itemId: number): Promise<void> {
    return this.#settling.get(itemId) ?? Promise.resolve();
  }

  /** Moves a queued item to `index` among its job's queued items. */
  move(itemId: number, index: number): void {
    const item = this.queue.item(itemId);
    this.queue.move(itemId, index);
    this.#emitBatch(item.jobId);
  }

  /** Removes a queued, finished or failed item from its job (never a file). */
  remove(itemId: number): void {
    const item = this.queue.item(itemId);
    this.queue.remove(itemId);
    this.#invalidate(item.jobId);
    this.#emitBatch(item.jobId);
  }

  /** Waits for background work (thumbnails) to finish. */
  async idle(): Promise<void> {
    await this.#running?.catch(() => undefined);
    await this.#post;
  }

  // ---------------------------------------------------------------------------------------------------------------

  #assertLock(): void {
    if (!this.#o.lock.held) throw new Error('this process does not hold the queue lock; another Revive process runs the queue');
  }

  #abortCurrent(intent: StopIntent): void {
    const cur = this.#current;
    if (!cur || cur.intent) return;
    cur.intent = intent;
    cur.controller.abort();
  }

  async #run(options: RunOptions): Promise<RunSummary> {
    this.#assertLock();
    const summary: RunSummary = { done: 0, skipped: 0, failed: 0, cancelled: 0, requeued: 0, lockLost: false };
    if (options.checkSpace !== false) {
      const checks = await this.checkSpace(options.jobIds);
      if (checks.some((c) => !c.fits)) throw new InsufficientSpaceError(checks);
    }
    const overlap = this.#o.overlap !== false;
    let prefetched: { itemId: number; result: Promise<Preparation> } | null = null;
    try {
      while (!this.#stopRequested) {
        const next = this.queue.upcoming(1, options.jobIds)[0];
        if (!next) break;
        const job = this.queue.job(next.jobId);
        const prep =
          prefetched?.itemId === next.id ? await prefetched.result : await prepareItem(next, job, this.#planner(job), this.#deps);
        prefetched = null;
        // The user may have cancelled, removed, moved or paused while this item was being prepared.
        const fresh = this.#stillNext(next.id, options.jobIds);
        if (!fresh) continue;

        if (prep.kind === 'failed') {
          this.#finishUnusable(fresh, job, prep);
          summary.failed++;
          continue;
        }
        if (prep.kind === 'skip') {
          this.queue.transition(fresh.id, 'done', {
            skipped: true,
            outputPath: prep.match.outputPath,
            sourceHash: prep.hash,
            finishedAt: this.#now(),
          });
          this.#invalidate(job.id);
          this.#emitItem(fresh, 'done', 1, 0, { outputPath: prep.match.outputPath ?? undefined, skipped: true });
          this.#emitBatch(job.id);
          summary.skipped++;
          continue;
        }

        const startedAt = this.#now();
        this.queue.transition(fresh.id, 'running', { startedAt, error: null }, 'queued');
        const current: Current = { item: fresh, ready: prep, controller: new AbortController(), intent: null, startedAt, fraction: 0 };
        this.#current = current;
        this.#invalidate(job.id);
        this.#emitItem(fresh, 'running', 0, 0);
        this.#emitBatch(job.id);
        if (prep.factsWarning) this.#emit({ kind: 'warning', jobId: job.id, itemId: fresh.id, message: prep.factsWarning });
        if (prep.formatNote) this.#emit({ kind: 'warning', jobId: job.id, itemId: fresh.id, message: prep.formatNote });

        // Prepare the following item while the engine works on this one.
        if (overlap) {
          const after = this.queue.upcoming(1, options.jobIds)[0];
          if (after) {
            const afterJob = this.queue.job(after.jobId);
            const result = prepareItem(after, afterJob, this.#planner(afterJob), this.#deps);
            result.catch(() => undefined); // awaited when its turn comes; a failure there is reported then
            prefetched = { itemId: after.id, result };
          }
        }

        const settled = this.#runEngine(current, job);
        this.#settling.set(fresh.id, settled.then(() => undefined, () => undefined));
        let outcome: Awaited<typeof settled>;
        try {
          outcome = await settled;
        } finally {
          this.#settling.delete(fresh.id);
        }
        this.#current = null;
        if (!overlap) await this.#post;
        summary[outcome]++;
      }
    } finally {
      this.#current = null;
      if (prefetched) await prefetched.result.catch(() => undefined);
      await this.#post;
    }
    summary.lockLost = this.#lockLost;
    for (const id of options.jobIds ?? this.queue.jobs({ unfinished: true }).map((j) => j.id)) {
      if (this.queue.finishIfComplete(id)) this.#emitBatch(id);
    }
    return summary;
  }

  /** The item if it is still queued, its job still active and unpaused, and it is still first in line. */
  #stillNext(itemId: number, jobIds?: readonly number[]): ItemRecord | null {
    const first = this.queue.upcoming(1, jobIds)[0];
    return first?.id === itemId ? first : null;
  }

  #planner(job: JobRecord): JobOutputPlanner {
    let p = this.#planners.get(job.id);
    if (!p) {
      p = new JobOutputPlanner(job, this.queue.items(job.id).map((i) => i.sourcePath), this.#deps);
      this.#planners.set(job.id, p);
    }
    return p;
  }

  async #runEngine(cur: Current, job: JobRecord): Promise<'done' | 'failed' | 'cancelled' | 'requeued'> {
    const { item, ready } = cur;
    const s = job.settings;
    const modelKey = `${s.model}|${s.scale}`;
    const cold = this.#warmModel !== modelKey;
    let result: EnhanceResult;
    try {
      result = await this.#o.engine.enhance(
        {
          input: item.sourcePath,
          output: ready.output,
          modelDir: this.#o.resolveModelDir(s.model),
          scale: s.scale,
          format: ready.format,
          quality: s.quality,
          tile: s.tile,
          provider: s.provider,
          threads: s.threads > 0 ? s.threads : undefined,
          promptMode: s.promptMode,
          prompt: s.prompt,
          colorFix: s.colorFix,
          // The job keeps strength as a 0–1 fraction (the app's slider); the engine takes a percentage.
          strength: s.strength === undefined ? undefined : s.strength * 100,
          metadata: s.metadata,
          keepFileTimes: s.keepFileTimes,
          maxPixels: maxPixelsOf(s),
        },
        {
          signal: cur.controller.signal,
          onProgress: (p) => this.#onStage(cur, p),
          onWarning: (message) => this.#emit({ kind: 'warning', jobId: job.id, itemId: item.id, message }),
        },
      );
    } catch (e) {
      // A killed engine (cancel, pause now, crash) loads the model again next time.
      this.#warmModel = null;
      this.#current = null;
      return this.#afterFailure(cur, job, e as Error);
    }
    this.#warmModel = modelKey;
    this.#current = null;
    if (cur.intent === 'abandon') return 'requeued';
    await this.#finishDone(cur, job, result, cold);
    return 'done';
  }

  #afterFailure(cur: Current, job: JobRecord, err: Error): 'failed' | 'cancelled' | 'requeued' {
    const { item } = cur;
    const now = this.#now();
    if (cur.intent === 'abandon') return 'requeued';
    if (cur.intent === 'cancel') {
      this.queue.transition(item.id, 'cancelled', { finishedAt: now }, 'running');
      this.#invalidate(job.id);
      this.#emitItem(item, 'cancelled', cur.fraction, now - cur.startedAt);
      this.#emitBatch(job.id);
      return 'cancelled';
    }
    if (cur.intent === 'requeue') {
      this.queue.transition(item.id, 'queued', { startedAt: null }, 'running');
      this.#invalidate(job.id);
      this.#emitItem(item, 'queued', 0, now - cur.startedAt);
      this.#emitBatch(job.id);
      return 'requeued';
    }
    const message = err.message || String(err);
    const code = failureCode(err);
    this.#o.store.db.transaction(() => {
      this.queue.transition(item.id, 'failed', { error: message, finishedAt: now, ms: now - cur.startedAt }, 'running');
      this.#insertLibrary(job, item, cur.ready, { status: 'failed', error: message, startedAt: cur.startedAt, finishedAt: now });
    })();
    this.#invalidate(job.id);
    this.#emitItem(item, 'failed', cur.fraction, now - cur.startedAt, { error: message, code });
    this.#emitBatch(job.id);
    this.#thumbnailsLater(item.id, item.sourcePath, null);
    return 'failed';
  }

  async #finishDone(cur: Current, job: JobRecord, result: EnhanceResult, cold: boolean): Promise<void> {
    const { item, ready } = cur;
    const now = this.#now();
    const ms = now - cur.startedAt;
    const outSize = await stat(ready.output).then(
      (s) => s.size,
      () => null,
    );
    this.#o.store.db.transaction(() => {
      this.queue.transition(item.id, 'done', { outputPath: ready.output, finishedAt: now, ms }, 'running');
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
      });
    })();
    const pixels = ready.probe.width * ready.probe.height;
    this.#device = result.provider;
    const eta = this.#eta(job);
    if (ms > 0) eta.record({ pixels, ms, cold });
    const warm = eta.warmPxPerMs;
    if (warm !== null) this.queue.saveThroughput(job.settings.model, job.settings.scale, result.provider, warm, 1);
    this.#invalidate(job.id);
    this.#emitItem(item, 'done', 1, ms, { outputPath: ready.output });
    this.#emitBatch(job.id);
    this.#thumbnailsLater(item.id, item.sourcePath, ready.output);
  }

  #finishUnusable(item: ItemRecord, job: JobRecord, prep: Extract<Preparation, { kind: 'failed' }>): void {
    const now = this.#now();
    this.#o.store.db.transaction(() => {
      this.queue.transition(item.id, 'failed', { error: prep.error, finishedAt: now, sourceHash: prep.hash }, 'queued');
      this.#insertLibrary(job, item, null, {
        status: 'failed',
        error: prep.error,
        startedAt: null,
        finishedAt: now,
        sourceHash: prep.hash,
        sourceSize: prep.sizeBytes,
      });
    })();
    this.#invalidate(job.id);
    this.#emitItem(item, 'failed', 0, 0, { error: prep.error, code: prep.code });
    this.#emitBatch(job.id);
  }

  #insertLibrary(
    job: JobRecord,
    item: ItemRecord,
    ready: ReadyItem | null,
    r: {
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
    },
  ): void {
    this.library.insert({
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
    });
  }

  /** Thumbnails after the row is committed: a kill before they exist costs only a preview ({@link ThumbnailCache.ensure}). */
  #thumbnailsLater(itemId: number, source: string, output: string | null): void {
    if (this.#o.thumbnails === false) return;
    this.#post = this.#post.then(async () => {
      const entry = this.library.forItem(itemId);
      if (!entry) return;
      let errors: string[];
      try {
        const t = await this.thumbnails.ensure(entry.id, source, output);
        this.library.setThumbnails(entry.id, t.before, t.after);
        errors = t.errors;
      } catch (e) {
        // A preview is not worth stopping the batch for (the cache folder may be unwritable); say so instead.
        errors = [(e as Error).message];
      }
      for (const message of errors) {
        this.#emit({ kind: 'warning', jobId: entry.jobId ?? 0, itemId, message: `thumbnail: ${message}` });
      }
    });
  }

  #onStage(cur: Current, p: StageProgress): void {
    cur.fraction = Math.max(cur.fraction, imageFraction(p.stage, p.done, p.total));
    const { item } = cur;
    this.#emit({ kind: 'tile', jobId: item.jobId, itemId: item.id, stage: p.stage, done: p.done, total: p.total });
    this.#emitItem(item, 'running', cur.fraction, this.#now() - cur.startedAt);
    // The batch figures move little between tiles and cost a query; state changes always emit them.
    if (this.#now() - this.#lastBatchEmit >= BATCH_PROGRESS_INTERVAL_MS) this.#emitBatch(item.jobId);
  }

  #eta(job: JobRecord): EtaEstimator {
    const key = `${job.settings.model}|${job.settings.scale}`;
    let e = this.#etas.get(key);
    if (!e) {
      e = new EtaEstimator(this.queue.throughput(job.settings.model, job.settings.scale, this.#device));
      this.#etas.set(key, e);
    }
    return e;
  }

  #job(jobId: number): JobRecord {
    let j = this.#jobs.get(jobId);
    if (!j) {
      j = this.queue.job(jobId);
      this.#jobs.set(jobId, j);
    }
    return j;
  }

  #invalidate(jobId: number): void {
    this.#jobs.delete(jobId);
    const s = this.#stats.get(jobId);
    this.#stats.delete(jobId);
    // Keep the start time across refreshes: elapsed time is for the whole run of the job.
    if (s) this.#stats.set(jobId, { ...this.#loadStats(jobId), startedAt: s.startedAt });
  }

  #loadStats(jobId: number): JobStats {
    const rows = this.#o.store.db
      .prepare('SELECT state, width, height FROM items WHERE job_id = ?')
      .all(jobId) as { state: string; width: number | null; height: number | null }[];
    const knownPixels: number[] = [];
    let unknown = 0;
    let sum = 0;
    let n = 0;
    for (const r of rows) {
      const px = r.width && r.height ? r.width * r.height : null;
      if (px !== null) {
        sum += px;
        n++;
      }
      if (r.state !== 'queued') continue;
      if (px !== null) knownPixels.push(px);
      else unknown++;
    }
    return { knownPixels, unknown, meanPixels: n ? sum / n : null, startedAt: this.#now() };
  }

  #jobStats(jobId: number): JobStats {
    let s = this.#stats.get(jobId);
    if (!s) {
      s = this.#loadStats(jobId);
      this.#stats.set(jobId, s);
    }
    return s;
  }

  #emit(e: JobProgress): void {
    for (const l of this.#listeners) l(e);
  }

  #emitItem(item: ItemRecord, state: ItemProgress['state'], fraction: number, elapsedMs: number, extra: Partial<ItemProgress> = {}): void {
    if (this.#listeners.size === 0) return;
    const cur = this.#current;
    let etaMs: number | null = null;
    if (state === 'running' && cur?.item.id === item.id) {
      const job = this.#job(item.jobId);
      const total = this.#eta(job).imageMs(cur.ready.probe.width * cur.ready.probe.height);
      etaMs = total === null ? null : total * (1 - fraction);
    } else if (state !== 'queued') etaMs = 0;
    this.#emit({ kind: 'item', jobId: item.jobId, itemId: item.id, sourcePath: item.sourcePath, state, fraction, elapsedMs, etaMs, ...extra });
  }

  #emitBatch(jobId: number): void {
    if (this.#listeners.size === 0) return;
    this.#lastBatchEmit = this.#now();
    const job = this.#job(jobId);
    const counts = this.queue.counts(jobId);
    const stats = this.#jobStats(jobId);
    const cur = this.#current?.item.jobId === jobId ? this.#current : null;
    const eta = this.#eta(job);
    const remaining = estimatePixels(stats.knownPixels, stats.unknown, stats.meanPixels);
    const currentPixels = cur ? cur.ready.probe.width * cur.ready.probe.height : 0;
    const etaMs =
      remaining === null ? null : eta.remainingMs({ remainingPixels: remaining, currentPixels, currentFraction: cur?.fraction ?? 0 });
    const finished = counts.done + counts.failed + counts.cancelled;
    const fraction = counts.total === 0 ? 1 : (finished + (cur?.fraction ?? 0)) / counts.total;
    const rate = eta.measured ? eta.pxPerMs : null;
    const progress: BatchProgress = {
      kind: 'batch',
      jobId,
      counts,
      paused: job.paused,
      fraction,
      elapsedMs: this.#now() - stats.startedAt,
      etaMs: counts.queued + counts.running === 0 ? 0 : etaMs,
      megapixelsPerSecond: rate === null ? null : (rate * 1000) / 1e6,
    };
    this.#emit(progress);
  }
}
