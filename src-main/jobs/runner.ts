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
 * The runner is the loop and the controls; {@link ProgressReporter} says what happens (events, ETAs) and
 * {@link ResultRecorder} writes down how each item ended (queue, library, thumbnails). The stores are the caller's:
 * the composition root (core/open.ts) builds them once per data folder.
 *
 * Control: `cancel` aborts the running image at once (the engine host kills its process; the item becomes
 * cancelled, no partial output exists because the engine writes atomically); `pause` lets the running image finish
 * and starts nothing new; `pause({ now: true })` aborts the running image and puts it back in the queue.
 */
import type { ProcessLock } from '../store/lock';
import type { LibraryStore } from '../library/library-store';
import { readPhotoFacts } from '../library/photo-facts';
import type { ThumbnailCache } from '../library/thumbnails';
import { probeImage } from '../imaging/probe';
import { decodeImage } from '../imaging/read';
import type { Engine, EnhanceResult } from './engine';
import { engineChain } from './engine-chain';
import { hashFile } from './hash';
import { checkSpace, InsufficientSpaceError, type SpaceCheck, type SpaceProbe, systemSpaceProbe } from './disk-space';
import { expectedOutputs, JobOutputPlanner, jobsShortOfSpace, maxPixelsOf, type Preparation, type PrepareDeps, prepareItem, type ReadyItem } from './prepare';
import type { JobProgressListener } from './progress';
import { ProgressReporter, type RunningItem } from './progress-reporter';
import type { ItemRecord, JobRecord, QueueStore } from './queue-store';
import { recoverInterrupted, type RecoveryReport } from './recovery';
import { ResultRecorder } from './result-recorder';
import { repairStageKeepingMask } from './repair-stage';

export interface RunnerOptions {
  queue: QueueStore;
  library: LibraryStore;
  /** Where library thumbnails go; null makes none. */
  thumbnails: ThumbnailCache | null;
  engine: Engine;
  /** The queue lock, held by this process ({@link acquireLock} with QUEUE_LOCK). */
  lock: ProcessLock;
  /** Folder of an installed model pack, by id. */
  resolveModelDir(modelId: string): string;
  /** Prepare the next item and make thumbnails while the engine runs (default true). */
  overlap?: boolean;
  now?: () => number;
  /** Replaceable for tests. */
  probe?: PrepareDeps['probe'];
  hash?: PrepareDeps['hash'];
  readFacts?: PrepareDeps['readFacts'];
  /** The scale a pack works at for a requested scale (a 4× model makes 4× first); default: the requested scale. */
  workingScale?: PrepareDeps['workingScale'];
  /** Decodes a found output completely (crash recovery); returns its size. */
  verifyOutput?: (path: string) => Promise<{ width: number; height: number }>;
  space?: SpaceProbe;
  /** Where the engine keeps the mask each repaired photo used (the library row records it); left out, none is kept. */
  masksDir?: string;
}

export interface RunOptions {
  /** Only these jobs (default: every active job, oldest first). */
  jobIds?: readonly number[];
  /**
   * Check free disk space before starting (default true). A job whose outputs do not fit is paused, with a warning
   * that says where and how much (resuming it checks again), and the others run; when none fits, nothing is paused
   * and the run throws.
   */
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

interface Current extends RunningItem {
  controller: AbortController;
  intent: StopIntent | null;
}

/** The next item, being prepared while the engine works on the current one. */
interface Prefetch {
  itemId: number;
  result: Promise<Preparation>;
}

export class JobRunner {
  readonly queue: QueueStore;
  readonly library: LibraryStore;
  readonly thumbnails: ThumbnailCache | null;
  readonly #o: RunnerOptions;
  readonly #now: () => number;
  readonly #deps: PrepareDeps;
  readonly #reporter: ProgressReporter;
  readonly #recorder: ResultRecorder;
  readonly #planners = new Map<number, JobOutputPlanner>();
  #current: Current | null = null;
  #running: Promise<RunSummary> | null = null;
  #stopRequested = false;
  #lockLost = false;
  /** Model (and scale) the engine last loaded; a different one, or a restart, makes the next image "cold". */
  #warmModel: string | null = null;
  /** The running item's id → settles once its engine call has ended and its new state is recorded. */
  readonly #settling = new Map<number, Promise<void>>();

