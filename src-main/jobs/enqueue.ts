/**
 * Adding photos to the queue: file and folder arguments are expanded (cli/inputs.ts: image types only, recursive on
 * request, each file once by real path, earlier results skipped), then become one job with a settings snapshot.
 */
import { expandInputs, type InputProblem } from '../cli/inputs';
import { type JobSettingsInput, parseJobSettings } from './job-settings';
import type { JobRecord, QueueStore } from './queue-store';

export interface EnqueueOptions {
  recursive?: boolean;
  /** Folder relative arguments are resolved against (default: the process's). */
  cwd?: string;
  /** Redo photos that already have a matching result. */
  force?: boolean;
}

export interface EnqueueResult {
  /** Null when nothing usable was given (no job is created). */
  job: JobRecord | null;
  added: string[];
  /** Arguments that named nothing usable, each with its reason. */
  problems: InputProblem[];
}

/** Expands `args` and creates a job for the photos found. */
export async function enqueue(
  queue: QueueStore,
  settings: JobSettingsInput,
  args: readonly string[],
  options: EnqueueOptions = {},
): Promise<EnqueueResult> {
  const snapshot = parseJobSettings(settings);
  const { files, problems } = await expandInputs(args, {
    recursive: options.recursive ?? false,
    cwd: options.cwd ?? process.cwd(),
    skipSuffix: snapshot.suffix,
  });
  if (files.length === 0) return { job: null, added: [], problems };
  const job = queue.createJob(snapshot, files, { force: options.force });
  return { job, added: files, problems };
}
