/**
 * The host-folder picker of `revive serve`: a browser page cannot open the host's native dialog, so it walks the
 * host's folders one level at a time — but only below the roots results may be written to (`--output-root`, the same
 * rule as ./output-folder.ts), never Revive's data folder, and never through a symlink that leads outside a root.
 * A page that learns the token therefore sees folder names under those roots and nothing else.
 */
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { CodedError } from '../pixels/coded-error';

export interface FolderListing {
  /** The folder listed; null for the list of roots. */
  dir: string | null;
  /** Where "up" goes: the parent when still inside a root, null when up is the list of roots. */
  parent: string | null;
  /** Sub-folders (or the roots), sorted by name; hidden ones left out. */
  folders: { name: string; path: string }[];
}

const inside = (file: string, dir: string): boolean => file === dir || file.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);

/** A folder listing never grows without bound (a folder of 100 000 sub-folders is not browsed by hand). */
const MAX_FOLDERS = 2000;

/**
 * Lists the sub-folders of `dir`, or the roots when `dir` is undefined. `roots` and `dataDir` are real paths.
 * Throws `NOT_ALLOWED` for a folder outside every root (or inside the data folder), `NOT_FOUND` for one that is gone.
 */
export async function listFolders(dir: string | undefined, roots: readonly string[], dataDir: string): Promise<FolderListing> {
  if (dir === undefined) {
    return { dir: null, parent: null, folders: roots.map((r) => ({ name: r, path: r })) };
  }
  // Refused, not normalised: `/root/../etc` is an attempt to leave the roots, not a typo.
  if (!path.isAbsolute(dir) || dir.includes('\0') || dir.split(/[\\/]+/).includes('..')) {
    throw new CodedError('NOT_ALLOWED', `the folder must be an absolute path without "..": ${JSON.stringify(dir)}`);
  }
  let real: string;
  try {
    real = await realpath(dir);
  } catch {
    throw new CodedError('NOT_FOUND', `the folder ${dir} does not exist`);
  }
  const root = roots.find((r) => inside(real, r));
  if (!root || inside(real, dataDir)) throw new CodedError('NOT_ALLOWED', `the folder ${dir} is outside the folders this server may write to`);
  let entries: Dirent[];
  try {
    entries = await readdir(real, { withFileTypes: true });
  } catch (err) {
    throw new CodedError('NOT_FOUND', `the folder ${dir} cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const folders: { name: string; path: string }[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const child = path.join(real, e.name);
    if (e.isDirectory()) {
      if (!inside(child, dataDir)) folders.push({ name: e.name, path: child });
    } else if (e.isSymbolicLink()) {
      // A link is listed only when it leads to a folder that is itself inside a root.
      const target = await realpath(child).catch(() => null);
      if (target && roots.some((r) => inside(target, r)) && !inside(target, dataDir) && (await isDir(target))) folders.push({ name: e.name, path: child });
    }
    if (folders.length >= MAX_FOLDERS) break;
  }
  folders.sort((a, b) => a.name.localeCompare(b.name));
  return { dir: real, parent: real === root ? null : path.dirname(real), folders };
}

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isDirectory() ?? false;
}
