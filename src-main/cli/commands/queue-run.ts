/**
 * Running the persistent queue from the command line, for `revive resume` and `revive enhance` (which queues its
 * batch first, so a killed batch resumes): take the queue lock, recover what a kill interrupted, run, and report each
 * finished photo as a line (or a JSON object) with progress bars on a terminal.
 */
import path from 'node:path';
import { EngineHost } from '../../engine/host';
import type { EngineSpawner } from '../../engine/spawn';
import { InsufficientSpaceError } from '../../jobs/disk-space';
import type { Engine } from '../../jobs/engine';
import type { BatchCounts, ItemProgress, JobProgress } from '../../jobs/progress';
import { JobRunner, type RunSummary } from '../../jobs/runner';
import { PackRegistry } from '../../models/registry';
import { openStore, type Store } from '../../store/database';
import { acquireLock, LockHeldError, QUEUE_LOCK, type ProcessLock } from '../../store/lock';
import { findPackOrExplain } from '../models-command';
import { packRoots } from '../../models/pack-roots';
import { formatDuration, ProgressView, type ProgressStream } from '../progress-view';

/** Exit code when another process holds the queue (try again later; sysexits' EX_TEMPFAIL). */
export const EXIT_QUEUE_BUSY = 75;

export interface QueueIo {
  stdout: { write(s: string): boolean };
  stderr: ProgressStream & { isTTY?: boolean };
  cwd: string;
}

export interface QueueRunOptions {
  dataDir: string;
  json: boolean;
  /** Only these jobs (default: every unfinished one). */
  jobIds?: number[];
  /** Unpause paused jobs first (resume does). */
  unpause?: boolean;
  /** Ctrl-C: the running photo is abandoned and requeued, the jobs are paused; `revive resume` continues them. */
  signal?: AbortSignal;
  spawner?: EngineSpawner;
  /** Model folders the caller has already found (id → folder); other models are looked up in the data folder. */
  packDirs?: ReadonlyMap<string, string>;
  /**
   * Photos the caller has already reported as failed (arguments that named nothing usable): they count in the
   * closing line and make the exit code 1.
   */
  earlierFailures?: number;
  /**
   * When to print the closing "N done, M failed" line: `always` (resume), or `several` — only when the batch had
   * more than one photo (enhance: a single photo's own line already says everything).
   */
  summary?: 'always' | 'several';
}

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

