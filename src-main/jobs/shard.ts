/**
 * Static sharding for batch schedulers (a Kubernetes Indexed Job, an AWS Batch array job): every node is given the
 * same inputs and its index, and takes only the photos that fall in its shard — no node talks to another.
 *
 * The assignment is rendezvous (highest-random-weight) hashing of each photo's path relative to the argument it was
 * found under: every shard scores the path, the highest score wins. So the split is the same on every node whatever
 * the mount point, each photo is in exactly one shard, adding or removing a photo moves no other photo, and changing
 * the number of shards moves only the photos that must move (about 1/n of them when one shard is added).
 *
 * Pure: no file system access; the paths are the ones jobs/inputs.ts expanded.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

/** One shard of `count`: `index` counts from 0, as JOB_COMPLETION_INDEX and AWS_BATCH_JOB_ARRAY_INDEX do. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** The most shards a batch may be split into (a sanity bound; array jobs stop at 10 000). */
export const MAX_SHARDS = 100_000;

/** A shard written or configured wrongly; the message names the value. */
export class ShardSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardSpecError';
  }
}

function wholeNumber(text: string, what: string): number {
  const t = text.trim();
  const n = Number(t);
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(n)) throw new ShardSpecError(`${what} must be a whole number, got ${JSON.stringify(text)}`);
  return n;
}

/** Checks index and count: 1 ≤ count ≤ {@link MAX_SHARDS}, 0 ≤ index < count. */
export function shardSpec(index: number, count: number): ShardSpec {
  if (!(count >= 1 && count <= MAX_SHARDS)) throw new ShardSpecError(`the shard count must be from 1 to ${MAX_SHARDS}, got ${count}`);
  if (!(index >= 0 && index < count)) {
    throw new ShardSpecError(`the shard index counts from 0 and must be below the count ${count}, got ${index}`);
  }
  return { index, count };
}

/** Parses `i/n` (index from 0, e.g. `0/4` … `3/4`). */
export function parseShard(text: string): ShardSpec {
  const m = /^\s*([^/]+)\/([^/]+)\s*$/.exec(text);
  if (!m) throw new ShardSpecError(`a shard is written INDEX/COUNT with the index from 0 (e.g. 0/4), got ${JSON.stringify(text)}`);
  return shardSpec(wholeNumber(m[1]!, 'the shard index'), wholeNumber(m[2]!, 'the shard count'));
}

/** Where a scheduler puts a node's index: Kubernetes Indexed Jobs, then AWS Batch array jobs. */
export const SHARD_INDEX_VARIABLES = ['JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX'] as const;

/**
 * The shard from the scheduler's environment: the index from the first of {@link SHARD_INDEX_VARIABLES} that is set,
 * the count as given (a flag, or REVIVE_SHARD_COUNT; neither scheduler tells a node how many there are).
 */
export function shardFromEnv(env: Readonly<Record<string, string | undefined>>, count: string | undefined): ShardSpec {
  const name = SHARD_INDEX_VARIABLES.find((v) => env[v] !== undefined && env[v] !== '');
  if (!name) throw new ShardSpecError(`none of ${SHARD_INDEX_VARIABLES.join(', ')} is set, so this node's shard index is unknown`);
  if (count === undefined || count === '') throw new ShardSpecError('the shard count is needed with the index from the environment (--shard-count N or REVIVE_SHARD_COUNT)');
  return shardSpec(wholeNumber(env[name]!, name), wholeNumber(count, 'the shard count'));
}

/** The rendezvous score of `key` for shard `k`: the first 48 bits of SHA-256(key NUL k), exact in a double. */
function score(key: string, k: number): number {
  return createHash('sha256').update(`${key}\0${k}`).digest().readUIntBE(0, 6);
}

/** The shard (0 … count-1) a photo's relative path belongs to; ties (1 in 2^48) go to the lower index. */
export function shardOf(key: string, count: number): number {
  let best = 0;
  let bestScore = -1;
  for (let k = 0; k < count; k++) {
    const s = score(key, k);
    if (s > bestScore) {
      best = k;
      bestScore = s;
    }
  }
  return best;
}

/**
 * A photo's shard key: its path relative to the folder argument it was found under, with `/` separators (the same
 * on Windows and POSIX nodes); a photo named directly is keyed by its file name. Arguments are resolved against `cwd`.
 */
export function shardKey(file: string, args: readonly string[], cwd: string): string {
  const abs = path.resolve(cwd, file);
  let root: string | null = null;
  for (const a of args) {
    const dir = path.resolve(cwd, a);
    const rel = path.relative(dir, abs);
    // The deepest argument that contains the file wins (a folder and a subfolder both given).
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel) && (root === null || dir.length > root.length)) root = dir;
  }
  return root === null ? path.basename(abs) : path.relative(root, abs).split(path.sep).join('/');
}

/** The files of `files` that fall in `spec`, in their order. */
export function filesInShard(files: readonly string[], args: readonly string[], cwd: string, spec: ShardSpec): string[] {
  if (spec.count === 1) return [...files];
  return files.filter((f) => shardOf(shardKey(f, args, cwd), spec.count) === spec.index);
}
