/**
 * Preparing a queued item for the engine: everything the host process can do before the model runs — probe the
 * header, hash the content, read the metadata the library indexes, decide skip-if-done, plan and record the output
 * path. The runner does this for the next item while the engine works on the current one.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { OutputNamer, resolveOutputFormat } from './naming';
import { type PlannedOutput, type ShortJob, type SpaceProbe, splitBySpace } from './disk-space';
import type { OutputFormat } from '../imaging/formats';
import { maxPixelsOf, overInputLimit, sizeRefusal, type WorkingScale } from './input-limit';
import type { ImageProbe } from '../imaging/probe';
import type { LibraryEntry, LibraryStore } from '../library/library-store';
import type { PhotoFacts, PhotoFactsResult } from '../library/photo-facts';
import { failureCode } from './failure-code';
import { settingsKey } from '../settings/job-settings';
import { decideFormat } from './output-size';
import type { ItemRecord, JobRecord, QueueStore } from './queue-store';

export interface PrepareDeps {
  queue: QueueStore;
  library: LibraryStore;
  probe(path: string): Promise<ImageProbe>;
  hash(path: string): Promise<string>;
  readFacts(path: string): Promise<PhotoFactsResult>;
  /** The scale a job's pack works at (jobs/input-limit.ts); absent = the requested scale. */
  workingScale?: WorkingScale;
}

/** What the batch-wide size checks need: headers, and the scale each job's pack works at. */
export type SizeDeps = Pick<PrepareDeps, 'probe' | 'workingScale'>;

interface Common {
  itemId: number;
  jobId: number;
  source: string;
}

/** Ready to run: the output path is recorded in the database. */
export interface ReadyItem extends Common {
  kind: 'run';
  probe: ImageProbe;
  hash: string;
  facts: PhotoFacts;
  /** Metadata that could not be read (the photo is still processed). */
  factsWarning: string | null;
  /** Set when the result is written in the job's fallback format because the chosen one cannot hold it. */
  formatNote: string | null;
  format: OutputFormat;
  settingsKey: string;
  output: string;
}

/** A matching result exists and its file is still there. */
export interface SkipItem extends Common {
  kind: 'skip';
  hash: string;
  match: LibraryEntry;
}

/** The source cannot be processed (missing, not an image, unsupported). */
export interface UnusableItem extends Common {
  kind: 'failed';
  error: string;
  /** Stable reason ({@link failureCode}). */
  code: string;
  hash: string | null;
  sizeBytes: number | null;
}

export type Preparation = ReadyItem | SkipItem | UnusableItem;

/**
 * Plans output names for one job. Numbered names ("-1", "-2") are only for files Revive did not write: a file at the
 * planned name that is Revive's own result for the same content and settings (recorded in the library, or planned by
 * an item — the crash case: written, then killed before it was recorded) is replaced, not dodged. A name another
 * unfinished item has planned is taken — unless that item is the same photo with the same settings, left queued by an
 * earlier batch (killed, or its lock taken over): a new batch for it supersedes it and its name is released.
 *
 * With overwrite, an earlier result is replaced only when Revive wrote it: its path is recorded as the output of a
 * done library row, with the size recorded there (when there is one) still matching. A file Revive did not write —
 * or one changed since — gets the next free name, exactly as without overwrite.
 */
export class JobOutputPlanner {
  readonly #namer: OutputNamer;
  #current: { itemId: number; hash: string; key: string } | null = null;

  constructor(
    job: JobRecord,
    inputs: readonly string[],
    private readonly deps: Pick<PrepareDeps, 'queue' | 'library'>,
  ) {
    const s = job.settings;
    this.#namer = new OutputNamer(
      {
        outDir: s.outputDir ?? undefined,
        suffix: s.suffix,
        ...(s.namePattern !== undefined ? { namePattern: s.namePattern } : {}),
        model: s.model,
        scale: s.scale,
        format: s.format,
        overwrite: s.overwrite,
      },
      { exists: (p) => this.#taken(p), replaceable: (p) => this.#written(p), inputs },
    );
  }

  #taken(p: string): boolean {
    const cur = this.#current!;
    if (this.deps.queue.isPlannedByOther(p, cur.itemId)) return true;
    if (!existsSync(p)) return false;
    const ours =
      this.deps.queue.plannedFor(p, cur.hash, cur.key) ||
      this.deps.library.byOutputPath(p).some((e) => e.sourceHash === cur.hash && e.settingsKey === cur.key);
    return !ours;
  }

  /** A file Revive wrote and recorded, that no other unfinished item is about to write (see the class doc). */
  #written(p: string): boolean {
    if (this.deps.queue.isPlannedByOther(p, this.#current!.itemId)) return false;
    let size: number;
    try {
      size = statSync(p).size;
    } catch {
      return false;
    }
    return this.deps.library.byOutputPath(p).some((e) => e.status === 'done' && (e.outputSize === null || e.outputSize === size));
  }

  /** The output path for an item; `fallback` when its result is written in the job's fallback format. */
  plan(item: ItemRecord, hash: string, key: string, fallback?: OutputFormat): string {
    this.#current = { itemId: item.id, hash, key };
    this.deps.queue.releaseSuperseded(item, hash, key);
    try {
      return this.#namer.plan(item.sourcePath, fallback).path;
    } finally {
      this.#current = null;
    }
  }
}

export { maxPixelsOf };

/** The folder an item's output goes to. */
export function outputDirFor(job: JobRecord, source: string): string {
  return job.settings.outputDir ? path.resolve(job.settings.outputDir) : path.dirname(source);
}

