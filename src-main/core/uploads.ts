/**
 * The bridge's upload folders (one per connection, inside the data folder): removed when their connection closes,
 * and those left by a server that was killed swept when the core starts — unless unfinished work still reads a photo
 * from one (a page reloaded while its batch runs), which keeps that folder until a later start.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/** Removes `dir` unless `inUse` says queued work still needs it. Returns whether it was removed. */
export async function removeUploadFolder(dir: string, inUse: (dir: string) => boolean): Promise<boolean> {
  if (inUse(dir)) return false;
  await rm(dir, { recursive: true, force: true });
  return true;
}

/** Removes every upload folder (and stray file) below `uploadsDir` that `inUse` does not claim. */
export async function sweepUploads(uploadsDir: string, inUse: (dir: string) => boolean): Promise<void> {
  const names = await readdir(uploadsDir).catch(() => [] as string[]);
  for (const name of names) await removeUploadFolder(path.join(uploadsDir, name), inUse);
}

/** Whether `file` lies below `dir` (plain path prefix on normalised absolute paths). */
export function isBelow(file: string, dir: string): boolean {
  return file.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}
