/**
 * Running the persistent queue from the command line, for `revive resume` and `revive enhance` (which queues its
 * batch first, so a killed batch resumes). The data folder is opened by the composition root (core/open.ts), the
 * same one the app and `revive serve` use; this module only drives the run and renders it: what recovery found, one
 * line (or JSON object) per finished photo, progress bars on a terminal, and the closing summary.
 */
import { openRoot, QueueLockedError, type ReviveRoot } from '../../core/open';
import type { EngineSpawner } from '../../engine/spawn';
import { InsufficientSpaceError } from '../../jobs/disk-space';
import type { RecoveryReport } from '../../jobs/recovery';
import type { RunSummary } from '../../jobs/runner';
import { printError } from '../errors';
import { formatDuration, ProgressView, type ProgressStream } from '../progress-view';
import { QueuePrinter } from '../queue-printer';

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

/**
 * Opens the data folder through the composition root, lock taken. Returns null when another Revive process (the app,
 * `revive serve`, another CLI batch) runs the queue, after printing who holds it and `whenBusy` (what the user can do).
 */
export async function openQueueRoot(
  dataDir: string,
  io: QueueIo,
  options: { spawner?: EngineSpawner; whenBusy?: string } = {},
): Promise<ReviveRoot | null> {
  try {
    return await openRoot(dataDir, options.spawner ? { spawner: options.spawner } : {});
  } catch (e) {
    if (!(e instanceof QueueLockedError)) throw e;
    printError(io.stderr, `${e.holder}; ${options.whenBusy ?? 'wait for it to finish, or stop it first'}`);
    return null;
  }
}

/**
 * Runs the queue; resolves to the exit code: 0 nothing failed, 1 some photos failed or the outputs would not fit on
 * the disk (nothing is started then), {@link EXIT_QUEUE_BUSY} another process runs the queue.
 */
export async function runQueue(o: QueueRunOptions, io: QueueIo): Promise<number> {
  const root = await openQueueRoot(o.dataDir, io, o.spawner ? { spawner: o.spawner } : {});
  if (!root) return EXIT_QUEUE_BUSY;
  try {
    return await runQueueIn(root, o, io);
  } finally {
    await root.close();
  }
}

/** Tells what crash recovery found (finished photos kept, photos put back, temp files removed) and its warnings. */
export function reportRecovery(report: RecoveryReport, json: boolean, io: QueueIo): void {
  if (!json && (report.adopted.length || report.requeued.length)) {
    io.stderr.write(
      `recovered an interrupted batch: ${report.adopted.length} finished photo(s) kept, ` +
        `${report.requeued.length} put back in the queue${report.tempsRemoved.length ? `, ${report.tempsRemoved.length} temp file(s) removed` : ''}\n`,
    );
  }
  for (const w of report.warnings) io.stderr.write(`! ${w}\n`);
}

/** The closing line: what was done, what failed, what is left for `revive resume`. */
function summaryLine(summary: RunSummary, earlierFailures: number, left: number): string {
  const parts = [`${summary.done} done`];
  if (summary.skipped) parts.push(`${summary.skipped} already done`);
  const allFailed = summary.failed + earlierFailures;
  if (allFailed) parts.push(`${allFailed} failed`);
  if (summary.cancelled) parts.push(`${summary.cancelled} cancelled`);
  if (left) parts.push(`${left} left in the queue (run "revive resume" to continue)`);
  return parts.join(', ');
}

/** {@link runQueue} on a data folder the caller opened (and closes): recovery, the run, and its report. */
export async function runQueueIn(root: ReviveRoot, o: QueueRunOptions, io: QueueIo): Promise<number> {
  const { runner, queue } = root;
  const view = !o.json && io.stderr.isTTY === true ? new ProgressView(io.stderr) : undefined;
  const printer = new QueuePrinter({ json: o.json, io, library: root.library, ...(view ? { view } : {}) });
  // Diffusion on the CPU estimates each photo's time from its first tile: worth a line of its own the first time,
  // and the bar's ETA until the queue has measured a photo of its own.
  const stopEstimates = root.onEstimate((input, e) => {
    if (printer.estimate(input, e.ms) && !o.json) {
      printer.log(() => void io.stderr.write(`… ${printer.show(input)}: about ${formatDuration(e.ms)} on the CPU (estimated from the first tile)\n`));
    }
  });
  let stopProgress = (): void => undefined;
  let jobIds: number[] = [];
  const onAbort = (): void => {
    for (const id of jobIds) if (queue.job(id).state === 'active') runner.pause(id, { now: true });
  };
  const earlier = o.earlierFailures ?? 0;
  try {
    reportRecovery(await runner.recover(), o.json, io);
    const jobs = o.jobIds ? o.jobIds.map((id) => queue.job(id)) : queue.jobs({ unfinished: true });
    for (const job of jobs) if (o.unpause && job.paused && job.state === 'active') runner.resume(job.id);
    jobIds = jobs.map((j) => j.id);
    if (jobIds.length === 0 || jobIds.every((id) => queue.counts(id).queued === 0)) {
      if (!o.json) io.stderr.write('nothing to resume: the queue is empty\n');
      return earlier > 0 ? 1 : 0;
    }
    const photos = jobIds.reduce((n, id) => n + queue.counts(id).total, 0) + earlier;
    stopProgress = runner.onProgress((e) => printer.onProgress(e));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    if (o.signal?.aborted) onAbort();
    let summary: RunSummary;
    try {
      summary = await runner.run({ jobIds });
    } catch (e) {
      if (!(e instanceof InsufficientSpaceError)) throw e;
      view?.finish();
      printError(io.stderr, `${e.message}; free some space or choose another output folder, then run "revive resume"`);
      return 1;
    }
    view?.finish();
    // Paused (Ctrl-C) or put back by "pause now": whatever is still queued waits for `revive resume`.
    const left = jobIds.reduce((n, id) => n + queue.counts(id).queued, 0);
    if (!o.json && (o.summary !== 'several' || photos > 1 || left > 0)) io.stderr.write(`${summaryLine(summary, earlier, left)}\n`);
    if (summary.lockLost) {
      printError(io.stderr, 'another process took over the queue; stopped');
      return EXIT_QUEUE_BUSY;
    }
    return printer.failed + earlier > 0 ? 1 : 0;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    stopEstimates();
    stopProgress();
    view?.finish();
    await runner.idle();
  }
}

