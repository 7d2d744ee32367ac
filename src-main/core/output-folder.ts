/**
 * Which output folders a request may name. The desktop app's page is our own code and its folder field is the
 * user's own typing, so there any existing, writable folder is taken; a browser page of `revive serve` is reachable by
 * anything that learns the token, so there the folder must also lie inside the roots the person who started the
 * server configured (`--output-root`, default their home folder). Checked before anything is queued: a folder that is
 * missing or read-only fails at once, not after the model has run.
 */
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { CodedError } from '../pixels/coded-error';

export interface OutputFolderPolicy {
  /** Revive's data folder: never a place for results. */
  dataDir: string;
  /** Serve mode: results only below one of these (real paths). Undefined: anywhere the user can write. */
  roots?: readonly string[];
}

const inside = (file: string, dir: string): boolean => file === dir || file.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);

/**
 * Returns `dir` when results may be written there; throws `OUTPUT_NOT_ALLOWED` (relative, in the data folder,
 * outside the configured roots) or `OUTPUT_NOT_WRITABLE` (missing, not a folder, no write permission).
 */
export async function checkOutputFolder(dir: string, policy: OutputFolderPolicy): Promise<string> {
  // A relative folder would resolve against whatever the server's working directory happens to be.
  if (!path.isAbsolute(dir) || dir.includes('\0')) throw new CodedError('OUTPUT_NOT_ALLOWED', `the output folder must be an absolute path, got ${JSON.stringify(dir)}`);
  let real: string;
  try {
    real = await realpath(dir);
  } catch {
    throw new CodedError('OUTPUT_NOT_WRITABLE', `the output folder ${dir} does not exist: create it first`);
  }
  if (!(await stat(real)).isDirectory()) throw new CodedError('OUTPUT_NOT_WRITABLE', `the output folder ${dir} is not a folder`);
  const dataDir = await realpath(policy.dataDir).catch(() => path.resolve(policy.dataDir));
  if (inside(real, dataDir)) throw new CodedError('OUTPUT_NOT_ALLOWED', `the output folder ${dir} is inside Revive's data folder`);
  if (policy.roots && !policy.roots.some((root) => inside(real, root))) {
    const where = policy.roots.length ? policy.roots.join(', ') : '(none configured)';
    throw new CodedError('OUTPUT_NOT_ALLOWED', `the output folder ${dir} is outside the folders this server may write to: ${where} (see revive serve --output-root)`);
  }
  try {
    await access(real, constants.W_OK | constants.X_OK);
  } catch {
    throw new CodedError('OUTPUT_NOT_WRITABLE', `the output folder ${dir} is not writable`);
  }
  return dir;
}

/** The real paths of configured roots; a root that does not exist is dropped (nothing can be inside it). */
export async function resolveRoots(roots: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const r of roots) {
    const real = await realpath(path.resolve(r)).catch(() => null);
    if (real) out.push(real);
  }
  return out;
}
