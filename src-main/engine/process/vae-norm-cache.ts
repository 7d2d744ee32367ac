/**
 * The tile-consistent VAE graphs of installed packs, derived once and cached on disk.
 *
 * A pack ships the standard SD VAE graphs; the engine opens a derived copy whose GroupNorm layers take their
 * statistics as inputs (models/onnx/group-norm.ts, pipelines/vae-norm.ts). Deriving means parsing the whole graph
 * (about 200 MB for SD's decoder), so the result is kept in a cache folder keyed by the graph's sha256 from the pack
 * manifest: the same weights give the same derived graph, whichever pack or folder they come from. A graph without
 * normalisation layers leaves a small marker instead, so it is not parsed again.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deriveConsistentGraph } from '../../models/onnx/group-norm';
import { ENGINE_CACHE_ENV } from '../spawn';

/** Bumped whenever the derivation changes, so a cache written by another Revive version is not reused. */
const DERIVATION_VERSION = 1;


/**
 * The cache folder: the one the host names in {@link ENGINE_CACHE_ENV} (the data folder's, so nothing of Revive's is
 * left in the system temp folder); an engine started without a host (benchmarks, tests) falls back to a per-user
 * folder in the system temp folder.
 */
export function defaultNormCacheDir(): string {
  const fromHost = process.env[ENGINE_CACHE_ENV];
  if (fromHost) return fromHost;
  let who: string;
  try {
    who = os.userInfo().username;
  } catch {
    // No passwd entry (some containers): the numeric id still separates users.
    who = String(process.getuid?.() ?? 'user');
  }
  return path.join(os.tmpdir(), `revive-vae-norm-${who}`);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Writes `bytes` to `file` through a temporary name, so a reader never sees half a graph. */
async function writeAtomic(file: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * The graph to open for a pack's VAE `file` (whose manifest sha256 is `sha256`): the cached tile-consistent graph,
 * derived now if missing, or `file` itself when the graph has no normalisation layer.
 */
export async function tileConsistentGraph(file: string, sha256: string, cacheDir = defaultNormCacheDir()): Promise<string> {
  const derived = path.join(cacheDir, `${sha256}-v${DERIVATION_VERSION}.onnx`);
  const none = path.join(cacheDir, `${sha256}-v${DERIVATION_VERSION}.none`);
  if (await exists(derived)) return derived;
  if (await exists(none)) return file;
  const graph = deriveConsistentGraph(await readFile(file));
  await mkdir(cacheDir, { recursive: true });
  if (!graph) {
    await writeAtomic(none, new Uint8Array());
    return file;
  }
  await writeAtomic(derived, graph.bytes);
  return derived;
}
