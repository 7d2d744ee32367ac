/**
 * Adding photos to the queue: file and folder arguments are expanded (jobs/inputs.ts: image types only, recursive on
 * request, each file once by real path, earlier results skipped), their results' sizes are checked against the
 * output format (jobs/output-size.ts), then they become one job with a settings snapshot.
 */
import { expandInputs, type InputProblem } from './inputs';
import { earlierResultTest } from './naming';
import { type JobSettingsInput, parseJobSettings } from '../settings/job-settings';
import { findTooLarge, type PhotoSize, type TooLargeResult } from './output-size';
import type { JobRecord, QueueStore } from './queue-store';
import { filesInShard, shardKey, shardOf, type ShardSpec } from './shard';

export interface EnqueueOptions {
  recursive?: boolean;
  /** Folder relative arguments are resolved against (default: the process's). */
  cwd?: string;
  /** Redo photos that already have a matching result. */
  force?: boolean;
  /**
   * Reads a photo's upright size from its header. When given, a batch with a photo whose result its format (and
   * fallback) cannot hold is not queued: `tooLarge` lists them, so the caller can offer another format first.
   */
  probe?: (file: string) => Promise<PhotoSize>;
  /** Only the photos (and argument problems) of this shard of the batch (jobs/shard.ts). */
  shard?: ShardSpec;
}

export interface EnqueueResult {
  /** Null when nothing usable was given (no job is created). */
  job: JobRecord | null;
  added: string[];
  /** Arguments that named nothing usable, each with its reason. */
  problems: InputProblem[];
  /** Photos whose result the output format cannot hold; when not empty, nothing was queued (`job` is null). */
  tooLarge: TooLargeResult[];
  /** Photos found that belong to other shards (0 without `shard`). */
  outOfShard?: number;
}

/** Expands `args` and creates a job for the photos found. */
export async function enqueue(
  queue: QueueStore,
  settings: JobSettingsInput,
  args: readonly string[],
  options: EnqueueOptions = {},
): Promise<EnqueueResult> {
  const snapshot = parseJobSettings(settings);
  const cwd = options.cwd ?? process.cwd();
  const expanded = await expandInputs(args, { recursive: options.recursive ?? false, cwd, isEarlierResult: earlierResultTest(snapshot) });
  const shard = options.shard;
  const files = shard ? filesInShard(expanded.files, args, cwd, shard) : expanded.files;
  // An argument that named nothing is reported by one shard only, so a batch's failures are counted once.
  const problems = shard ? expanded.problems.filter((p) => shardOf(shardKey(p.path, args, cwd), shard.count) === shard.index) : expanded.problems;
  const outOfShard = expanded.files.length - files.length;
  if (files.length === 0) return { job: null, added: [], problems, tooLarge: [], outOfShard };
  const tooLarge = options.probe ? await findTooLarge(files, snapshot, options.probe) : [];
  if (tooLarge.length) return { job: null, added: [], problems, tooLarge, outOfShard };
  const job = queue.createJob(snapshot, files, { force: options.force });
  return { job, added: files, problems, tooLarge: [], outOfShard };
}