/**
 * Where the queued items of these jobs will write and how many pixels, for the disk-space check. Sizes not probed
 * yet are stood in for by the mean of a sample: header probes are cheap but not free, so up to 200 per job. Photos
 * over the job's input pixel limit write nothing (they fail alone when prepared): they count neither as an output
 * nor in the sample.
 */
export async function expectedOutputs(queue: QueueStore, jobs: readonly JobRecord[], deps: SizeDeps): Promise<PlannedOutput[]> {
  const { probe, workingScale } = deps;
  const outputs: PlannedOutput[] = [];
  for (const job of jobs) {
    const queued = queue.items(job.id).filter((i) => i.state === 'queued' || i.state === 'running');
    const sample = queued.filter((_, k) => k % Math.max(1, Math.ceil(queued.length / 200)) === 0);
    const known: number[] = [];
    const refused = new Set<number>();
    for (const it of sample) {
      const size = it.width && it.height ? { width: it.width, height: it.height } : await probe(it.sourcePath).catch(() => null);
      if (size && overInputLimit(size, job.settings, workingScale)) refused.add(it.id);
      else if (size) known.push(size.width * size.height);
    }
    const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 0;
    for (const it of queued) {
      if (refused.has(it.id)) continue;
      if (it.width && it.height && overInputLimit({ width: it.width, height: it.height }, job.settings, workingScale)) continue;
      const px = (it.width && it.height ? it.width * it.height : mean) * job.settings.scale ** 2;
      outputs.push({ dir: outputDirFor(job, it.sourcePath), pixels: px, format: resolveOutputFormat(it.sourcePath, job.settings.format) });
    }
  }
  return outputs;
}

/**
 * The disk-space check of a run, job by job (oldest first; paused jobs are not counted): the jobs whose outputs do
 * not fit beside the earlier ones are `short`; `runnable` counts the others that have something to write.
 */
export async function jobsShortOfSpace(
  queue: QueueStore,
  jobs: readonly JobRecord[],
  deps: SizeDeps,
  space: SpaceProbe,
): Promise<{ runnable: number; short: ShortJob[] }> {
  const groups = [];
  for (const job of jobs.filter((j) => j.state === 'active' && !j.paused)) {
    groups.push({ jobId: job.id, outputs: await expectedOutputs(queue, [job], deps) });
  }
  const { fit, short } = await splitBySpace(groups, space);
  return { runnable: groups.filter((g) => g.outputs.length && fit.includes(g.jobId)).length, short };
}

/**
 * Prepares an item: probe → hash → facts → skip-if-done → plan + record the output path.
 * Does not change the item's state; the runner does, after checking nobody cancelled or moved it meanwhile.
 */
export async function prepareItem(
  item: ItemRecord,
  job: JobRecord,
  planner: JobOutputPlanner,
  deps: PrepareDeps,
): Promise<Preparation> {
  const common = { itemId: item.id, jobId: job.id, source: item.sourcePath };
  let probe: ImageProbe;
  try {
    probe = await deps.probe(item.sourcePath);
  } catch (e) {
    return { ...common, kind: 'failed', error: (e as Error).message, code: failureCode(e), hash: null, sizeBytes: null };
  }
  // The size limits, from the header: a decompression bomb, or a photo whose result this platform cannot hold at
  // the pack's working scale, is refused before it is hashed or handed to the engine.
  const refusal = sizeRefusal(item.sourcePath, probe, job.settings, deps.workingScale);
  if (refusal !== null) {
    return { ...common, kind: 'failed', error: refusal, code: 'TOO_LARGE', hash: null, sizeBytes: probe.bytes };
  }
  let hash: string;
  try {
    hash = await deps.hash(item.sourcePath);
  } catch (e) {
    return { ...common, kind: 'failed', error: `${item.sourcePath}: cannot be read (${(e as Error).message})`, code: failureCode(e), hash: null, sizeBytes: probe.bytes };
  }
  // The format the result can be stored in (the job's, or its fallback), decided from the header before any work.
  const decided = decideFormat(item.sourcePath, probe, job.settings);
  if (!decided.ok) {
    return { ...common, kind: 'failed', error: decided.tooLarge.message, code: 'OUTPUT_TOO_LARGE', hash, sizeBytes: probe.bytes };
  }
  const format = decided.format;
  const key = settingsKey(job.settings, format);

  if (!job.force) {
    const match = deps.library.findMatch(hash, key, outputDirFor(job, item.sourcePath));
    if (match?.outputPath && existsSync(match.outputPath)) return { ...common, kind: 'skip', hash, match };
  }

  const { facts, warning } = await deps.readFacts(item.sourcePath);
  // Keep an output path planned earlier (before a crash or a "pause now") when it still fits: the file there, if
  // any, is this item's own and is replaced rather than dodged.
  const kept =
    item.plannedOutput !== null && item.sourceHash === hash && item.settingsKey === key ? item.plannedOutput : null;
  let output: string;
  try {
    output = kept ?? planner.plan(item, hash, key, decided.fellBack ? format : undefined);
  } catch (e) {
    return { ...common, kind: 'failed', error: (e as Error).message, code: failureCode(e), hash, sizeBytes: probe.bytes };
  }
  deps.queue.update(item.id, {
    sourceHash: hash,
    settingsKey: key,
    sourceSize: probe.bytes,
    width: probe.width,
    height: probe.height,
    plannedOutput: output,
  });
  const formatNote = decided.fellBack
    ? `${item.sourcePath}: written as ${format.toUpperCase()}: the ${probe.width * job.settings.scale}×${probe.height * job.settings.scale} result is too large for ${decided.fellBack.toUpperCase()}`
    : null;
  return { ...common, kind: 'run', probe, hash, facts, factsWarning: warning, formatNote, format, settingsKey: key, output };
}
