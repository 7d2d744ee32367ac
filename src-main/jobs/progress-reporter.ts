/**
 * The runner's voice: turns what happens to items into {@link JobProgress} events — per tile, per item (with the
 * image's own ETA) and per batch (counts, fraction, the batch's ETA and speed). It keeps the figures that make those
 * events cheap to compute many times a second: job rows, per-job pixel statistics and one ETA estimator per
 * model and scale, seeded with the throughput the queue remembers from earlier runs.
 */
import type { StageProgress } from '../pixels/types';
import { estimatePixels, EtaEstimator } from './eta';
import { imageFraction, stageEnd, type BatchProgress, type ItemProgress, type JobProgress, type JobProgressListener } from './progress';
import type { ReadyItem } from './prepare';
import type { ItemRecord, JobRecord, QueueStore } from './queue-store';

/** At most one batch event per this many ms from tile progress (every state change emits one anyway). */
const BATCH_PROGRESS_INTERVAL_MS = 100;

/** The item the engine is working on, as progress sees it. */
export interface RunningItem {
  item: ItemRecord;
  ready: ReadyItem;
  startedAt: number;
  /** 0–1 through the image, never going back. */
  fraction: number;
}

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

export interface ProgressReporterOptions {
  queue: QueueStore;
  now: () => number;
  /** The item running now, or null. */
  current: () => RunningItem | null;
}

/** A timed image run, for the ETA and the queue's remembered throughput. */
export interface TimedRun {
  job: JobRecord;
  pixels: number;
  ms: number;
  /** The model was loaded for this image (first image, another model, or after an engine restart). */
  cold: boolean;
  provider: string;
}

export class ProgressReporter {
  readonly #queue: QueueStore;
  readonly #now: () => number;
  readonly #current: () => RunningItem | null;
  readonly #listeners = new Set<JobProgressListener>();
  readonly #etas = new Map<string, EtaEstimator>();
  readonly #stats = new Map<number, JobStats>();
  /** Job rows for progress events (tile events come many times a second; the row changes only on pause/cancel). */
  readonly #jobs = new Map<number, JobRecord>();
  #lastBatchEmit = 0;
  /** The provider that ran last, to seed estimators with the throughput measured on it. */
  #device: string | null = null;

  constructor(options: ProgressReporterOptions) {
    this.#queue = options.queue;
    this.#now = options.now;
    this.#current = options.current;
  }

  /** Subscribes to progress events. Returns the unsubscribe function. */
  onProgress(listener: JobProgressListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(e: JobProgress): void {
    for (const l of this.#listeners) l(e);
  }

  warn(jobId: number, itemId: number, message: string): void {
    this.emit({ kind: 'warning', jobId, itemId, message });
  }

  /** The job's row is stale (paused, resumed): read it again for the next event. */
  forgetJob(jobId: number): void {
    this.#jobs.delete(jobId);
  }

  /** The job's items changed state: its row and pixel statistics are read again (its elapsed time keeps running). */
  invalidate(jobId: number): void {
    this.#jobs.delete(jobId);
    const s = this.#stats.get(jobId);
    this.#stats.delete(jobId);
    if (s) this.#stats.set(jobId, { ...this.#loadStats(jobId), startedAt: s.startedAt });
  }

  /** A stage of the running image advanced: a tile event, the item's progress and, now and then, the batch's. */
  stage(cur: RunningItem, p: StageProgress): void {
    cur.fraction = Math.max(cur.fraction, imageFraction(p.stage, p.done, p.total));
    const { item } = cur;
    this.emit({ kind: 'tile', jobId: item.jobId, itemId: item.id, stage: p.stage, done: p.done, total: p.total });
    this.item(item, 'running', cur.fraction, this.#now() - cur.startedAt, { stageEnd: Math.max(cur.fraction, stageEnd(p.stage)) });
    // The batch figures move little between tiles and cost a query; state changes always emit them.
    if (this.#now() - this.#lastBatchEmit >= BATCH_PROGRESS_INTERVAL_MS) this.batch(item.jobId);
  }

  /** Feeds a finished image's time to the ETA, and remembers the warm throughput for later runs. */
  recordRun(r: TimedRun): void {
    this.#device = r.provider;
    const eta = this.#eta(r.job);
    if (r.ms > 0) eta.record({ pixels: r.pixels, ms: r.ms, cold: r.cold });
    const warm = eta.warmPxPerMs;
    if (warm !== null) this.#queue.saveThroughput(r.job.settings.model, r.job.settings.scale, r.provider, warm, 1);
  }

  item(item: ItemRecord, state: ItemProgress['state'], fraction: number, elapsedMs: number, extra: Partial<ItemProgress> = {}): void {
    if (this.#listeners.size === 0) return;
    const cur = this.#current();
    let etaMs: number | null = null;
    if (state === 'running' && cur?.item.id === item.id) {
      const total = this.#eta(this.#job(item.jobId)).imageMs(cur.ready.probe.width * cur.ready.probe.height);
      etaMs = total === null ? null : total * (1 - fraction);
    } else if (state !== 'queued') etaMs = 0;
    this.emit({ kind: 'item', jobId: item.jobId, itemId: item.id, sourcePath: item.sourcePath, state, fraction, elapsedMs, etaMs, ...extra });
  }

  batch(jobId: number): void {
    if (this.#listeners.size === 0) return;
    this.#lastBatchEmit = this.#now();
    const job = this.#job(jobId);
    const counts = this.#queue.counts(jobId);
    const stats = this.#jobStats(jobId);
    const running = this.#current();
    const cur = running?.item.jobId === jobId ? running : null;
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
    this.emit(progress);
  }

  /** Item and batch events for an item that changed state (its job's figures are refreshed first). */
  changed(item: ItemRecord, state: ItemProgress['state'], fraction: number, elapsedMs: number, extra: Partial<ItemProgress> = {}): void {
    this.invalidate(item.jobId);
    this.item(item, state, fraction, elapsedMs, extra);
    this.batch(item.jobId);
  }

  #eta(job: JobRecord): EtaEstimator {
    const key = `${job.settings.model}|${job.settings.scale}`;
    let e = this.#etas.get(key);
    if (!e) {
      e = new EtaEstimator(this.#queue.throughput(job.settings.model, job.settings.scale, this.#device));
      this.#etas.set(key, e);
    }
    return e;
  }

  #job(jobId: number): JobRecord {
    let j = this.#jobs.get(jobId);
    if (!j) {
      j = this.#queue.job(jobId);
      this.#jobs.set(jobId, j);
    }
    return j;
  }

  #loadStats(jobId: number): JobStats {
    const knownPixels: number[] = [];
    let unknown = 0;
    let sum = 0;
    let n = 0;
    for (const r of this.#queue.sizes(jobId)) {
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
}
