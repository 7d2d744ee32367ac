/**
 * Writing files so that a crash, a kill or a full disk never leaves a half-written photo under the final name.
 * Free of sharp so the engine host can compute temp names (to clean up after killing the engine) cheaply.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ImageError } from './errors';

/**
 * Where {@link writeAtomic} stages `finalPath` before renaming it into place: a hidden file in the same folder (a
 * rename is only atomic within one file system). `tag` makes it predictable, so whoever kills a writer can remove it.
 */
export function atomicTempPath(finalPath: string, tag: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(tag)) throw new RangeError(`temp tag must be letters, digits, ".", "_" or "-", got ${JSON.stringify(tag)}`);
  return path.join(path.dirname(finalPath), `.revive-tmp-${tag}-${path.basename(finalPath)}`);
}

/**
 * ExifTool edits a file by writing `<file>_exiftool_tmp` beside it and renaming; a process killed at that moment
 * leaves that file too.
 */
export const EXIFTOOL_TEMP_SUFFIX = '_exiftool_tmp';

/**
 * The output's ICC profile is handed to sharp as a file (it reads profiles from files only), staged beside the temp
 * file as `<temp>.icc` rather than in the system temp folder, so a killed writer's clean-up removes it too.
 */
export const ICC_TEMP_SUFFIX = '.icc';

/** Likewise the EXIF thumbnail made for a JPEG result while its metadata is copied (metadata.ts). */
export const THUMB_TEMP_SUFFIX = '.thumb.jpg';

/** Every file a write to `finalPath` with `tag` can leave behind when its process is killed mid-way. */
export function atomicLeftovers(finalPath: string, tag: string): string[] {
  const temp = atomicTempPath(finalPath, tag);
  return [temp, `${temp}${EXIFTOOL_TEMP_SUFFIX}`, `${temp}${ICC_TEMP_SUFFIX}`, `${temp}${THUMB_TEMP_SUFFIX}`];
}

export interface WriteAtomicOptions {
  /** Names the temp file ({@link atomicTempPath}); random when omitted. */
  tempTag?: string;
  /**
   * Runs on the complete temp file before it is renamed into place (metadata copying, file times): whatever it does
   * is never visible under the final name half done. The temp file is synced again after it.
   */
  beforeRename?: (tempPath: string) => Promise<void>;
}

/**
 * Writes `bytes` to `finalPath` so that it either appears complete or not at all: write a temp file in the same
 * folder, fsync it, then rename it over the final name. The temp file is removed when any step fails.
 *
 * @throws ImageError WRITE_FAILED naming the path and the system error; an ImageError thrown by `beforeRename` as is.
 */
export async function writeAtomic(finalPath: string, bytes: Uint8Array, options: WriteAtomicOptions = {}): Promise<void> {
  const temp = atomicTempPath(finalPath, options.tempTag ?? randomBytes(6).toString('hex'));
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.beforeRename) {
      await options.beforeRename(temp);
      const again = await open(temp, 'r+');
      try {
        await again.sync();
      } finally {
        await again.close();
      }
    }
    await rename(temp, finalPath);
  } catch (err) {
    // The failure is what the caller needs to hear about; a temp that cannot be removed either is reported with it.
    const cleanup = await rm(temp, { force: true }).then(
      () => '',
      (e: unknown) => `; the temp file ${temp} could not be removed (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
    if (err instanceof ImageError) throw new ImageError(err.code, `${err.message}${cleanup}`, { cause: err });
    const code = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new ImageError('WRITE_FAILED', `cannot write ${finalPath}: ${code}${cleanup}`, { cause: err });
  }
}
