/**
 * What the user can do with a library entry: run it again with other settings, or remove it.
 * Originals are never deleted; an output is deleted only when asked, and never when it is also someone's original.
 */
import { existsSync, realpathSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { parseJobSettings, type JobSettingsInput } from '../settings/job-settings';
import type { JobRecord, QueueStore } from './queue-store';
import type { LibraryStore } from '../library/library-store';
import type { ThumbnailCache } from '../library/thumbnails';

/**
 * Queues the entry's source again as a new job: the entry's settings with `changes` applied. Forced, because running
 * an entry again is an explicit request (with unchanged settings it makes a second result, named "-1").
 * @throws if the source no longer exists.
 */
export function rerun(
  library: LibraryStore,
  queue: QueueStore,
  entryId: number,
  changes: Partial<JobSettingsInput> = {},
): JobRecord {
  const entry = library.get(entryId);
  if (!existsSync(entry.sourcePath)) {
    throw new Error(`cannot run entry ${entryId} again: its original ${entry.sourcePath} is no longer there`);
  }
  // Parsed, so a partial change to a nested setting (repair) is completed with its defaults.
  return queue.createJob(parseJobSettings({ ...entry.settings, ...changes }), [entry.sourcePath], { force: true });
}

export interface RemoveOptions {
  /** Also delete the output file. Default false: only the library row and its thumbnails go. */
  deleteOutput?: boolean;
}

export interface RemoveResult {
  /** The output file deleted, if any. */
  deletedOutput: string | null;
}

/** Whether two paths name the same file (through symlinks), false if either does not exist. */
function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    // A path that cannot be resolved does not exist, so it cannot be the same file as anything.
    return false;
  }
}

/**
 * Removes an entry from the library. With `deleteOutput`, its output file is deleted too — unless that file is an
 * original (the entry's own source, or any entry's or queued item's source), which is refused with an error.
 */
export async function removeEntry(
  library: LibraryStore,
  thumbnails: ThumbnailCache,
  entryId: number,
  options: RemoveOptions = {},
): Promise<RemoveResult> {
  const entry = library.get(entryId);
  let deletedOutput: string | null = null;
  if (options.deleteOutput && entry.outputPath && existsSync(entry.outputPath)) {
    const out = entry.outputPath;
    const isOriginal =
      sameFile(out, entry.sourcePath) ||
      library.isSource(out) ||
      library.db.prepare('SELECT 1 FROM items WHERE source_path = ? LIMIT 1').get(out) !== undefined;
    if (isOriginal) {
      throw new Error(`refusing to delete ${out}: it is an original photo, not only a result (entry ${entryId})`);
    }
    await rm(out);
    deletedOutput = out;
  }
  await thumbnails.remove(entryId);
  library.delete(entryId);
  return { deletedOutput };
}
