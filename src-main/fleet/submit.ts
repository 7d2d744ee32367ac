/**
 * `revive submit`: one BullMQ job per photo. The photos are found as `revive enhance` finds them (jobs/inputs.ts),
 * hashed, their result format decided from the header, and their output path chosen and reserved in Redis, so the
 * job is complete in itself: any worker with the same shared folders can run it. The job id is a hash of content,
 * settings and destination ({@link fleetJobId}): a repeated submit adds nothing.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { probeImage } from '../imaging/probe';
import { hashFile } from '../jobs/hash';
import { expandInputs, type InputProblem } from '../jobs/inputs';
import { OutputNamer } from '../jobs/naming';
import { decideFormat } from '../jobs/output-size';
import { settingsKey, type JobSettings } from '../settings/job-settings';
import { oneLine } from '../pixels/one-line';
import { checkReachable, fleetConnection } from './connection';
import { DEFAULT_QUEUE, fleetJobId, outputsKey, type FleetJobData } from './job-data';

export interface SubmitOptions {
  redisUrl: string;
  queue?: string;
  recursive: boolean;
  cwd: string;
  /** Tries per photo before it is failed for good (BullMQ `attempts`). */
  attempts: number;
}

export interface SubmitResult {
  /** Jobs added by this submission. */
  added: number;
  /** Photos whose job was already in the fleet (submitted before). */
  existing: number;
  /** Arguments that named nothing usable, and photos that could not be read or cannot be written as asked. */
  problems: InputProblem[];
  batch: string;
}

/** How a photo becomes a job, or why it cannot. */
type Planned = { kind: 'job'; id: string; data: FleetJobData } | { kind: 'problem'; problem: InputProblem };

/** Reserves a free output name for the job in Redis; numbers around names other jobs reserved or files already there. */
class OutputReserver {
  readonly #taken = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  async reserve(source: string, settings: JobSettings, jobId: string, fallback: boolean, format: JobSettings['format']): Promise<string> {
    const namer = new OutputNamer(
      { outDir: settings.outputDir ?? undefined, suffix: settings.suffix, format: fallback ? format : settings.format, overwrite: false },
      { exists: (p) => this.#taken.has(p) || existsSync(p), replaceable: () => false, inputs: [source] },
    );
    for (;;) {
      const candidate = namer.plan(source).path;
      // HSETNX makes the reservation atomic across submitters; our own earlier reservation is ours to reuse.
      const got = await this.redis.hsetnx(this.key, candidate, jobId);
      if (got === 1 || (await this.redis.hget(this.key, candidate)) === jobId) return candidate;
      this.#taken.add(candidate);
    }
  }
}

async function planPhoto(file: string, settings: JobSettings, batch: string, reserver: OutputReserver, exists: (id: string) => Promise<boolean>): Promise<Planned & { isNew?: boolean }> {
  try {
    const [probe, hash] = await Promise.all([probeImage(file), hashFile(file)]);
    const decided = decideFormat(file, probe, settings);
    if (!decided.ok) return { kind: 'problem', problem: { path: file, code: 'BAD_ARGUMENT', reason: decided.tooLarge.message } };
    const key = settingsKey(settings, decided.format);
    const outDir = settings.outputDir ?? path.dirname(file);
    const id = fleetJobId(hash, key, path.resolve(outDir), settings.suffix);
    if (await exists(id)) return { kind: 'job', id, data: { source: file, sourceHash: hash, settings, settingsKey: key, output: '', batch }, isNew: false };
    const output = await reserver.reserve(file, settings, id, decided.fellBack !== undefined, decided.format);
    return { kind: 'job', id, data: { source: file, sourceHash: hash, settings, settingsKey: key, output, batch }, isNew: true };
  } catch (err) {
    return { kind: 'problem', problem: { path: file, code: 'UNREADABLE', reason: oneLine((err as Error).message) } };
  }
}

/**
 * Submits the photos named by `args` with `settings`. Checks the Redis first (FleetUnreachableError within a few
 * seconds when it does not answer). Resolves with what was added, what was there already, and what could not be.
 */
export async function submitPhotos(args: readonly string[], settings: JobSettings, o: SubmitOptions): Promise<SubmitResult> {
  await checkReachable(o.redisUrl);
  const name = o.queue ?? DEFAULT_QUEUE;
  const redis = fleetConnection(o.redisUrl);
  const queue = new Queue<FleetJobData>(name, { connection: redis });
  const batch = new Date().toISOString();
  try {
    const { files, problems } = await expandInputs(args, { recursive: o.recursive, cwd: o.cwd, skipSuffix: settings.suffix });
    const reserver = new OutputReserver(redis, outputsKey(name));
    const exists = async (id: string): Promise<boolean> => (await queue.getJob(id)) !== undefined;
    let added = 0;
    let existing = 0;
    for (const file of files) {
      const p = await planPhoto(file, settings, batch, reserver, exists);
      if (p.kind === 'problem') {
        problems.push(p.problem);
        continue;
      }
      if (!p.isNew) {
        existing++;
        continue;
      }
      // Kept after they end: their ids are what makes a repeated submit add nothing, and their results the summary.
      await queue.add(path.basename(file), p.data, {
        jobId: p.id,
        attempts: o.attempts,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete: false,
        removeOnFail: false,
      });
      added++;
    }
    return { added, existing, problems, batch };
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
