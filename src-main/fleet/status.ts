/**
 * `revive fleet status`: where the fleet stands, read from Redis — how many photos wait, run, are done and failed,
 * the throughput of the last finished photos and the time left at that rate, and every failure with its reason.
 * With `results`, every finished job's output too: the summary a submitter reads back.
 */
import { Queue } from 'bullmq';
import { checkReachable, fleetConnection } from './connection';
import { DEFAULT_QUEUE, type FleetJobData } from './job-data';
import type { FleetResult } from './worker';

export interface FleetCounts {
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  /** Waiting for a retry after a failed try. */
  delayed: number;
}

export interface FleetFailure {
  jobId: string;
  source: string;
  reason: string;
  attempts: number;
}

export interface FleetStatus {
  queue: string;
  counts: FleetCounts;
  total: number;
  /** Done and failed over all, 0–1. */
  fraction: number;
  /** Photos per minute over the last finished ones (null before two have finished). */
  perMinute: number | null;
  /** Time left at that rate, ms (null when unknown or nothing is left). */
  etaMs: number | null;
  failures: FleetFailure[];
  /** Finished jobs (only when asked for): input, output and the worker that wrote it. */
  results?: { jobId: string; source: string; output: string | null; worker: string | null; skipped: boolean }[];
}

/** How many of the latest finished photos the rate is measured over. */
const RATE_WINDOW = 200;

/** Reads the fleet's state. Throws FleetUnreachableError when Redis does not answer. */
export async function fleetStatus(redisUrl: string, o: { queue?: string; results?: boolean } = {}): Promise<FleetStatus> {
  await checkReachable(redisUrl);
  const name = o.queue ?? DEFAULT_QUEUE;
  const connection = fleetConnection(redisUrl);
  const queue = new Queue<FleetJobData, FleetResult>(name, { connection });
  try {
    const c = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized', 'paused');
    const counts: FleetCounts = {
      waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.paused ?? 0),
      active: c.active ?? 0,
      completed: c.completed ?? 0,
      failed: c.failed ?? 0,
      delayed: c.delayed ?? 0,
    };
    const total = counts.waiting + counts.active + counts.completed + counts.failed + counts.delayed;
    const recent = (await queue.getJobs(['completed'], 0, RATE_WINDOW - 1, false)).map((j) => j.finishedOn ?? 0).filter((t) => t > 0);
    let perMinute: number | null = null;
    if (recent.length >= 2) {
      const span = Math.max(...recent) - Math.min(...recent);
      if (span > 0) perMinute = ((recent.length - 1) / span) * 60_000;
    }
    const left = counts.waiting + counts.active + counts.delayed;
    const failedJobs = await queue.getJobs(['failed'], 0, -1);
    const failures = failedJobs.map((j) => ({ jobId: j.id ?? '', source: j.data.source, reason: j.failedReason, attempts: j.attemptsMade }));
    const status: FleetStatus = {
      queue: name,
      counts,
      total,
      fraction: total ? (counts.completed + counts.failed) / total : 0,
      perMinute,
      etaMs: perMinute && left ? (left / perMinute) * 60_000 : null,
      failures,
    };
    if (o.results) {
      const done = await queue.getJobs(['completed'], 0, -1);
      status.results = done.map((j) => ({
        jobId: j.id ?? '',
        source: j.data.source,
        output: j.returnvalue?.output ?? null,
        worker: j.returnvalue?.worker ?? null,
        skipped: j.returnvalue?.skipped ?? false,
      }));
    }
    return status;
  } finally {
    await queue.close();
    connection.disconnect();
  }
}
