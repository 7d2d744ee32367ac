/**
 * The fleet commands (src-main/fleet/): `revive submit --redis URL <inputs>` queues one BullMQ job per photo,
 * `revive worker --redis URL` runs them on this node, `revive fleet status --redis URL` shows where they stand.
 *
 * Exit codes: 0 done, 1 some inputs could not be submitted, 2 usage, 69 the Redis did not answer (within 5 s),
 * 75 another Revive process runs this worker's data folder.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { EngineSpawner } from '../../engine/spawn';
import type { InstalledPack } from '../../models/registry';
import { DEFAULT_MODEL } from '../../settings/schema';
import { defaultDataDir } from '../../store/data-dir';
import type { CliIo } from '../enhance-command';
import { parseEnhanceOptions, UsageError, type RawEnhanceOptions } from '../options';
import { formatDuration } from '../progress-view';
import { display } from '../queue-printer';
import { EXIT_QUEUE_BUSY } from './queue-run';

/** Exit code when the Redis of the fleet cannot be reached (sysexits' EX_UNAVAILABLE; fleet/connection.ts). */
const EXIT_UNAVAILABLE = 69;

export interface FleetDeps {
  io: CliIo;
  signal?: AbortSignal;
  spawner?: EngineSpawner;
  setExitCode(code: number): void;
  findPack(dataDir: string | undefined, id: string): Promise<InstalledPack>;
}

const redisOption = (): Option => new Option('--redis <url>', 'the fleet\'s Redis, redis://[:password@]host:port[/db]').env('REVIVE_REDIS_URL').makeOptionMandatory();
const queueOption = (): Option => new Option('--queue <name>', 'BullMQ queue name').default('revive');

