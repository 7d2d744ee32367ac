/**
 * `revive worker`: takes photos from the fleet's BullMQ queue and runs each through this node's own data folder —
 * the same composition root, queue runner and single engine process as `revive enhance` — so results and failures
 * land in this worker's history, outputs are written atomically, and a photo this worker already did is skipped.
 *
 * - One engine per worker: photos run one after another through it (`concurrency` is how many jobs the worker holds
 *   at once; the engine's threads already use the cores).
 * - The output path is the one reserved at submission (fleet/job-data.ts): it is pinned on the local item as its
 *   planned output, which the runner keeps and replaces — a retry after a killed worker rewrites the same file.
 * - A dead worker's job is found by BullMQ's stalled-job check once its lock expires, and tried again elsewhere (up
 *   to {@link MAX_STALLS} times); a failed photo is retried up to the job's `attempts` with its reason kept; an input
 *   that vanished fails at once, alone.
 * - Drain: aborting `signal` (SIGTERM) finishes the photos held and takes no new one.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { openRoot, type ReviveRoot } from '../core/open';
import type { ProviderChoice } from '../engine/protocol';
import type { EngineSpawner } from '../engine/spawn';
import { oneLine } from '../pixels/one-line';
import { checkReachable, fleetConnection } from './connection';
import { DEFAULT_QUEUE, parseJobData, type FleetJobData } from './job-data';

/** How many times a job may be found abandoned by a dead worker before it is failed with that reason. */
export const MAX_STALLS = 3;

export interface WorkerOptions {
  redisUrl: string;
  queue?: string;
  dataDir: string;
  /** Jobs held at once (default 1). */
  concurrency?: number;
  /** This worker's device and engine threads (0: chosen from the cores). */
  device: ProviderChoice;
  threads?: number;
  /** Seconds a job's lock lasts without renewal, and how often abandoned jobs are looked for (default 30). */
  lockSeconds?: number;
  /** Drain: finish what is held, take nothing new, resolve. */
  signal: AbortSignal;
  /** One line per event (done, failed, retried, Redis lost and back). */
  log(line: string): void;
  spawner?: EngineSpawner;
}

/** What a completed job returns (kept in Redis, read back by `revive fleet status`). */
export interface FleetResult {
  output: string | null;
  skipped: boolean;
  ms: number | null;
  worker: string;
}

export interface WorkerSummary {
  done: number;
  failed: number;
}

/** Runs one job's photo through the local queue; resolves with its result or throws its failure. */
async function runPhoto(root: ReviveRoot, job: Job<FleetJobData>, o: WorkerOptions, worker: string): Promise<FleetResult> {
  let data: FleetJobData;
  try {
    data = parseJobData(job.data);
  } catch (err) {
    throw new UnrecoverableError(oneLine((err as Error).message));
  }
  if (!existsSync(data.source)) throw new UnrecoverableError(`${data.source}: the photo is gone (moved or deleted after it was submitted)`);
  const settings = { ...data.settings, provider: o.device, threads: o.threads ?? 0 };
  // The shared output folder may not exist yet on this node's view of it (the submitter does not create it).
  await mkdir(path.dirname(data.output), { recursive: true });
  const local = root.queue.createJob(settings, [data.source]);
  const item = root.queue.items(local.id)[0]!;
  // The reserved output, pinned: prepareItem keeps a planned output for the same content and settings key.
  root.queue.update(item.id, { sourceHash: data.sourceHash, settingsKey: data.settingsKey, plannedOutput: data.output });
  await root.runner.run({ jobIds: [local.id] });
  const end = root.queue.item(item.id);
  if (end.state === 'done') return { output: end.outputPath, skipped: end.skipped, ms: end.ms, worker };
  if (end.state === 'failed') throw new Error(oneLine(end.error ?? 'failed'));
  // Paused, cancelled or left queued (the queue lock lost, a drain): not this photo's fault; it is tried again.
  root.queue.cancelJob(local.id);
  throw new Error(`interrupted on ${worker} before the photo was finished`);
}

/** Runs a worker until `signal` aborts; resolves with what it did. Throws FleetUnreachableError or QueueLockedError. */
export async function runWorker(o: WorkerOptions): Promise<WorkerSummary> {
  await checkReachable(o.redisUrl);
  const root = await openRoot(o.dataDir, o.spawner ? { spawner: o.spawner } : {});
  const connection = fleetConnection(o.redisUrl);
  const summary: WorkerSummary = { done: 0, failed: 0 };
  const name = `${os.hostname()}:${process.pid}`;
  let worker: Worker<FleetJobData, FleetResult> | undefined;
  try {
    // The fleet owns the work: what this node was running when it died is recovered (temp files removed, a finished
    // result kept) and its local leftovers dropped — their jobs are found stalled in Redis and run again.
    const report = await root.runner.recover();
    if (report.tempsRemoved.length) o.log(`recovered: ${report.tempsRemoved.length} temp file(s) of an interrupted photo removed`);
    for (const j of root.queue.jobs({ unfinished: true })) root.queue.cancelJob(j.id);

    let chain: Promise<unknown> = Promise.resolve();
    const lockMs = (o.lockSeconds ?? 30) * 1000;
    worker = new Worker<FleetJobData, FleetResult>(
      o.queue ?? DEFAULT_QUEUE,
      (job) => {
        // One engine: held jobs wait their turn (their locks are kept alive meanwhile).
        const run = chain.then(() => runPhoto(root, job, o, name));
        chain = run.catch(() => undefined);
        return run;
      },
      { connection, concurrency: o.concurrency ?? 1, lockDuration: lockMs, stalledInterval: lockMs, maxStalledCount: MAX_STALLS, autorun: false },
    );
    worker.on('completed', (job, r) => {
      summary.done++;
      o.log(`✓ ${job.data.source} → ${r.output ?? '?'}${r.skipped ? ' (already done)' : ''}`);
    });
    worker.on('failed', (job, err) => {
      if (!job) return;
      const final = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
      if (final) summary.failed++;
      const reason = oneLine(err.message);
      o.log(`✗ ${reason.startsWith(job.data.source) ? reason : `${job.data.source}: ${reason}`}${final ? '' : ` (try ${job.attemptsMade} of ${job.opts.attempts ?? 1}; will retry)`}`);
    });
    let lastError = '';
    worker.on('error', (err) => {
      // Redis restarting: say so once, not on every reconnect attempt.
      const msg = oneLine(err.message);
      if (msg !== lastError) o.log(`! ${msg}`);
      lastError = msg;
    });
    void worker.run();
    o.log(`worker ${name} waiting for photos on ${o.queue ?? DEFAULT_QUEUE}`);
    await new Promise<void>((resolve) => {
      if (o.signal.aborted) resolve();
      o.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    o.log('draining: finishing the photos held, taking no new ones');
    await worker.close();
    return summary;
  } finally {
    await worker?.close(true).catch(() => undefined);
    connection.disconnect();
    await root.close();
  }
}
