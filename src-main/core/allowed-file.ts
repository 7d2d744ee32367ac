/**
 * The file-system half of the allow-list check: resolves symlinks, then asks the pure {@link AllowList}. Used by
 * the Electron `revive-img:` protocol and the bridge's image and download routes.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AllowList } from './allow-list';
import { CodedError } from '../pixels/coded-error';

/**
 * Returns the real path of `requested` when it is an allowed regular file; throws `NOT_ALLOWED` otherwise. Both the
 * path as asked and its real path must be allowed, so a symlink planted inside an allowed folder cannot reach out.
 */
export async function resolveAllowedFile(allowList: AllowList, requested: string): Promise<string> {
  if (!path.isAbsolute(requested) || !allowList.isAllowed(requested)) {
    throw new CodedError('NOT_ALLOWED', `not on the allow-list: ${requested}`);
  }
  let real: string;
  try {
    real = await realpath(requested);
  } catch (err) {
    throw new CodedError('NOT_FOUND', `cannot open ${requested}: ${(err as Error).message}`);
  }
  if (!allowList.isAllowed(real)) throw new CodedError('NOT_ALLOWED', `resolves outside the allow-list: ${requested} → ${real}`);
  const info = await stat(real);
  if (!info.isFile()) throw new CodedError('NOT_ALLOWED', `not a regular file: ${requested}`);
  return real;
}

/** Allows a file by both its given and its real path (a user may add a photo through a symlinked folder). */
export async function allowFileAndTarget(allowList: AllowList, file: string): Promise<void> {
  allowList.allowFile(path.resolve(file));
  try {
    allowList.allowFile(await realpath(file));
  } catch (err) {
    // A file that does not exist yet (a planned output) is allowed by its path alone; it is re-resolved when served.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** The Content-Type to serve an allowed image with. */
export function imageContentType(file: string): string {
  const ext = path.extname(file).slice(1).toLowerCase();
  const types: Record<string, string> = {
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    jpe: 'image/jpeg',
    jfif: 'image/jpeg',
    png: 'image/png',
    webp: 'image/webp',
    gif: 'image/gif',
    avif: 'image/avif',
    tif: 'image/tiff',
    tiff: 'image/tiff',
  };
  return types[ext] ?? 'application/octet-stream';
}
