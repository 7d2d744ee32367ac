/**
 * The queue's rows: jobs and their items, through the shared database handle. Every state change goes through
 * {@link QueueStore.transition}, which checks the state machine inside a transaction, so two code paths (the runner
 * finishing an image, the user cancelling it) cannot both win.
 */
import type { Db } from '../store/types';
import { type JobSettings, parseJobSettings } from '../settings/job-settings';
import { assertTransition, type ItemState, parseItemState } from './state';
import type { BatchCounts } from './progress';

export type JobState = 'active' | 'finished' | 'cancelled';

export interface JobRecord {
  id: number;
  createdAt: number;
  settings: JobSettings;
  /** Redo sources even when a matching result exists. */
  force: boolean;
  paused: boolean;
  state: JobState;
  finishedAt: number | null;
}

export interface ItemRecord {
  id: number;
  jobId: number;
  position: number;
  sourcePath: string;
  state: ItemState;
  sourceHash: string | null;
  /** settingsKey() of the planned output (set with plannedOutput). */
  settingsKey: string | null;
  sourceSize: number | null;
  width: number | null;
  height: number | null;
  plannedOutput: string | null;
  outputPath: string | null;
  skipped: boolean;
  adopted: boolean;
  attempts: number;
  error: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  ms: number | null;
}

/** Fields that may be set together with a transition. */
export interface ItemUpdate {
  sourceHash?: string | null;
  settingsKey?: string | null;
  sourceSize?: number | null;
  width?: number | null;
  height?: number | null;
  plannedOutput?: string | null;
  outputPath?: string | null;
  skipped?: boolean;
  adopted?: boolean;
  error?: string | null;
  startedAt?: number | null;
  finishedAt?: number | null;
  ms?: number | null;
}

interface JobRow {
  id: number;
  created_at: number;
  settings: string;
  force: number;
  paused: number;
  state: string;
  finished_at: number | null;
}

interface ItemRow {
  id: number;
  job_id: number;
  position: number;
  source_path: string;
  state: string;
  source_hash: string | null;
  settings_key: string | null;
  source_size: number | null;
  width: number | null;
  height: number | null;
  planned_output: string | null;
  output_path: string | null;
  skipped: number;
  adopted: number;
  attempts: number;
  error: string | null;
  started_at: number | null;
  finished_at: number | null;
  ms: number | null;
}

const COLUMN: Readonly<Record<keyof ItemUpdate, string>> = {
  sourceHash: 'source_hash',
  settingsKey: 'settings_key',
  sourceSize: 'source_size',
  width: 'width',
  height: 'height',
  plannedOutput: 'planned_output',
  outputPath: 'output_path',
  skipped: 'skipped',
  adopted: 'adopted',
  error: 'error',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  ms: 'ms',
};

function toJob(r: JobRow): JobRecord {
  if (r.state !== 'active' && r.state !== 'finished' && r.state !== 'cancelled') {
    throw new Error(`job ${r.id} has unknown state ${JSON.stringify(r.state)}`);
  }
  let settings: JobSettings;
  try {
    settings = parseJobSettings(JSON.parse(r.settings));
  } catch (e) {
    throw new Error(`job ${r.id} has unreadable settings: ${(e as Error).message}`, { cause: e });
  }
  return {
    id: r.id,
    createdAt: r.created_at,
    settings,
    force: r.force === 1,
    paused: r.paused === 1,
    state: r.state,
    finishedAt: r.finished_at,
  };
}

function toItem(r: ItemRow): ItemRecord {
  return {
    id: r.id,
    jobId: r.job_id,
    position: r.position,
    sourcePath: r.source_path,
    state: parseItemState(r.state),
    sourceHash: r.source_hash,
    settingsKey: r.settings_key,
    sourceSize: r.source_size,
    width: r.width,
    height: r.height,
    plannedOutput: r.planned_output,
    outputPath: r.output_path,
    skipped: r.skipped === 1,
    adopted: r.adopted === 1,
    attempts: r.attempts,
    error: r.error,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    ms: r.ms,
  };
}