/** The open queue of one data folder, with its lock held by this process. */
export interface QueueSession {
  readonly store: Store;
  readonly lock: ProcessLock;
  /** Releases the lock and closes the database. */
  close(): void;
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

/**
 * Opens the data folder's database and takes the queue lock. Returns null when another Revive process (the app,
 * `revive serve`, another CLI batch) runs the queue, after printing who holds it and `whenBusy` (what the user can do).
 */
export function openQueueSession(dataDir: string, io: QueueIo, whenBusy = 'wait for it to finish, or stop it first'): QueueSession | null {
  const store = openStore(dataDir);
  let lock: ProcessLock;
  try {
    lock = acquireLock(store.db, QUEUE_LOCK);
  } catch (e) {
    store.close();
    if (e instanceof LockHeldError) {
      io.stderr.write(`revive: ${e.message}; ${whenBusy}\n`);
      return null;
    }
    throw e;
  }
  return {
    store,
    lock,
    close: () => {
      lock.release();
      store.close();
    },
  };
}

/**
 * Runs the queue; resolves to the exit code: 0 nothing failed, 1 some photos failed or the outputs would not fit on
 * the disk (nothing is started then), {@link EXIT_QUEUE_BUSY} another process runs the queue.
 */
export async function runQueue(o: QueueRunOptions, io: QueueIo): Promise<number> {
  const session = openQueueSession(o.dataDir, io);
  if (!session) return EXIT_QUEUE_BUSY;
  try {
    return await runQueueIn(session, o, io);
  } finally {
    session.close();
  }
}

/** {@link runQueue} on a session the caller opened (and closes). */
export async function runQueueIn(session: QueueSession, o: QueueRunOptions, io: QueueIo): Promise<number> {
  const { store, lock } = session;
  const host = new EngineHost(o.spawner ? { spawner: o.spawner } : {});
  const view = !o.json && io.stderr.isTTY === true ? new ProgressView(io.stderr) : undefined;
  /** Prints a permanent line, above the bars when they are shown. */
  const log = (line: () => void): void => (view ? view.log(line) : line());

  // Diffusion on the CPU estimates each photo's time from its first tile: worth a line of its own the first time,
  // and the bar's ETA until the queue has measured a photo of its own.
  let estimatedInput: string | null = null;
  let estimateMs: number | null = null;
  const engine: Engine = {
    enhance: (job, options) =>
      host.enhance(job, {
        ...options,
        onEstimate: (e) => {
          if (estimatedInput !== job.input && !o.json) {
            log(() => void io.stderr.write(`… ${display(job.input, io.cwd)}: about ${formatDuration(e.ms)} on the CPU (estimated from the first tile)\n`));
          }
          estimatedInput = job.input;
          estimateMs = e.ms;
        },
      }),
    dispose: () => host.close(),
  };

  const registry = new PackRegistry(packRoots(o.dataDir));
  const packDirs = new Map<string, string>(o.packDirs ?? []);
  const packErrors = new Map<string, string>();
  const runner = new JobRunner({
    store,
    engine,
    lock,
    resolveModelDir: (id) => {
      const dir = packDirs.get(id);
      if (dir) return dir;
      throw new Error(packErrors.get(id) ?? `model "${id}" is not installed`);
    },
  });
  let jobIds: number[] = [];
  const onAbort = (): void => {
    for (const id of jobIds) if (runner.queue.job(id).state === 'active') runner.pause(id, { now: true });
  };
  let failed = o.earlierFailures ?? 0;
  try {
    const report = await runner.recover();
    if (!o.json && (report.adopted.length || report.requeued.length)) {
      io.stderr.write(
        `recovered an interrupted batch: ${report.adopted.length} finished photo(s) kept, ` +
          `${report.requeued.length} put back in the queue${report.tempsRemoved.length ? `, ${report.tempsRemoved.length} temp file(s) removed` : ''}\n`,
      );
    }
    for (const w of report.warnings) io.stderr.write(`! ${w}\n`);
    const jobs = o.jobIds ? o.jobIds.map((id) => runner.queue.job(id)) : runner.queue.jobs({ unfinished: true });
    for (const job of jobs) {
      if (o.unpause && job.paused && job.state === 'active') runner.resume(job.id);
      if (packDirs.has(job.settings.model) || packErrors.has(job.settings.model)) continue;
      try {
        packDirs.set(job.settings.model, (await findPackOrExplain(registry, job.settings.model)).dir);
      } catch (e) {
        packErrors.set(job.settings.model, (e as Error).message);
      }
    }
    jobIds = jobs.map((j) => j.id);
    if (jobIds.length === 0 || jobIds.every((id) => runner.queue.counts(id).queued === 0)) {
      if (!o.json) io.stderr.write('nothing to resume: the queue is empty\n');
      return failed > 0 ? 1 : 0;
    }
    const photos = jobIds.reduce((n, id) => n + runner.queue.counts(id).total, 0) + (o.earlierFailures ?? 0);

    const sources = new Map<number, string>();
    const warnings = new Map<number, string[]>();
    const print = (e: ItemProgress): void => {
      const row = e.state === 'done' && !e.skipped ? runner.library.forItem(e.itemId) : null;
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
        warnings: warnings.get(e.itemId) ?? [],
        jobId: e.jobId,
        itemId: e.itemId,
      };
      warnings.delete(e.itemId);
      log(() => {
        if (o.json) io.stdout.write(`${JSON.stringify(r)}\n`);
        else if (r.status === 'done') {
          const facts = r.skipped ? ' (already done)' : r.width ? ` (${r.width}×${r.height}, ${((r.ms ?? 0) / 1000).toFixed(1)} s, ${r.provider})` : '';
          io.stdout.write(`${r.skipped ? '=' : '✓'} ${display(r.input, io.cwd)} → ${display(r.output ?? '', io.cwd)}${facts}\n`);
        } else {
          io.stderr.write(`✗ ${display(r.input, io.cwd)}: ${withoutPath(r.error ?? r.status, r.input)}\n`);
        }
      });
    };
    const counts = new Map<number, BatchCounts>();
    let running: { jobId: number; name: string } | null = null;
    let stage = '';
    let itemFraction = 0;
    runner.onProgress((e: JobProgress) => {
      if (e.kind === 'item') {
        sources.set(e.itemId, e.sourcePath);
        if (e.state === 'running') {
          if (running?.name !== e.sourcePath) estimateMs = null;
          running = { jobId: e.jobId, name: e.sourcePath };
          itemFraction = e.fraction;
        }
        if (e.state === 'done' || e.state === 'failed' || e.state === 'cancelled') {
          if (e.state !== 'done') failed++;
          print(e);
        }
      } else if (e.kind === 'tile') {
        stage = e.stage;
      } else if (e.kind === 'warning') {
        const source = sources.get(e.itemId);
        warnings.set(e.itemId, [...(warnings.get(e.itemId) ?? []), e.message]);
        if (!o.json) log(() => void io.stderr.write(source ? `! ${display(source, io.cwd)}: ${withoutPath(e.message, source)}\n` : `! ${e.message}\n`));
      } else if (e.kind === 'batch') {
        counts.set(e.jobId, e.counts);
        const c = running ? counts.get(running.jobId) : undefined;
        const position = c ? `[${Math.min(c.total, c.done + c.failed + c.cancelled + 1)}/${c.total}] ` : '';
        view?.update({
          itemLabel: running ? `${position}${path.basename(running.name)}` : '',
          stage,
          itemFraction,
          overall: e.fraction,
          etaMs: e.etaMs ?? estimateMs,
        });
      }
    });
    o.signal?.addEventListener('abort', onAbort, { once: true });
    if (o.signal?.aborted) onAbort();
    let summary: RunSummary;
    try {
      summary = await runner.run({ jobIds });
    } catch (e) {
      if (!(e instanceof InsufficientSpaceError)) throw e;
      view?.finish();
      io.stderr.write(`revive: ${e.message}; free some space or choose another output folder, then run "revive resume"\n`);
      return 1;
    }
    view?.finish();
    // Paused (Ctrl-C) or put back by "pause now": whatever is still queued waits for `revive resume`.
    const left = jobIds.reduce((n, id) => n + runner.queue.counts(id).queued, 0);
    if (!o.json && (o.summary !== 'several' || photos > 1 || left > 0)) {
      const parts = [`${summary.done} done`];
      if (summary.skipped) parts.push(`${summary.skipped} already done`);
      const allFailed = summary.failed + (o.earlierFailures ?? 0);
      if (allFailed) parts.push(`${allFailed} failed`);
      if (summary.cancelled) parts.push(`${summary.cancelled} cancelled`);
      if (left) parts.push(`${left} left in the queue (run "revive resume" to continue)`);
      io.stderr.write(`${parts.join(', ')}\n`);
    }
    if (summary.lockLost) {
      io.stderr.write('revive: another process took over the queue; stopped\n');
      return EXIT_QUEUE_BUSY;
    }
    return failed > 0 ? 1 : 0;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    view?.finish();
    await runner.idle();
    await host.close();
  }
}
