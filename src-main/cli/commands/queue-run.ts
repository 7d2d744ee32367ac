/**
 * Running the persistent queue from the command line (used by `revive resume`; `revive enhance` can hand its batch
 * to the same function so a killed batch resumes): take the queue lock, recover what a kill interrupted, run, and
 * report each finished photo as a line (or a JSON object) with progress bars on a terminal.
 */
import path from 'node:path';
import { EngineHost } from '../../engine/host';
import type { EngineSpawner } from '../../engine/spawn';
import { InsufficientSpaceError } from '../../jobs/disk-space';
import { engineFromHost } from '../../jobs/engine';
import type { ItemProgress, JobProgress } from '../../jobs/progress';
import { JobRunner, type RunSummary } from '../../jobs/runner';
import { PackRegistry } from '../../models/registry';
import { openStore } from '../../store/database';
import { acquireLock, LockHeldError, QUEUE_LOCK } from '../../store/lock';
import { findPackOrExplain } from '../models-command';
import { packRoots } from '../packs';
import { ProgressView, type ProgressStream } from '../progress-view';

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
}

/** One line of --json output per finished photo (the same fields as `revive enhance --json`). */
export interface QueueJsonResult {
  input: string;
  output: string | null;
  status: 'done' | 'failed' | 'cancelled';
  skipped: boolean;
  error: string | null;
  width: number | null;
  height: number | null;
  ms: number | null;
  provider: string | null;
  jobId: number;
  itemId: number;
}

function display(p: string, cwd: string): string {
  const rel = path.relative(cwd, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

/**
 * Runs the queue; resolves to the exit code: 0 nothing failed, 1 some photos failed or the outputs would not fit on
 * the disk (nothing is started then), {@link EXIT_QUEUE_BUSY} another process runs the queue.
 */
export async function runQueue(o: QueueRunOptions, io: QueueIo): Promise<number> {
  const store = openStore(o.dataDir);
  let lock;
  try {
    lock = acquireLock(store.db, QUEUE_LOCK);
  } catch (e) {
    store.close();
    if (e instanceof LockHeldError) {
      io.stderr.write(`revive: ${e.message}; wait for it to finish, or stop it first\n`);
      return EXIT_QUEUE_BUSY;
    }
    throw e;
  }
  const host = new EngineHost(o.spawner ? { spawner: o.spawner } : {});
  const registry = new PackRegistry(packRoots(o.dataDir));
  const packDirs = new Map<string, string>();
  const packErrors = new Map<string, string>();
  const runner = new JobRunner({
    store,
    engine: engineFromHost(host),
    lock,
    resolveModelDir: (id) => {
      const dir = packDirs.get(id);
      if (dir) return dir;
      throw new Error(packErrors.get(id) ?? `model "${id}" is not installed`);
    },
  });
  const view = !o.json && io.stderr.isTTY === true ? new ProgressView(io.stderr) : undefined;
  let failed = 0;
  const onAbort = (): void => {
    for (const job of runner.queue.jobs({ unfinished: true })) runner.pause(job.id, { now: true });
  };
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
    const jobIds = jobs.map((j) => j.id);
    if (jobIds.length === 0 || jobIds.every((id) => runner.queue.counts(id).queued === 0)) {
      if (!o.json) io.stderr.write('nothing to resume: the queue is empty\n');
      return 0;
    }
    const print = (e: ItemProgress): void => {
      const row = e.state === 'done' && !e.skipped ? runner.library.forItem(e.itemId) : null;
      const r: QueueJsonResult = {
        input: e.sourcePath,
        output: e.outputPath ?? null,
        status: e.state as QueueJsonResult['status'],
        skipped: e.skipped === true,
        error: e.error ?? null,
        width: row?.outputWidth ?? null,
        height: row?.outputHeight ?? null,
        ms: row?.ms ?? null,
        provider: row?.device ?? null,
        jobId: e.jobId,
        itemId: e.itemId,
      };
      const line = (): void => {
        if (o.json) io.stdout.write(`${JSON.stringify(r)}\n`);
        else if (r.status === 'done') {
          const facts = r.skipped ? ' (already done)' : r.width ? ` (${r.width}×${r.height}, ${((r.ms ?? 0) / 1000).toFixed(1)} s, ${r.provider})` : '';
          io.stdout.write(`${r.skipped ? '=' : '✓'} ${display(r.input, io.cwd)} → ${display(r.output ?? '', io.cwd)}${facts}\n`);
        } else {
          const reason = r.error?.startsWith(`${r.input}: `) ? r.error.slice(r.input.length + 2) : (r.error ?? r.status);
          io.stderr.write(`✗ ${display(r.input, io.cwd)}: ${reason}\n`);
        }
      };
      if (view) view.log(line);
      else line();
    };
    let label = '';
    let stage = '';
    let itemFraction = 0;
    runner.onProgress((e: JobProgress) => {
      if (e.kind === 'item') {
        if (e.state === 'running') {
          label = path.basename(e.sourcePath);
          itemFraction = e.fraction;
        }
        if (e.state === 'done' || e.state === 'failed' || e.state === 'cancelled') {
          if (e.state !== 'done') failed++;
          print(e);
        }
      } else if (e.kind === 'tile') {
        stage = e.stage;
      } else if (e.kind === 'warning') {
        const w = (): void => void io.stderr.write(`! ${e.message}\n`);
        if (view) view.log(w);
        else if (!o.json) w();
      } else if (e.kind === 'batch') {
        view?.update({ itemLabel: label, stage, itemFraction, overall: e.fraction, etaMs: e.etaMs });
      }
    });
    o.signal?.addEventListener('abort', onAbort, { once: true });
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
    if (!o.json) {
      const parts = [`${summary.done} done`];
      if (summary.skipped) parts.push(`${summary.skipped} already done`);
      if (summary.failed) parts.push(`${summary.failed} failed`);
      if (summary.cancelled) parts.push(`${summary.cancelled} cancelled`);
      if (summary.requeued) parts.push(`${summary.requeued} left in the queue (run "revive resume" to continue)`);
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
    lock.release();
    store.close();
  }
}