export class QueueStore {
  constructor(
    readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates a job with a settings snapshot (validated) and its sources in the given order. */
  createJob(settings: JobSettings, sources: readonly string[], options: { force?: boolean } = {}): JobRecord {
    const snapshot = parseJobSettings(settings);
    const id = this.db.transaction(() => {
      const r = this.db
        .prepare('INSERT INTO jobs (created_at, settings, force) VALUES (?, ?, ?)')
        .run(this.now(), JSON.stringify(snapshot), options.force ? 1 : 0);
      const jobId = Number(r.lastInsertRowid);
      this.#insertItems(jobId, sources);
      return jobId;
    })();
    return this.job(id);
  }

  /**
   * Appends sources to a job, ignoring those it already has. Returns the paths added and those already present.
   */
  addItems(jobId: number, sources: readonly string[]): { added: string[]; duplicates: string[] } {
    const job = this.job(jobId);
    if (job.state !== 'active') throw new Error(`job ${jobId} is ${job.state}; start a new job to add photos`);
    return this.db.transaction(() => this.#insertItems(jobId, sources))();
  }

  #insertItems(jobId: number, sources: readonly string[]): { added: string[]; duplicates: string[] } {
    const max = this.db.prepare('SELECT COALESCE(MAX(position), -1) AS p FROM items WHERE job_id = ?').get(jobId) as {
      p: number;
    };
    const insert = this.db.prepare(
      'INSERT INTO items (job_id, position, source_path) VALUES (?, ?, ?) ON CONFLICT (job_id, source_path) DO NOTHING',
    );
    const added: string[] = [];
    const duplicates: string[] = [];
    let position = max.p + 1;
    for (const source of sources) {
      if (insert.run(jobId, position, source).changes === 1) {
        added.push(source);
        position++;
      } else {
        duplicates.push(source);
      }
    }
    return { added, duplicates };
  }

  job(jobId: number): JobRecord {
    const r = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(jobId) as JobRow | undefined;
    if (!r) throw new Error(`no job with id ${jobId}`);
    return toJob(r);
  }

  /** Jobs, newest first; `unfinished` keeps the active ones. */
  jobs(options: { unfinished?: boolean } = {}): JobRecord[] {
    const sql = options.unfinished
      ? "SELECT * FROM jobs WHERE state = 'active' ORDER BY id"
      : 'SELECT * FROM jobs ORDER BY id DESC';
    return (this.db.prepare(sql).all() as JobRow[]).map(toJob);
  }

  item(itemId: number): ItemRecord {
    const r = this.db.prepare('SELECT * FROM items WHERE id = ?').get(itemId) as ItemRow | undefined;
    if (!r) throw new Error(`no queue item with id ${itemId}`);
    return toItem(r);
  }

  /** A job's items in queue order. */
  items(jobId: number): ItemRecord[] {
    return (this.db.prepare('SELECT * FROM items WHERE job_id = ? ORDER BY position, id').all(jobId) as ItemRow[]).map(
      toItem,
    );
  }

  /** Items in a state, across all jobs. */
  itemsInState(state: ItemState): ItemRecord[] {
    return (this.db.prepare('SELECT * FROM items WHERE state = ? ORDER BY job_id, position').all(state) as ItemRow[]).map(
      toItem,
    );
  }

  /**
   * The queued items that would run next, in order: active, unpaused jobs oldest first, then queue position.
   * `jobIds` restricts the choice to those jobs.
   */
  upcoming(limit: number, jobIds?: readonly number[]): ItemRecord[] {
    const filter = jobIds ? `AND j.id IN (${jobIds.map(() => '?').join(',') || 'NULL'})` : '';
    const rows = this.db
      .prepare(
        `SELECT i.* FROM items i JOIN jobs j ON j.id = i.job_id
         WHERE i.state = 'queued' AND j.state = 'active' AND j.paused = 0 ${filter}
         ORDER BY j.id, i.position, i.id LIMIT ?`,
      )
      .all(...(jobIds ?? []), limit) as ItemRow[];
    return rows.map(toItem);
  }

  /**
   * Moves an item to a state (checked against the state machine) and sets fields in the same transaction.
   * `expected` guards against a concurrent change: if the item is no longer in that state nothing happens and false
   * is returned.
   */
  transition(itemId: number, to: ItemState, update: ItemUpdate = {}, expected?: ItemState): boolean {
    return this.db.transaction(() => {
      const current = this.item(itemId);
      if (expected !== undefined && current.state !== expected) return false;
      assertTransition(itemId, current.state, to);
      this.#update(itemId, { ...update }, to === 'running');
      this.db.prepare('UPDATE items SET state = ? WHERE id = ?').run(to, itemId);
      return true;
    })();
  }

  /** Sets fields without changing the state (e.g. the hash and planned output found while preparing). */
  update(itemId: number, update: ItemUpdate): void {
    this.#update(itemId, update, false);
  }

  #update(itemId: number, update: ItemUpdate, countAttempt: boolean): void {
    const sets: string[] = [];
    const values: (string | number | null)[] = [];
    for (const [key, value] of Object.entries(update) as [keyof ItemUpdate, ItemUpdate[keyof ItemUpdate]][]) {
      if (value === undefined) continue;
      sets.push(`${COLUMN[key]} = ?`);
      values.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    }
    if (countAttempt) sets.push('attempts = attempts + 1');
    if (sets.length === 0) return;
    this.db.prepare(`UPDATE items SET ${sets.join(', ')} WHERE id = ?`).run(...values, itemId);
  }