function whole(option: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) throw new UsageError(`${option} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

/** Runs a fleet action; an unreachable Redis or a busy data folder becomes its exit code and one line. */
async function guarded(deps: FleetDeps, action: () => Promise<number>): Promise<void> {
  try {
    deps.setExitCode(await action());
  } catch (err) {
    const e = err as Error & { code?: string; holder?: string };
    if (e.code === 'FLEET_UNREACHABLE') {
      deps.io.stderr.write(`revive: ${e.message}\n`);
      deps.setExitCode(EXIT_UNAVAILABLE);
    } else if (e.code === 'QUEUE_LOCKED') {
      deps.io.stderr.write(`revive: ${e.holder ?? e.message}; give each worker its own --data-dir\n`);
      deps.setExitCode(EXIT_QUEUE_BUSY);
    } else {
      throw err;
    }
  }
}

type RawSubmit = Omit<RawEnhanceOptions, 'device' | 'json' | 'overwrite' | 'force'> & { redis: string; queue: string; attempts: string; json?: boolean };

function registerSubmit(program: Command, deps: FleetDeps): void {
  program
    .command('submit')
    .description('queue one job per photo on the fleet\'s Redis (BullMQ); a repeated submit adds nothing')
    .argument('<paths...>', 'photos and/or folders of photos, at the same path on every worker (shared storage)')
    .addOption(redisOption())
    .addOption(queueOption())
    .option('-o, --output <dir>', 'folder for the results (shared; default next to each original)')
    .option('-m, --model <id>', 'model pack id', DEFAULT_MODEL)
    .option('-s, --scale <n>', 'output scale: 1, 2, 3 or 4', '4')
    .option('-f, --format <fmt>', 'jpg, png, webp, tiff, avif, or same', 'same')
    .option('--fallback-format <fmt>', 'format for results too large for --format')
    .option('--suffix <text>', 'appended to the file name', '_revive')
    .option('--quality <q>', 'JPEG/WebP/AVIF quality, 1–100')
    .option('--metadata <which>', 'all, no-gps or none', 'all')
    .option('--max-megapixels <n>', 'refuse photos larger than this (default 200)')
    .option('-r, --recursive', 'include photos in subfolders')
    .option('--attempts <n>', 'tries per photo before it is failed with its reason', '3')
    .option('--json', 'print the summary as JSON')
    .addOption(new Option('--data-dir <dir>', 'user data folder (installed models)').env('REVIVE_DATA_DIR'))
    .action((paths: string[], raw: RawSubmit) =>
      guarded(deps, async () => {
        const opts = parseEnhanceOptions({ ...raw, device: 'auto', json: raw.json ?? false });
        const attempts = whole('--attempts', raw.attempts, 1, 100);
        const pack = await deps.findPack(opts.dataDir, opts.model);
        if (opts.scale > pack.manifest.scale) throw new UsageError(`--scale ${opts.scale} is larger than model "${pack.id}" can make (${pack.manifest.scale}×)`);
        const [{ jobSettingsFromOptions }, { submitPhotos }] = await Promise.all([import('../enhance-command'), import('../../fleet/submit')]);
        const outDir = opts.outDir !== undefined ? path.resolve(deps.io.cwd, opts.outDir) : undefined;
        const settings = jobSettingsFromOptions(opts, outDir);
        const r = await submitPhotos(paths, settings, { redisUrl: raw.redis, queue: raw.queue, recursive: opts.recursive, cwd: deps.io.cwd, attempts });
        if (raw.json) {
          deps.io.stdout.write(`${JSON.stringify(r)}\n`);
        } else {
          for (const p of r.problems) deps.io.stderr.write(`✗ ${display(p.path, deps.io.cwd)}: ${p.reason}\n`);
          deps.io.stdout.write(`submitted ${r.added} photo(s) to ${raw.queue}${r.existing ? `; ${r.existing} already submitted` : ''}${r.problems.length ? `; ${r.problems.length} could not be` : ''}\n`);
        }
        return r.problems.length ? 1 : 0;
      }),
    );
}

function registerWorker(program: Command, deps: FleetDeps): void {
  program
    .command('worker')
    .description('run the fleet\'s photos on this machine (one engine) until SIGTERM or Ctrl-C, which finish the photo in hand first')
    .addOption(redisOption())
    .addOption(queueOption())
    .option('--concurrency <n>', 'jobs held at once (they share the one engine)', '1')
    .option('--device <d>', 'auto, cpu, cuda, dml or coreml (this worker\'s choice)', 'auto')
    .option('--threads <n>', 'CPU threads for the model (default: from the cores)')
    .option('--lock-seconds <n>', 'a dead worker\'s photo is taken over after about twice this', '30')
    .addOption(new Option('--data-dir <dir>', 'this worker\'s own data folder (its history, installed models)').env('REVIVE_DATA_DIR'))
    .action((raw: { redis: string; queue: string; concurrency: string; device: string; threads?: string; lockSeconds: string; dataDir?: string }) =>
      guarded(deps, async () => {
        const device = parseEnhanceOptions({ model: DEFAULT_MODEL, scale: '4', format: 'same', suffix: '_revive', device: raw.device }).device;
        const concurrency = whole('--concurrency', raw.concurrency, 1, 64);
        const lockSeconds = whole('--lock-seconds', raw.lockSeconds, 1, 3600);
        const threads = raw.threads !== undefined ? whole('--threads', raw.threads, 1, 1024) : undefined;
        const dataDir = raw.dataDir ? path.resolve(deps.io.cwd, raw.dataDir) : defaultDataDir();
        const { runWorker } = await import('../../fleet/worker');
        // SIGTERM (a scheduler scaling down) drains like Ctrl-C: the photo in hand is finished, nothing new is taken.
        const drain = new AbortController();
        const onTerm = (): void => drain.abort();
        process.once('SIGTERM', onTerm);
        deps.signal?.addEventListener('abort', onTerm, { once: true });
        try {
          const s = await runWorker({
            redisUrl: raw.redis,
            queue: raw.queue,
            dataDir,
            concurrency,
            device,
            lockSeconds,
            signal: drain.signal,
            log: (line) => void (line.startsWith('✗') || line.startsWith('!') ? deps.io.stderr : deps.io.stdout).write(`${line}\n`),
            ...(threads !== undefined ? { threads } : {}),
            ...(deps.spawner ? { spawner: deps.spawner } : {}),
          });
          deps.io.stderr.write(`worker stopped: ${s.done} done, ${s.failed} failed\n`);
          return 0;
        } finally {
          process.removeListener('SIGTERM', onTerm);
          deps.signal?.removeEventListener('abort', onTerm);
        }
      }),
    );
}

function registerStatus(program: Command, deps: FleetDeps): void {
  program
    .command('fleet')
    .description('the fleet on Redis')
    .command('status')
    .description('photos waiting, running, done and failed (with reasons), throughput and time left')
    .addOption(redisOption())
    .addOption(queueOption())
    .option('--results', 'with --json: every finished photo\'s output and worker')
    .option('--json', 'print the status as JSON')
    .action((raw: { redis: string; queue: string; results?: boolean; json?: boolean }) =>
      guarded(deps, async () => {
        const { fleetStatus } = await import('../../fleet/status');
        const s = await fleetStatus(raw.redis, { queue: raw.queue, results: raw.results === true });
        if (raw.json) {
          deps.io.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
          return 0;
        }
        const c = s.counts;
        deps.io.stdout.write(
          `${s.queue}: ${c.completed} done, ${c.failed} failed, ${c.active} running, ${c.waiting + c.delayed} waiting of ${s.total} (${Math.round(s.fraction * 100)} %)` +
            `${s.perMinute ? `; ${s.perMinute.toFixed(1)} photos/min` : ''}${s.etaMs ? `, about ${formatDuration(s.etaMs)} left` : ''}\n`,
        );
        for (const f of s.failures) deps.io.stdout.write(`✗ ${f.source}: ${f.reason} (${f.attempts} tr${f.attempts === 1 ? 'y' : 'ies'})\n`);
        return 0;
      }),
    );
}

/** Adds `submit`, `worker` and `fleet status`. */
export function register(program: Command, deps: FleetDeps): void {
  registerSubmit(program, deps);
  registerWorker(program, deps);
  registerStatus(program, deps);
}
