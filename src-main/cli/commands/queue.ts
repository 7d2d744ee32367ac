/**
 * `revive queue list|drop ID|clear`: the batches waiting in the data folder's queue (the one the app, `revive serve`
 * and `revive enhance` share). `list` reads without the queue lock, so it works while a batch runs; `drop` and
 * `clear` change the queue, so they take the lock like a batch does and refuse (exit 75) while another Revive process
 * runs it. Dropping a batch cancels its waiting photos; results already made, and their history, are kept.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { EngineSpawner } from '../../engine/spawn';
import type { BatchCounts } from '../../jobs/progress';
import type { JobRecord, QueueStore } from '../../jobs/queue-store';
import { defaultDataDir } from '../../store/data-dir';
import { printError, UsageError } from '../errors';
import { examplesText } from '../help-text';
import type { QueueIo } from './queue-run';

/** What `queue` needs from main(). */
export interface QueueCommandDeps {
  io: QueueIo;
  spawner?: EngineSpawner;
  setExitCode(code: number): void;
}

/** One unfinished batch as `revive queue list --json` prints it (one object per line). */
export interface QueueListEntry {
  id: number;
  createdAt: string;
  paused: boolean;
  model: string;
  scale: number;
  format: string;
  /** Null: next to each original. */
  outputDir: string | null;
  counts: BatchCounts;
}

/** The list entry of a batch. */
export function listEntry(job: JobRecord, counts: BatchCounts): QueueListEntry {
  const s = job.settings;
  return {
    id: job.id,
    createdAt: new Date(job.createdAt).toISOString(),
    paused: job.paused,
    model: s.model,
    scale: s.scale,
    format: s.format,
    outputDir: s.outputDir,
    counts,
  };
}

/** The batches as an aligned table (one header line, one line per batch). */
export function formatQueueTable(entries: readonly QueueListEntry[], cwd: string): string {
  const header = ['BATCH', 'CREATED', 'WAITING', 'DONE', 'FAILED', 'MODEL', 'SCALE', 'OUTPUT'];
  const rows = entries.map((e) => [
    `${e.id}${e.paused ? ' (paused)' : ''}`,
    e.createdAt.slice(0, 16).replace('T', ' '),
    String(e.counts.queued + e.counts.running),
    String(e.counts.done),
    String(e.counts.failed + e.counts.cancelled),
    e.model,
    `${e.scale}×`,
    e.outputDir === null ? 'next to each photo' : path.relative(cwd, e.outputDir) || '.',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return `${[header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')}\n`;
}

/** A batch id as typed: a whole number, else a usage error. */
export function parseBatchId(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`queue drop: ID must be a batch number as "revive queue list" shows it, got ${JSON.stringify(text)}`);
  }
  return n;
}

const photos = (n: number): string => `${n} photo${n === 1 ? '' : 's'}`;

async function listQueue(dataDir: string, json: boolean, io: QueueIo): Promise<number> {
  const { openQueueView } = await import('../../core/open');
  const view = openQueueView(dataDir);
  try {
    const entries = view.queue.jobs({ unfinished: true }).map((j) => listEntry(j, view.queue.counts(j.id)));
    if (json) for (const e of entries) io.stdout.write(`${JSON.stringify(e)}\n`);
    else if (entries.length === 0) io.stderr.write('the queue is empty\n');
    else io.stdout.write(formatQueueTable(entries, io.cwd));
    return 0;
  } finally {
    view.close();
  }
}

/** Cancels the waiting photos of the given batches; returns how many photos that was. */
function dropJobs(queue: QueueStore, ids: readonly number[]): number {
  let waiting = 0;
  for (const id of ids) {
    waiting += queue.counts(id).queued;
    queue.cancelJob(id);
  }
  return waiting;
}

/**
 * Takes the queue (lock, crash recovery first so a photo an interrupted run left "running" is settled), then drops
 * batch `id`, or every unfinished batch when `id` is null. Returns the exit code.
 */
async function changeQueue(id: number | null, dataDir: string, deps: QueueCommandDeps): Promise<number> {
  const { io } = deps;
  const { EXIT_QUEUE_BUSY, openQueueRoot, reportRecovery } = await import('./queue-run');
  const root = await openQueueRoot(dataDir, io, {
    whenBusy: 'the queue cannot be changed while a batch runs; wait for it to finish, or stop it first',
    ...(deps.spawner ? { spawner: deps.spawner } : {}),
  });
  if (!root) return EXIT_QUEUE_BUSY;
  try {
    reportRecovery(await root.runner.recover(), false, io);
    const { queue } = root;
    if (id === null) {
      const ids = queue.jobs({ unfinished: true }).map((j) => j.id);
      if (ids.length === 0) return (io.stderr.write('the queue is empty; nothing to clear\n'), 0);
      const waiting = dropJobs(queue, ids);
      io.stdout.write(`✓ dropped ${ids.length} batch${ids.length === 1 ? '' : 'es'}: ${photos(waiting)} will not be made\n`);
      return 0;
    }
    const job = queue.jobs().find((j) => j.id === id);
    if (!job) return (printError(io.stderr, `there is no batch ${id} in the queue (see "revive queue list")`), 1);
    if (job.state !== 'active') return (printError(io.stderr, `batch ${id} is already ${job.state}; nothing to drop`), 1);
    const done = queue.counts(id).done;
    const waiting = dropJobs(queue, [id]);
    io.stdout.write(`✓ dropped batch ${id}: ${photos(waiting)} will not be made${done ? `; the ${photos(done)} already made are kept` : ''}\n`);
    return 0;
  } finally {
    await root.close();
  }
}

/** Adds `queue list`, `queue drop ID` and `queue clear` to the `revive` program. */
export function register(program: Command, deps: QueueCommandDeps): void {
  const { io } = deps;
  const dataDirOption = (): Option => new Option('--data-dir <dir>', 'user data folder (queue, library, models)').env('REVIVE_DATA_DIR');
  // --data-dir may come before or after the subcommand: commander gives it to `queue` when it comes first.
  const dataDirOf = (cmd: Command): string => {
    const dir = (cmd.optsWithGlobals() as { dataDir?: string }).dataDir;
    return dir ? path.resolve(io.cwd, dir) : defaultDataDir();
  };
  const queue = program
    .command('queue')
    .description('list the batches waiting in the queue, drop one, or clear them all')
    .addOption(dataDirOption())
    .addHelpText('after', examplesText('queue'));
  queue
    .command('list', { isDefault: true })
    .description('unfinished batches: id, photos waiting, done and failed, model, scale, output folder')
    .option('--json', 'print one JSON object per batch')
    .addOption(dataDirOption())
    .action(async (raw: { json?: boolean }, cmd: Command) => deps.setExitCode(await listQueue(dataDirOf(cmd), raw.json === true, io)));
  queue
    .command('drop')
    .description('drop a batch: its waiting photos are not made (results already made are kept)')
    .argument('<id>', 'batch number, from "revive queue list"')
    .addOption(dataDirOption())
    .action(async (text: string, _raw: unknown, cmd: Command) => deps.setExitCode(await changeQueue(parseBatchId(text), dataDirOf(cmd), deps)));
  queue
    .command('clear')
    .description('drop every unfinished batch')
    .addOption(dataDirOption())
    .action(async (_raw: unknown, cmd: Command) => deps.setExitCode(await changeQueue(null, dataDirOf(cmd), deps)));
}