  /**
   * Moves a queued item to `index` among its job's queued items (0 = next to run). Other items keep their order.
   * @throws if the item is not queued or the index is out of range.
   */
  move(itemId: number, index: number): void {
    this.db.transaction(() => {
      const item = this.item(itemId);
      if (item.state !== 'queued') throw new Error(`item ${itemId} is ${item.state}; only queued items can be reordered`);
      const queued = this.items(item.jobId).filter((i) => i.state === 'queued');
      if (!Number.isInteger(index) || index < 0 || index >= queued.length) {
        throw new RangeError(`position ${index} is outside the job's ${queued.length} queued items (0–${queued.length - 1})`);
      }
      const order = queued.filter((i) => i.id !== itemId);
      order.splice(index, 0, item);
      // Reuse the queued items' own position values, so items in other states keep theirs.
      const slots = queued.map((i) => i.position).sort((a, b) => a - b);
      const set = this.db.prepare('UPDATE items SET position = ? WHERE id = ?');
      order.forEach((it, k) => set.run(slots[k]!, it.id));
    })();
  }

  /**
   * Removes an item from its job. A running item must be cancelled first; removing never touches files.
   */
  remove(itemId: number): void {
    this.db.transaction(() => {
      const item = this.item(itemId);
      if (item.state === 'running') throw new Error(`item ${itemId} is running; cancel it before removing it`);
      this.db.prepare('DELETE FROM items WHERE id = ?').run(itemId);
    })();
  }

  setPaused(jobId: number, paused: boolean): void {
    const r = this.db.prepare("UPDATE jobs SET paused = ? WHERE id = ? AND state = 'active'").run(paused ? 1 : 0, jobId);
    if (r.changes === 0) {
      const job = this.job(jobId);
      throw new Error(`job ${jobId} is ${job.state}; only an active job can be paused or resumed`);
    }
  }

  /** Cancels a job's queued items and the job (not its running item: the runner's); `waitingOnly` keeps the job. */
  cancelJob(jobId: number, waitingOnly = false): void {
    this.db.transaction(() => {
      this.job(jobId);
      this.db
        .prepare("UPDATE items SET state = 'cancelled', finished_at = ? WHERE job_id = ? AND state = 'queued'")
        .run(this.now(), jobId);
      // Waiting only: the running photo finishes and then the job does, as if its last photo had been reached.
      if (waitingOnly) this.finishIfComplete(jobId);
      else this.db.prepare("UPDATE jobs SET state = 'cancelled', paused = 0, finished_at = ? WHERE id = ? AND state = 'active'").run(this.now(), jobId);
    })();
  }

  /** Marks an active job finished when none of its items is queued or running. Returns whether it did. */
  finishIfComplete(jobId: number): boolean {
    const r = this.db
      .prepare(
        `UPDATE jobs SET state = 'finished', finished_at = ? WHERE id = ? AND state = 'active'
         AND NOT EXISTS (SELECT 1 FROM items WHERE job_id = ? AND state IN ('queued', 'running'))`,
      )
      .run(this.now(), jobId, jobId);
    return r.changes === 1;
  }