  constructor(options: RunnerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.queue = options.queue;
    this.library = options.library;
    this.thumbnails = options.thumbnails;
    this.#deps = {
      queue: this.queue,
      library: this.library,
      probe: options.probe ?? probeImage,
      hash: options.hash ?? hashFile,
      readFacts: options.readFacts ?? readPhotoFacts,
      ...(options.workingScale ? { workingScale: options.workingScale } : {}),
    };
    this.#reporter = new ProgressReporter({ queue: this.queue, now: this.#now, current: () => this.#current });
    this.#recorder = new ResultRecorder({
      queue: this.queue,
      library: this.library,
      thumbnails: this.thumbnails,
      reporter: this.#reporter,
      now: this.#now,
    });
    options.lock.onLost(() => {
      this.#lockLost = true;
      this.#stopRequested = true;
      // Another process now owns the queue and will recover this item itself: stop, and write nothing about it.
      this.#abortCurrent('abandon');
    });
  }

  /** Subscribes to progress events. Returns the unsubscribe function. */
  onProgress(listener: JobProgressListener): () => void {
    return this.#reporter.onProgress(listener);
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
      thumbnails: this.thumbnails,
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
    return checkSpace(await expectedOutputs(this.queue, jobs, this.#deps), this.#o.space ?? systemSpaceProbe);
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
    this.#reporter.forgetJob(jobId);
    if (options.now && this.#current?.item.jobId === jobId) this.#abortCurrent('requeue');
    this.#reporter.batch(jobId);
  }

  /** Unpauses a job (call {@link run} to process it if no run is in progress). */
  resume(jobId: number): void {
    this.queue.setPaused(jobId, false);
    this.#reporter.forgetJob(jobId);
    this.#reporter.batch(jobId);
  }

  /** Cancels a job: its queued items are cancelled and its running image is stopped now (kept with `waitingOnly`). */
  cancel(jobId: number, waitingOnly = false): void {
    this.queue.cancelJob(jobId, waitingOnly);
    if (!waitingOnly && this.#current?.item.jobId === jobId) this.#abortCurrent('cancel');
    this.#reporter.invalidate(jobId);
    this.#reporter.batch(jobId);
  }

  /** Cancels one item (stopping it now if it is running). */
  cancelItem(itemId: number): void {
    if (this.#current?.item.id === itemId) {
      this.#abortCurrent('cancel');
      return;
    }
    const item = this.queue.item(itemId);
    this.queue.transition(itemId, 'cancelled', { finishedAt: this.#now() });
    this.#reporter.invalidate(item.jobId);
    this.#reporter.batch(item.jobId);
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
    this.#reporter.batch(item.jobId);
  }

  /** Removes a queued, finished or failed item from its job (never a file). */
  remove(itemId: number): void {
    const item = this.queue.item(itemId);
    this.queue.remove(itemId);
    this.#reporter.invalidate(item.jobId);
    this.#reporter.batch(item.jobId);
  }

  /** Waits for background work (thumbnails) to finish. */
  async idle(): Promise<void> {
    await this.#running?.catch(() => undefined);
    await this.#recorder.idle();
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
    if (options.checkSpace !== false) await this.#makeRoom(options.jobIds);
    const overlap = this.#o.overlap !== false;
    let prefetched: Prefetch | null = null;
    try {
      while (!this.#stopRequested) {
        const next = this.queue.upcoming(1, options.jobIds)[0];
        if (!next) break;
        const job = this.queue.job(next.jobId);
        const prep = prefetched?.itemId === next.id ? await prefetched.result : await prepareItem(next, job, this.#planner(job), this.#deps);
        prefetched = null;
        // The user may have cancelled, removed, moved or paused while this item was being prepared.
        const fresh = this.#stillNext(next.id, options.jobIds);
        if (!fresh) continue;
        if (prep.kind === 'failed') {
          this.#recorder.unusable(fresh, job, prep);
          summary.failed++;
          continue;
        }
        if (prep.kind === 'skip') {
          this.#recorder.skipped(fresh, prep);
          summary.skipped++;
          continue;
        }
        const current = this.#start(fresh, job, prep);
        // Prepare the following item while the engine works on this one.
        if (overlap) prefetched = this.#prefetch(options.jobIds);
        summary[await this.#settle(current, job)]++;
        if (!overlap) await this.#recorder.idle();
      }
    } finally {
      this.#current = null;
      if (prefetched) await prefetched.result.catch(() => undefined);
      await this.#recorder.idle();
    }
    summary.lockLost = this.#lockLost;
    for (const id of options.jobIds ?? this.queue.jobs({ unfinished: true }).map((j) => j.id)) {
      if (this.queue.finishIfComplete(id)) this.#reporter.batch(id);
    }
    return summary;
  }

  /** The space check (see {@link RunOptions.checkSpace}); a job-wide warning carries item id 0. */
  async #makeRoom(jobIds?: readonly number[]): Promise<void> {
    const jobs = jobIds ? jobIds.map((id) => this.queue.job(id)) : this.queue.jobs({ unfinished: true });
    const { runnable, short } = await jobsShortOfSpace(this.queue, jobs, this.#deps, this.#o.space ?? systemSpaceProbe);
    if (short.length && !runnable) throw new InsufficientSpaceError(short.flatMap((j) => j.checks));
    for (const j of short) {
      this.pause(j.jobId);
      this.#reporter.warn(j.jobId, 0, `batch ${j.jobId} paused: ${new InsufficientSpaceError(j.checks).message}; free some space, then resume it`);
    }
  }

  /** Marks the item running and announces it; it becomes the current item. */
  #start(item: ItemRecord, job: JobRecord, ready: ReadyItem): Current {
    const startedAt = this.#now();
    this.queue.transition(item.id, 'running', { startedAt, error: null }, 'queued');
    const current: Current = { item, ready, controller: new AbortController(), intent: null, startedAt, fraction: 0 };
    this.#current = current;
    this.#reporter.changed(item, 'running', 0, 0);
    if (ready.factsWarning) this.#reporter.warn(job.id, item.id, ready.factsWarning);
    if (ready.formatNote) this.#reporter.warn(job.id, item.id, ready.formatNote);
    return current;
  }

  #prefetch(jobIds?: readonly number[]): Prefetch | null {
    const after = this.queue.upcoming(1, jobIds)[0];
    if (!after) return null;
    const afterJob = this.queue.job(after.jobId);
    const result = prepareItem(after, afterJob, this.#planner(afterJob), this.#deps);
    result.catch(() => undefined); // awaited when its turn comes; a failure there is reported then
    return { itemId: after.id, result };
  }

  /** Runs the current item through the engine; {@link whenSettled} waits on it meanwhile. */
  async #settle(current: Current, job: JobRecord): Promise<'done' | 'failed' | 'cancelled' | 'requeued'> {
    const id = current.item.id;
    const settled = this.#runEngine(current, job);
    this.#settling.set(id, settled.then(() => undefined, () => undefined));
    try {
      return await settled;
    } finally {
      this.#settling.delete(id);
      this.#current = null;
    }
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
    // Named with the start time too: item ids are reused once the queue forgets its newest items.
    const repairStage = await repairStageKeepingMask(s, (id) => this.#o.resolveModelDir(id), this.#o.masksDir, `item-${item.id}-${cur.startedAt}`);
    let result: EnhanceResult;
    try {
      result = await this.#o.engine.enhance(
        {
          input: item.sourcePath,
          output: ready.output,
          ...engineChain(s, (id) => this.#o.resolveModelDir(id)),
          repairStage,
          scale: s.scale,
          format: ready.format,
          quality: s.quality,
          provider: s.provider,
          threads: s.threads > 0 ? s.threads : undefined,
          metadata: s.metadata,
          keepFileTimes: s.keepFileTimes,
          maxPixels: maxPixelsOf(s),
        },
        {
          signal: cur.controller.signal,
          onProgress: (p) => this.#reporter.stage(cur, p),
          onWarning: (message) => this.#reporter.warn(job.id, item.id, message),
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
    await this.#recorder.done(cur, job, result, cold, repairStage?.maskOut ?? null);
    return 'done';
  }

  #afterFailure(cur: Current, job: JobRecord, err: Error): 'failed' | 'cancelled' | 'requeued' {
    switch (cur.intent) {
      case 'abandon':
        return 'requeued';
      case 'cancel':
        this.#recorder.cancelled(cur);
        return 'cancelled';
      case 'requeue':
        this.#recorder.requeued(cur);
        return 'requeued';
      default:
        this.#recorder.failed(cur, job, err);
        return 'failed';
    }
  }
}
