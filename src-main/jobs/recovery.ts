/**
 * Crash recovery, run once after taking the queue lock and before running anything.
 *
 * The invariants that make it work: an item is marked `running` with its planned output recorded *before* the engine
 * writes; the engine writes `.revive-tmp-<id>-<name>` then renames it to the planned path; an item is marked `done`
 * and its library row inserted in one transaction. So after a kill at any moment, for each item still `running`:
 * - a file at the planned path is this item's output, complete unless the disk lied: it is decoded completely and,
 *   if that succeeds, adopted (done, no new name, no second copy); if it does not decode, it is deleted and the item
 *   runs again into the same path;
 * - otherwise the item goes back to the queue (or to cancelled, if its job was cancelled meanwhile);
 * - temp files next to planned outputs are removed, and so are half-written thumbnails.
 * Nothing else is touched: files are only removed when their name ties them to a planned output of this queue.
 */
import { existsSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LibraryStore } from '../library/library-store';
import type { PhotoFactsResult } from '../library/photo-facts';
import type { ThumbnailCache } from '../library/thumbnails';
import type { ImageProbe } from '../imaging/probe';
import type { ItemRecord, QueueStore } from './queue-store';
import { EXIFTOOL_TEMP_SUFFIX, ICC_TEMP_SUFFIX, THUMB_TEMP_SUFFIX } from '../imaging/atomic';

export interface RecoveryDeps {
  queue: QueueStore;
  library: LibraryStore;
  thumbnails: ThumbnailCache | null;
  /** Decodes the whole file; throws if it is not a complete image. */
  verifyOutput(path: string): Promise<{ width: number; height: number }>;
  readFacts(path: string): Promise<PhotoFactsResult>;
  probe(path: string): Promise<ImageProbe>;
  now(): number;
}

export interface RecoveryReport {
  /** Items put back in the queue. */
  requeued: number[];
  /** Items whose complete output was found and kept. */
  adopted: number[];
  /** Items whose output was found incomplete, deleted, and queued again. */
  replaced: number[];
  /** Items of cancelled jobs that were interrupted: now cancelled. */
  cancelled: number[];
  /** Temp files removed (full paths). */
  tempsRemoved: string[];
  /** Things that did not stop recovery (a thumbnail that could not be made). */
  warnings: string[];
}

/**
 * Temp files the engine (imaging/atomic.ts) may have left for this output: `.revive-tmp-<tag>-<name>`, and ExifTool's
 * `.revive-tmp-<tag>-<name>_exiftool_tmp` when it was killed while writing the metadata.
 */
export async function removeTempsFor(outputPath: string): Promise<string[]> {
  const dir = path.dirname(outputPath);
  const tail = `-${path.basename(outputPath)}`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const temps = names
    .filter((n) => n.startsWith('.revive-tmp-') && [tail, `${tail}${EXIFTOOL_TEMP_SUFFIX}`, `${tail}${ICC_TEMP_SUFFIX}`, `${tail}${THUMB_TEMP_SUFFIX}`].some((t) => n.endsWith(t)))
    .map((n) => path.join(dir, n));
  for (const t of temps) await rm(t, { force: true });
  return temps;
}

export async function recoverInterrupted(deps: RecoveryDeps): Promise<RecoveryReport> {
  const report: RecoveryReport = { requeued: [], adopted: [], replaced: [], cancelled: [], tempsRemoved: [], warnings: [] };
  const { queue } = deps;

  // Temp files next to every planned output of unfinished items (a "pause now" or a crash may have left them).
  const unfinished = [...queue.itemsInState('running'), ...queue.itemsInState('queued')];
  for (const item of unfinished) {
    if (item.plannedOutput) report.tempsRemoved.push(...(await removeTempsFor(item.plannedOutput)));
  }
  if (deps.thumbnails) await deps.thumbnails.removeTemps();

  for (const item of queue.itemsInState('running')) {
    const job = queue.job(item.jobId);
    const output = item.plannedOutput;
    if (output && existsSync(output)) {
      const size = await deps.verifyOutput(output).catch(() => null);
      if (size) {
        report.warnings.push(...(await adopt(deps, item, output, size)));
        report.adopted.push(item.id);
        continue;
      }
      await rm(output, { force: true });
      report.replaced.push(item.id);
    }
    if (job.state === 'cancelled') {
      queue.transition(item.id, 'cancelled', { finishedAt: deps.now() }, 'running');
      report.cancelled.push(item.id);
    } else {
      queue.transition(item.id, 'queued', { startedAt: null }, 'running');
      report.requeued.push(item.id);
    }
  }
  for (const job of queue.jobs({ unfinished: true })) queue.finishIfComplete(job.id);
  return report;
}

/** Marks an interrupted item done with the output it left, and records it in the library (once). */
async function adopt(
  deps: RecoveryDeps,
  item: ItemRecord,
  output: string,
  size: { width: number; height: number },
): Promise<string[]> {
  const { queue, library } = deps;
  const job = queue.job(item.jobId);
  const { facts } = await deps.readFacts(item.sourcePath);
  const probe = item.width && item.height ? null : await deps.probe(item.sourcePath).catch(() => null);
  const outputSize = await stat(output).then(
    (s) => s.size,
    () => null,
  );
  const now = deps.now();
  queue.db.transaction(() => {
    queue.transition(item.id, 'done', { outputPath: output, adopted: true, finishedAt: now }, 'running');
    if (library.forItem(item.id)) return;
    library.insert({
      itemId: item.id,
      jobId: item.jobId,
      sourcePath: item.sourcePath,
      sourceHash: item.sourceHash ?? '',
      sourceSize: item.sourceSize,
      sourceWidth: item.width ?? probe?.width ?? null,
      sourceHeight: item.height ?? probe?.height ?? null,
      outputPath: output,
      outputSize,
      outputWidth: size.width,
      outputHeight: size.height,
      model: job.settings.model,
      settings: job.settings,
      settingsKey: item.settingsKey ?? '',
      status: 'done',
      error: null,
      // The processing time died with the process.
      ms: null,
      startedAt: item.startedAt,
      finishedAt: now,
      device: null,
      dateTaken: facts.dateTaken,
      camera: facts.camera,
      hasGps: facts.hasGps,
    });
  })();
  if (deps.thumbnails) {
    const entry = library.forItem(item.id);
    if (entry) {
      const t = await deps.thumbnails.ensure(entry.id, item.sourcePath, output);
      library.setThumbnails(entry.id, t.before, t.after);
      return t.errors.map((m) => `thumbnail: ${m}`);
    }
  }
  return [];
}