  /** Puts failed and cancelled items back in the queue (retry) and re-activates the job. Returns how many. */
  retry(jobId: number, states: readonly ('failed' | 'cancelled')[] = ['failed']): number {
    return this.db.transaction(() => {
      const ids = this.items(jobId)
        .filter((i) => (states as readonly ItemState[]).includes(i.state))
        .map((i) => i.id);
      for (const id of ids) this.transition(id, 'queued', { error: null, finishedAt: null });
      if (ids.length > 0) {
        this.db.prepare("UPDATE jobs SET state = 'active', finished_at = NULL WHERE id = ?").run(jobId);
      }
      return ids.length;
    })();
  }

  counts(jobId: number): BatchCounts {
    const rows = this.db
      .prepare('SELECT state, COUNT(*) AS n, SUM(skipped) AS s FROM items WHERE job_id = ? GROUP BY state')
      .all(jobId) as { state: string; n: number; s: number }[];
    const c: BatchCounts = { total: 0, queued: 0, running: 0, done: 0, failed: 0, cancelled: 0, skipped: 0 };
    for (const r of rows) {
      c[parseItemState(r.state)] = r.n;
      c.total += r.n;
      if (r.state === 'done') c.skipped = r.s;
    }
    return c;
  }

  /** Each item's state and probed size (null until probed): what the ETA needs, without reading whole rows. */
  sizes(jobId: number): { state: string; width: number | null; height: number | null }[] {
    return this.db.prepare('SELECT state, width, height FROM items WHERE job_id = ?').all(jobId) as {
      state: string;
      width: number | null;
      height: number | null;
    }[];
  }

  /** Whether some unfinished item (of any job) other than `exceptItemId` has planned to write this path. */
  isPlannedByOther(outputPath: string, exceptItemId: number): { itemId: number; sourceHash: string | null } | null {
    const r = this.db
      .prepare(
        `SELECT id, source_hash FROM items WHERE planned_output = ? AND id != ? AND state IN ('queued', 'running')
         LIMIT 1`,
      )
      .get(outputPath, exceptItemId) as { id: number; source_hash: string | null } | undefined;
    return r ? { itemId: r.id, sourceHash: r.source_hash } : null;
  }

  /**
   * Releases the output names queued items of other jobs planned for the same photo (source path, content, settings):
   * `item`'s batch supersedes them. They keep their place; if they ever run they plan again (and find `item`'s result).
   */
  releaseSuperseded(item: Pick<ItemRecord, 'id' | 'sourcePath'>, sourceHash: string, settingsKey: string): number {
    const sql = `UPDATE items SET planned_output = NULL WHERE source_path = ? AND id != ? AND state = 'queued'
      AND source_hash = ? AND settings_key = ? AND planned_output IS NOT NULL`;
    return this.db.prepare(sql).run(item.sourcePath, item.id, sourceHash, settingsKey).changes;
  }

  /**
   * Whether an item (any job, any state) planned this output for the same content and settings — i.e. the file there
   * is Revive's own result for this photo (possibly written just before a crash), not someone else's file.
   */
  plannedFor(outputPath: string, sourceHash: string, settingsKey: string): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM items WHERE planned_output = ? AND source_hash = ? AND settings_key = ? LIMIT 1')
        .get(outputPath, sourceHash, settingsKey) !== undefined
    );
  }

  /** Persisted throughput for a model/scale on a device (or the latest on any device when `device` is null). */
  throughput(model: string, scale: number, device: string | null): number | null {
    const r = (
      device === null
        ? this.db
            .prepare('SELECT px_per_ms FROM throughput WHERE model = ? AND scale = ? ORDER BY updated_at DESC LIMIT 1')
            .get(model, scale)
        : this.db
            .prepare('SELECT px_per_ms FROM throughput WHERE model = ? AND scale = ? AND device = ?')
            .get(model, scale, device)
    ) as { px_per_ms: number } | undefined;
    return r?.px_per_ms ?? null;
  }

  /** Stores a measured throughput (the next batch's ETA prior). */
  saveThroughput(model: string, scale: number, device: string, pxPerMs: number, samples: number): void {
    this.db
      .prepare(
        `INSERT INTO throughput (model, device, scale, px_per_ms, samples, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (model, device, scale) DO UPDATE SET px_per_ms = excluded.px_per_ms,
           samples = excluded.samples, updated_at = excluded.updated_at`,
      )
      .run(model, device, scale, pxPerMs, samples, this.now());
  }
}
