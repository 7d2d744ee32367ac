/**
 * `revive resume [--data-dir DIR] [--json]`: continues every unfinished batch in the queue — after a crash, a kill,
 * a closed laptop or a Ctrl-C. Photos a killed run had already written are kept (verified by decoding), photos it was
 * in the middle of are redone into the same file names, and nothing is written twice.
 *
 * Exit codes: 0 nothing failed, 1 some photos failed, 75 another Revive process is running the queue.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { EngineSpawner } from '../../engine/spawn';
import { defaultDataDir } from '../../store/data-dir';
import type { QueueIo } from './queue-run';

export interface ResumeDeps {
  io?: QueueIo;
  signal?: AbortSignal;
  spawner?: EngineSpawner;
  /** Receives the exit code (main() returns it). */
  setExitCode?: (code: number) => void;
}

/** Adds the `resume` subcommand to the `revive` program. */
export function register(program: Command, deps: ResumeDeps = {}): void {
  const io = deps.io ?? { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() };
  program
    .command('resume')
    .description('continue unfinished batches (after a crash, a kill or Ctrl-C); finished photos are kept')
    .option('--json', 'print one JSON object per finished photo on stdout')
    .addOption(new Option('--data-dir <dir>', 'user data folder (queue, library, models)').env('REVIVE_DATA_DIR'))
    .action(async (raw: { json?: boolean; dataDir?: string }) => {
      const dataDir = raw.dataDir ? path.resolve(io.cwd, raw.dataDir) : defaultDataDir();
      const { runQueue } = await import('./queue-run');
      const code = await runQueue(
        {
          dataDir,
          json: raw.json === true,
          unpause: true,
          ...(deps.signal ? { signal: deps.signal } : {}),
          ...(deps.spawner ? { spawner: deps.spawner } : {}),
        },
        io,
      );
      deps.setExitCode?.(code);
    });
}
