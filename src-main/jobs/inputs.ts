/**
 * Turning the CLI's file and folder arguments into the list of photos to process.
 *
 * - Files named explicitly are always taken (a wrong one gets its own one-line failure later, e.g. "BMP images are
 *   not supported"); folders contribute only files with an image extension Revive reads.
 * - `recursive` descends into subfolders; hidden files and folders (".name") are skipped, which also skips temp files
 *   of writes in progress; symlinked folders are followed once (loops are cut by real path).
 * - Earlier results are not re-processed: in folders, files named as the job names its results (`x_realesrgan-x4fast_4x.jpg`,
 *   `x_revive-2.jpg`; jobs/naming.ts#earlierResultTest) are skipped.
 * - Each file appears once (by real path), in a stable order: arguments in the order given, folder entries sorted
 *   by name (code-point order, the same on every machine).
 */
import type { Stats } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { extensionOf, INPUT_EXTENSIONS } from '../imaging/formats';
import { earlierResultTest } from './naming';
import { resolveShellPaths } from './shell-paths';

export interface ExpandOptions {
  recursive: boolean;
  /** Directory relative arguments are resolved against. */
  cwd: string;
  platform?: NodeJS.Platform;
  /** Output suffix whose files are skipped inside folders (earlier results, and those of the default naming). Undefined: skip nothing. */
  skipSuffix?: string;
  /** Whether a file found in a folder is an earlier result, skipped (jobs/naming.ts#earlierResultTest); wins over `skipSuffix`. */
  isEarlierResult?: (file: string) => boolean;
}

export interface InputProblem {
  /** The argument or path concerned. */
  path: string;
  code: 'NOT_FOUND' | 'BAD_ARGUMENT' | 'UNREADABLE';
  reason: string;
}

export interface ExpandedInputs {
  /** Absolute paths of files to process. */
  files: string[];
  /** Arguments that named nothing usable (reported per item, the batch goes on). */
  problems: InputProblem[];
  /** Real paths of every file in `files` (for "never overwrite an original" checks). */
  realPaths: string[];
}

/**
 * Why a path that should be a photo is not a regular file, or null. A FIFO, a device or a socket named `x.jpg` would
 * make `open` or `read` wait forever on a libuv pool thread (four of them stall every file call of the process), so
 * these are refused from their metadata alone, before anything opens them.
 */
export function specialFileReason(st: Stats): string | null {
  if (st.isFile()) return null;
  if (st.isDirectory()) return 'a folder, not a file';
  if (st.isFIFO()) return 'a named pipe (FIFO), not a file';
  if (st.isSocket()) return 'a socket, not a file';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device, not a file';
  return 'not a regular file';
}

/**
 * {@link specialFileReason} for a path: `lstat` first, and for a symlink the metadata of its target (stat opens
 * nothing either). Throws the file system's error for a path that does not exist.
 */
export async function regularFileProblem(file: string): Promise<string | null> {
  const link = await lstat(file);
  return specialFileReason(link.isSymbolicLink() ? await stat(file) : link);
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Expands file and folder arguments into photos to process (see module doc for the rules). */
export async function expandInputs(args: readonly string[], options: ExpandOptions): Promise<ExpandedInputs> {
  const { paths, rejected } = resolveShellPaths(args, { cwd: options.cwd, platform: options.platform ?? process.platform });
  const files: string[] = [];
  const realPaths: string[] = [];
  const problems: InputProblem[] = rejected.map((r) => ({ path: r.arg, code: 'BAD_ARGUMENT', reason: r.reason }));
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();
  const earlier = options.isEarlierResult ?? (options.skipSuffix !== undefined ? earlierResultTest({ suffix: options.skipSuffix }) : null);
  const isEarlierResult = (file: string): boolean => earlier !== null && earlier(file);

  const addFile = async (file: string): Promise<void> => {
    const real = await realpath(file);
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    files.push(file);
    realPaths.push(real);
  };

  const walk = async (dir: string): Promise<void> => {
    const real = await realpath(dir);
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let names: string[];
    try {
      names = (await readdir(dir)).sort(byName);
    } catch (err) {
      problems.push({ path: dir, code: 'UNREADABLE', reason: `cannot list folder (${(err as NodeJS.ErrnoException).code ?? String(err)})` });
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const full = path.join(dir, name);
      const st = await stat(full).catch(() => undefined); // a dangling link is not a photo
      if (!st) continue;
      if (st.isDirectory()) {
        if (options.recursive) await walk(full);
      } else if (st.isFile() && INPUT_EXTENSIONS[extensionOf(name)] && !isEarlierResult(full)) {
        await addFile(full);
      }
    }
  };

  for (const p of paths) {
    const st = await stat(p).catch((err: NodeJS.ErrnoException) => err);
    if (st instanceof Error) {
      const code = st.code === 'ENOENT' || st.code === 'ENOTDIR' ? 'NOT_FOUND' : 'UNREADABLE';
      problems.push({ path: p, code, reason: code === 'NOT_FOUND' ? 'no such file or folder' : `cannot read (${st.code ?? st.message})` });
    } else if (st.isDirectory()) {
      await walk(p);
    } else if (specialFileReason(st)) {
      problems.push({ path: p, code: 'UNREADABLE', reason: specialFileReason(st)! });
    } else {
      await addFile(p);
    }
  }
  return { files, problems, realPaths };
}
