/**
 * What one fleet job carries through Redis: one photo, its settings snapshot, and the output path chosen when it was
 * submitted. The path is fixed at submission (and reserved in Redis) so every attempt of the job — after a worker
 * was killed, on another machine — writes the same file, atomically: a retried photo replaces its own earlier
 * result instead of adding `-1`, `-2` copies.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseJobSettings, type JobSettings } from '../settings/job-settings';

/** The BullMQ queue name when none is given. */
export const DEFAULT_QUEUE = 'revive';

export interface FleetJobData {
  /** Absolute path of the photo, the same on every node (shared storage). */
  source: string;
  /** SHA-256 of its content at submission. */
  sourceHash: string;
  /** The settings snapshot (device and threads are each worker's own). */
  settings: JobSettings;
  /** settingsKey() of the result (jobs/prepare.ts keeps a planned output only for the same key). */
  settingsKey: string;
  /** Where the result goes, decided and reserved at submission. */
  output: string;
  /** Which submission added it (an ISO time), for the summary. */
  batch: string;
}

const DataSchema = z.object({
  source: z.string().min(1),
  sourceHash: z.string().regex(/^[0-9a-f]{64}$/),
  settings: z.unknown(),
  settingsKey: z.string().min(1),
  output: z.string().min(1),
  batch: z.string(),
});

/** Checks job data read from Redis (anyone with access to it can write there). @throws Error naming what is wrong. */
export function parseJobData(value: unknown): FleetJobData {
  const r = DataSchema.safeParse(value);
  if (!r.success) throw new Error(`not a Revive fleet job: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { ...r.data, settings: parseJobSettings(r.data.settings) };
}

/**
 * The job id: a hash of the content, every setting that changes the result, and where it goes. Submitting the same
 * photo with the same settings to the same place again finds the job already there and adds nothing.
 */
export function fleetJobId(sourceHash: string, settingsKey: string, outDir: string, suffix: string): string {
  return `r${createHash('sha256').update([sourceHash, settingsKey, outDir, suffix].join('\0')).digest('hex').slice(0, 40)}`;
}

/** The Redis hash that maps each reserved output path to the job that writes it. */
export function outputsKey(queue: string): string {
  return `revive-fleet:${queue}:outputs`;
}
