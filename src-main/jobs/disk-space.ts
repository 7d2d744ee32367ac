/**
 * "Will it fit?" before a batch: the expected size of the outputs against the free space where they go.
 *
 * Output size is estimated from output pixels and a bytes-per-pixel figure per format. The figures are deliberately
 * on the high side for photographs (upscaled photos are smooth and compress better than camera originals), so the
 * check warns early rather than late; each temp file becomes the output by a rename, so there is no doubling.
 */
import { statfs, stat } from 'node:fs/promises';
import type { OutputFormat } from '../imaging/formats';
import { CodedError } from '../pixels/coded-error';

/** Upper-range bytes per output pixel for 8-bit RGB photographs. */
export const BYTES_PER_PIXEL: Readonly<Record<OutputFormat, number>> = {
  jpg: 0.6,
  png: 3,
  webp: 0.5,
  tiff: 3,
  avif: 0.3,
};

/** Kept free beyond the outputs, so the system and the database can still write. */
export const RESERVE_BYTES = 100 * 1024 * 1024;

export interface PlannedOutput {
  /** Folder the output goes to. */
  dir: string;
  /** Output pixels (input pixels × scale²). */
  pixels: number;
  format: OutputFormat;
}

export interface SpaceCheck {
  /** A folder representing one file system. */
  dir: string;
  neededBytes: number;
  freeBytes: number;
  fits: boolean;
}

/** Thrown before a batch whose outputs will not fit. */
export class InsufficientSpaceError extends CodedError<'INSUFFICIENT_SPACE'> {
  constructor(readonly checks: SpaceCheck[]) {
    const short = checks.filter((c) => !c.fits);
    super(
      'INSUFFICIENT_SPACE',
      short
        .map(
          (c) =>
            `not enough disk space in ${c.dir}: the outputs need about ${formatBytes(c.neededBytes)} ` +
            `(plus ${formatBytes(RESERVE_BYTES)} kept free), ${formatBytes(c.freeBytes)} is free`,
        )
        .join('; '),
    );
    this.name = 'InsufficientSpaceError';
  }
}

/** "1.2 GB", "340 MB", "12 kB". */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 || u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

/** Expected bytes of one output. */
export function estimateOutputBytes(pixels: number, format: OutputFormat): number {
  return Math.ceil(pixels * BYTES_PER_PIXEL[format]);
}

export interface SpaceProbe {
  /** Free bytes available to this user in the file system holding `dir`. */
  free(dir: string): Promise<number>;
  /** An id of the file system holding `dir` (folders on one file system share its free space). */
  device(dir: string): Promise<number>;
}

export const systemSpaceProbe: SpaceProbe = {
  async free(dir) {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  },
  async device(dir) {
    return (await stat(dir)).dev;
  },
};

/** Sums the expected outputs per file system and compares with its free space minus {@link RESERVE_BYTES}. */
export async function checkSpace(outputs: readonly PlannedOutput[], probe: SpaceProbe = systemSpaceProbe): Promise<SpaceCheck[]> {
  const byDevice = new Map<number, { dir: string; needed: number }>();
  const deviceOf = new Map<string, number>();
  for (const o of outputs) {
    let dev = deviceOf.get(o.dir);
    if (dev === undefined) {
      try {
        dev = await probe.device(o.dir);
      } catch (e) {
        throw new Error(`cannot check the output folder ${o.dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
          cause: e,
        });
      }
      deviceOf.set(o.dir, dev);
    }
    const entry = byDevice.get(dev) ?? { dir: o.dir, needed: 0 };
    entry.needed += estimateOutputBytes(o.pixels, o.format);
    byDevice.set(dev, entry);
  }
  const checks: SpaceCheck[] = [];
  for (const { dir, needed } of byDevice.values()) {
    const free = await probe.free(dir);
    checks.push({ dir, neededBytes: needed, freeBytes: free, fits: needed + RESERVE_BYTES <= free });
  }
  return checks;
}

/** One job's expected outputs, for {@link splitBySpace}. */
export interface JobOutputs {
  jobId: number;
  outputs: readonly PlannedOutput[];
}

/** A job whose outputs do not fit, with the checks that say where and by how much. */
export interface ShortJob {
  jobId: number;
  checks: SpaceCheck[];
}

/**
 * Which jobs fit, oldest first: each is counted against the free space less what the jobs before it that fit will
 * take. A job that does not fit is left out (and so takes nothing), so one job needing too much space never holds
 * back the others. Its checks are its own outputs' when they alone do not fit, else those counted with the earlier jobs.
 */
export async function splitBySpace(jobs: readonly JobOutputs[], probe: SpaceProbe = systemSpaceProbe): Promise<{ fit: number[]; short: ShortJob[] }> {
  const taken: PlannedOutput[] = [];
  const fit: number[] = [];
  const short: ShortJob[] = [];
  for (const job of jobs) {
    const together = await checkSpace([...taken, ...job.outputs], probe);
    if (together.every((c) => c.fits)) {
      taken.push(...job.outputs);
      fit.push(job.jobId);
      continue;
    }
    const alone = await checkSpace(job.outputs, probe);
    short.push({ jobId: job.jobId, checks: alone.some((c) => !c.fits) ? alone : together });
  }
  return { fit, short };
}
