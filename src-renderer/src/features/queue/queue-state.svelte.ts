/**
 * The queue: every item with its state and progress, each job's batch progress (with ETA), and the controls.
 * Progress events from the core update items in place; structural changes (items added, finished, removed) refetch
 * the list, at most a few times a second however many events arrive.
 */
import type { BatchProgress, JobProgress, QueueItem } from '../../../../src-preload/contract';
import type { HostApi } from '../../lib/api/host';
import { smoothFraction, type Motion } from './smooth-progress';

const REFRESH_DELAY_MS = 150;
/** How often a running photo's bar moves between progress events. */
const SMOOTH_TICK_MS = 100;

/** The whole queue in one line: counts over all jobs, a fraction weighted by item count, and a combined ETA. */
export interface OverallProgress {
  total: number;
  done: number;
  failed: number;
  cancelled: number;
  running: number;
  queued: number;
  fraction: number;
  /** Null while any unfinished job has no estimate yet. */
  etaMs: number | null;
  paused: boolean;
}

/** Combines per-job batch progress into the queue's overall progress (pure; tested on its own). */
export function overallProgress(jobs: readonly BatchProgress[]): OverallProgress {
  const o: OverallProgress = { total: 0, done: 0, failed: 0, cancelled: 0, running: 0, queued: 0, fraction: 0, etaMs: 0, paused: false };
  let weighted = 0;
  for (const j of jobs) {
    const c = j.counts;
    o.total += c.total;
    o.done += c.done;
    o.failed += c.failed;
    o.cancelled += c.cancelled;
    o.running += c.running;
    o.queued += c.queued;
    weighted += j.fraction * c.total;
    const unfinished = c.queued + c.running > 0;
    if (unfinished) {
      if (j.paused) o.paused = true;
      o.etaMs = o.etaMs === null || j.etaMs === null ? null : o.etaMs + j.etaMs;
    }
  }
  o.fraction = o.total ? weighted / o.total : 0;
  if (o.queued + o.running === 0) o.etaMs = o.total ? 0 : null;
  return o;
}

export class QueueState {
  #items = $state<QueueItem[]>([]);
  #jobs = $state<BatchProgress[]>([]);
  #selected = $state<number | null>(null);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a plain lookup, replaced with #items ($state)
  #index = new Map<number, number>();
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping for the ticker; the items are the state
  readonly #motions = new Map<number, Motion>();
  #ticker: ReturnType<typeof setInterval> | null = null;
  #refreshing: Promise<void> | null = null;
  readonly #api: HostApi;
  readonly #report: (err: unknown) => void;
  readonly overall = $derived(overallProgress(this.#jobs));

  constructor(api: HostApi, report: (err: unknown) => void) {
    this.#api = api;
    this.#report = report;
  }

  get items(): readonly QueueItem[] {
    return this.#items;
  }
  get jobs(): readonly BatchProgress[] {
    return this.#jobs;
  }
  get selected(): number | null {
    return this.#selected;
  }
  get paused(): boolean {
    return this.overall.paused;
  }

  /** Whether the item is known to have failed (its row already says why). */
  hasFailed(itemId: number): boolean {
    return this.item(itemId)?.state === 'failed';
  }

  select(itemId: number | null): void {
    this.#selected = itemId;
  }

  item(itemId: number): QueueItem | undefined {
    const i = this.#index.get(itemId);
    return i === undefined ? undefined : this.#items[i];
  }

  async refresh(): Promise<void> {
    if (this.#refreshing) return this.#refreshing;
    this.#refreshing = (async () => {
      try {
        const snap = await this.#api.jobsList();
        this.#items = snap.items;
        this.#jobs = snap.jobs;
        // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a plain lookup, replaced with #items ($state)
        this.#index = new Map(snap.items.map((it, i) => [it.id, i]));
      } catch (err) {
        this.#report(err);
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }

  /** Refetches soon; many calls within the delay cost one request. */
  scheduleRefresh(): void {
    if (this.#refreshTimer) return;
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = null;
      void this.refresh();
    }, REFRESH_DELAY_MS);
  }

  /** Applies one core progress event. */
  applyProgress(p: JobProgress): void {
    if (p.kind === 'batch') {
      const i = this.#jobs.findIndex((j) => j.jobId === p.jobId);
      if (i === -1) this.#jobs = [...this.#jobs, p];
      else this.#jobs[i] = p;
      return;
    }
    if (p.kind === 'warning') return; // shown as a notice by the app state
    const item = this.item(p.itemId);
    if (!item) {
      this.scheduleRefresh(); // an item this page has not seen yet (added by the CLI or another window)
      return;
    }
    if (p.kind === 'tile') {
      // The stage name only: the item events carry the image's fraction with every stage weighted (jobs/runner.ts).
      item.stage = p.stage;
      return;
    }
    const changed = item.state !== p.state;
    // While it runs the bar only moves forward: the smoothing may be a little ahead of the next report.
    item.progress = p.state === 'done' ? 1 : p.state === 'running' && !changed ? Math.max(item.progress, p.fraction) : p.fraction;
    item.state = p.state;
    this.#track(p.itemId, p.state === 'running' && p.stageEnd !== undefined ? { from: p.fraction, at: Date.now(), end: p.stageEnd, etaMs: p.etaMs } : null);
    if (p.error) item.error = { code: p.code ?? 'INTERNAL', message: p.error };
    // Finished items gain output URLs and library ids that only the list carries.
    if (changed && p.state !== 'running') this.scheduleRefresh();
  }

  /** Starts or stops moving an item's bar between events; one ticker serves every running item. */
  #track(itemId: number, motion: Motion | null): void {
    if (motion) this.#motions.set(itemId, motion);
    else this.#motions.delete(itemId);
    if (this.#motions.size > 0 && !this.#ticker) this.#ticker = setInterval(() => this.#tick(), SMOOTH_TICK_MS);
    if (this.#motions.size === 0) this.#stopTicker();
  }

  #tick(): void {
    const now = Date.now();
    for (const [id, m] of this.#motions) {
      const item = this.item(id);
      if (item?.state !== 'running') this.#motions.delete(id);
      else item.progress = Math.max(item.progress, smoothFraction(m, now));
    }
    if (this.#motions.size === 0) this.#stopTicker();
  }

  #stopTicker(): void {
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = null;
  }

  async pause(now = false): Promise<void> {
    await this.#call(() => this.#api.jobsPause({ now }));
  }
  async resume(): Promise<void> {
    await this.#call(() => this.#api.jobsResume());
  }
  async cancel(itemId?: number): Promise<void> {
    await this.#call(() => this.#api.jobsCancel(itemId === undefined ? {} : { itemId }));
  }
  /** Cancels every photo not yet started; the one being restored finishes. */
  async cancelWaiting(): Promise<void> {
    await this.#call(() => this.#api.jobsCancel({ waiting: true }));
  }
  async remove(itemIds: number[]): Promise<void> {
    if (!itemIds.length) return;
    await this.#call(() => this.#api.jobsRemove({ itemIds }));
  }
  /** Removes every finished, failed and cancelled item from the view. */
  async clearFinished(): Promise<void> {
    await this.remove(this.#items.filter((i) => i.state !== 'queued' && i.state !== 'running').map((i) => i.id));
  }

  async #call(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.#report(err);
    }
    await this.refresh();
  }

  dispose(): void {
    this.#motions.clear();
    this.#stopTicker();
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
    this.#refreshTimer = null;
  }

  reset(): void {
    this.dispose();
    this.#items = [];
    this.#jobs = [];
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a plain lookup, replaced with #items ($state)
    this.#index = new Map();
    this.#selected = null;
  }
}
