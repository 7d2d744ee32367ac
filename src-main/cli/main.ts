/**
 * The `revive` command line (bin/revive.js runs this through tsx).
 *
 *   revive enhance <file|folder>... [-o DIR] [-m MODEL] [-s SCALE] [-f FORMAT] [--fallback-format F] [--name PATTERN | --suffix S] [--device D] [--tile PX]
 *                                   [--threads N] [-r] [--overwrite] [--force] [--json] [--quality Q] [--data-dir DIR]
 *                                   [--prompt-mode tags|none|custom] [--prompt TEXT] [--color-fix adain|wavelet|none]
 *                                   [--strength 0..100]                       (diffusion models)
 *                                   [--shard i/n | --shard-from-env --shard-count n]   (batch schedulers; jobs/shard.ts)
 *                                   [--repair auto|off] [--repair-sensitivity 0..100] [--colour restore|off]
 *                                   [--colour-strength 0..100] [--mask FILE]  (old-photo repair)
 *                                   [--faces off|auto --face-pack ID [--face-fidelity 0..100]] [--inpaint-pack ID|auto|none]
 *                                   [--colorize off|auto|on --colorize-pack ID [--colorize-strength 0..100]]
 *   revive models [--json] [--data-dir DIR]
 *   revive models add <folder|URL> [--replace] [--data-dir DIR]
 *   revive models remove <id> [--data-dir DIR]
 *   revive resume [--json] [--data-dir DIR]            (continue unfinished batches; 75 = queue busy)
 *   revive history [query] [--failed] [--json] [--folder DIR] [--camera C] [--model M] [--data-dir DIR]
 *   revive queue [list [--json] | drop ID | clear] [--data-dir DIR]   (drop/clear: 75 = a batch is running)
 *   revive --version | -V
 *
 * Every error the command prints starts with "revive: error: " (cli/errors.ts).
 *   revive submit --redis URL <file|folder>... [enhance's output options] [--attempts N]   (fleet; commands/fleet.ts)
 *   revive worker --redis URL [--concurrency N] [--device D] [--data-dir DIR]             (69 = Redis unreachable)
 *   revive fleet status --redis URL [--json [--results]]
 *
 * Exit codes: 0 all done, 1 some inputs failed, 2 usage error (unknown option, bad value, no inputs, unknown model, a
 * result too large for the format with no --fallback-format and nobody at a terminal to ask; nothing is queued),
 * 75 another Revive process (the app, `revive serve`, another batch) runs the queue of the data folder.
 *
 * `revive enhance` queues its photos as a job in the data folder's queue (shared with the app) and runs it there, so a
 * killed batch continues with `revive resume`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import type { PackRegistry } from '../models/registry';
import { DEFAULT_MODEL } from '../settings/defaults';
import { defaultDataDir } from '../store/data-dir';
import { StoreError } from '../store/store-error';
import type { CliIo, EnhanceDeps } from './enhance-command';
import { findPackOrExplain, PackNotFoundError } from '../models/find-pack';
import { DEFAULT_NAME_PATTERN } from '../settings/name-pattern';
import type { RawEnhanceOptions } from './options';
import { packRoots } from '../models/pack-roots';
import { register as registerServe } from './commands/serve';
import { register as registerResume } from './commands/resume';
import { register as registerHistory } from './commands/history';
import { register as registerQueue } from './commands/queue';
import { printError, UsageError, withErrorPrefix } from './errors';
import { examplesText } from './help-text';
import { appPaths } from '../pixels/app-paths';
import { register as registerFleet } from './commands/fleet';

export const EXIT = { OK: 0, SOME_FAILED: 1, USAGE: 2, DATA_FOLDER: 74, INTERRUPTED: 130, TERMINATED: 143 } as const;

export interface MainOptions extends Partial<CliIo> {
  /** Cancels a running batch (the bin wires Ctrl-C to it). */
  signal?: AbortSignal;
  spawner?: EnhanceDeps['spawner'];
}

/** What the subcommands share: where they write, the caller's options, and where their exit code goes. */
interface CommandContext {
  io: CliIo;
  options: MainOptions;
  setExitCode(code: number): void;
  /** The packs a data folder sees (`--data-dir` as given, or the default). */
  registryFor(dataDir: string | undefined): Promise<PackRegistry>;
}

/** Adds `enhance`: its options, and the run. */
function registerEnhance(program: Command, { io, options, setExitCode, registryFor }: CommandContext): void {
  program
    .command('enhance')
    .description('restore and upscale photos; results go next to each original unless -o is given')
    .argument('<paths...>', 'photos and/or folders of photos')
    .option('-o, --output <dir>', 'folder for the results (created if missing)')
    .option('-m, --model <id>', 'model pack id', DEFAULT_MODEL)
    .option('-s, --scale <n>', 'output scale: 1 (restore only), 2, 3 or 4', '4')
    .option('-f, --format <fmt>', 'jpg, png, webp, tiff, avif, or same (keep the original format)', 'same')
    .option('--fallback-format <fmt>', 'format for results too large for --format (WebP: 16383 px a side, AVIF 16384, JPEG 65535); without it you are asked, or nothing is queued')
    .option('--name <pattern>', `the results' file names: {name} (the original's), {model}, {scale}, {date} (YYYY-MM-DD) and text (default "${DEFAULT_NAME_PATTERN}")`)
    .option('--suffix <text>', 'name the results <name><text> instead (--suffix _revive: photo_revive.jpg)')
    .option('--device <d>', 'auto, cpu, cuda, dml or coreml', 'auto')
    .option('--tile <px>', 'tile size in input pixels; diffusion models: UNet tile in latent pixels (default: from free memory and the model)')
    .option('--threads <n>', 'CPU threads for the model (default: all cores, one spared from 4 up)')
    .option('--quality <q>', 'JPEG/WebP/AVIF quality, 1–100')
    .option('--metadata <which>', 'the original\'s metadata in the result: all, no-gps (for sharing) or none', 'all')
    .option('--keep-file-times', 'give each result its original\'s modification time')
    .option('--max-megapixels <n>', 'refuse photos larger than this many megapixels, from their header (guards against damaged or hostile files; default 200)')
    .option('-r, --recursive', 'include photos in subfolders')
    .option('--overwrite', 'replace earlier results Revive wrote instead of numbering them, redoing photos already done (never an original; a file Revive did not write, or one changed since, is kept and the result gets the next free name)')
    .option('--force', 'redo photos that already have a result with the same settings (default: they are skipped)')
    .option('--json', 'print one JSON object per input on stdout')
    .option('--prompt-mode <mode>', 'diffusion models: tags (from the photo), none (fidelity) or custom (default: the model\'s)')
    .option('--prompt <text>', 'diffusion models: text added after the tags, or the whole prompt with --prompt-mode custom')
    .option('--color-fix <fix>', 'diffusion models: adain, wavelet or none (default: the model\'s)')
    .option('--strength <pct>', 'diffusion models: 0–100 % of the model\'s result over the plain upscale (default 100)')
    .option('--repair <mode>', 'old-photo repair before the model: auto (find and fill dust and scratches) or off (default off)')
    .option('--repair-sensitivity <n>', 'with --repair auto: 0–100, how faint a defect may be and still be found (default 50)')
    .option('--colour <mode>', 'restore (correct fading and colour casts; a monochrome photo stays monochrome) or off (default off)')
    .option('--colour-strength <pct>', 'with --colour restore: 0–100 % of the correction (default 100)')
    .option('--mask <file>', 'repair where this image is white (same size as the photo); replaces detection')
    .option('--inpaint-pack <id>', 'with repair: the inpainting pack for large holes (tears, missing corners): an id, auto (the installed one, if any; default) or none (the classical method for every size)')
    .option('--faces <mode>', 'off, or auto: restore the faces found, after upscaling, with --face-pack (default off)')
    .option('--face-pack <id>', 'the face-restore pack for --faces auto')
    .option('--face-fidelity <pct>', 'with --faces auto: 0–100 % of each face\'s restoration kept (default 100)')
    .option('--colorize <mode>', 'colourise with --colorize-pack, last: auto (only photos found black-and-white or sepia/cyanotype-toned; colour photos are reported as skipped), on (every photo, even in colour), or off (default off)')
    .option('--colorize-pack <id>', 'the colorize pack for --colorize auto or on')
    .option('--colorize-strength <pct>', 'with --colorize: 0–100 % of the model\'s colour over the photo\'s own (default 100)')
    .addOption(new Option('--data-dir <dir>', 'user data folder, shared with the app (queue, history, installed models)').env('REVIVE_DATA_DIR'))
    .addOption(new Option('--shard <i/n>', 'only shard i (from 0) of n of the photos, split by path below each folder argument, the same on every node').env('REVIVE_SHARD'))
    .option('--shard-from-env', 'the shard index from JOB_COMPLETION_INDEX (Kubernetes) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch)')
    .addOption(new Option('--shard-count <n>', 'the number of shards with --shard-from-env').env('REVIVE_SHARD_COUNT'))
    .action(async (paths: string[], raw: RawEnhanceOptions) => {
      // The parsers bring the settings schemas (zod) with them: loaded when a command runs, not for --help.
      const { parseEnhanceOptions } = await import('./options');
      const opts = parseEnhanceOptions(raw);
      const [registry, { runEnhance }] = await Promise.all([registryFor(opts.dataDir), import('./enhance-command')]);
      let code = await runEnhance(paths, opts, io, {
        findPack: (id) => findPackOrExplain(registry, id),
        listPacks: async () => (await registry.list()).packs,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.spawner ? { spawner: options.spawner } : {}),
      });
      if (options.signal?.aborted) code = EXIT.INTERRUPTED;
      setExitCode(code);
    });

}

/** Adds `models`, `models add` and `models remove`. */
function registerModels(program: Command, { io, options, setExitCode, registryFor }: CommandContext): void {
  const models = program
    .command('models')
    .description('list installed model packs (and folders that are not valid packs, with the reason); add or remove packs')
    .option('--json', 'print the listing as JSON')
    .addOption(new Option('--data-dir <dir>', 'user data folder (installed models)').env('REVIVE_DATA_DIR'))
    .action(async (raw: { json?: boolean; dataDir?: string }) => {
      const [registry, { formatListing, listingJson }] = await Promise.all([registryFor(raw.dataDir), import('./models-command')]);
      const listing = await registry.list();
      io.stdout.write(raw.json ? `${JSON.stringify(listingJson(listing), null, 2)}\n` : formatListing(listing));
    });
  // --data-dir may come before or after the subcommand: commander gives it to `models` when it comes first.
  const dataDirOf = (cmd: Command): string => {
    const dir = (cmd.optsWithGlobals() as { dataDir?: string }).dataDir;
    return dir ? path.resolve(io.cwd, dir) : defaultDataDir();
  };
  models
    .command('add')
    .description('install a model pack from a folder or an http(s) URL into the user data folder (every file verified)')
    .argument('<source>', 'pack folder, or URL of the pack folder or its revive-pack.json')
    .option('--replace', 'replace an installed pack with the same id')
    .addOption(new Option('--data-dir <dir>', 'user data folder (installed models)').env('REVIVE_DATA_DIR'))
    .action(async (source: string, raw: { replace?: boolean }, cmd: Command) => {
      const { runModelsAdd } = await import('./models-command');
      setExitCode(await runModelsAdd(source, dataDirOf(cmd), io, {
        cwd: io.cwd,
        ...(raw.replace ? { replace: true } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      }));
    });
  models
    .command('remove')
    .description('remove a model pack installed in the user data folder')
    .argument('<id>', 'pack id (see "revive models")')
    .addOption(new Option('--data-dir <dir>', 'user data folder (installed models)').env('REVIVE_DATA_DIR'))
    .action(async (id: string, _raw: unknown, cmd: Command) => {
      const { runModelsRemove } = await import('./models-command');
      setExitCode(await runModelsRemove(id, dataDirOf(cmd), io));
    });

}

/** Revive's version from its package.json (read here, not through imaging/, so `--version` loads no image library). */
function reviveVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(appPaths().packageJson, 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Runs the CLI with `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const io: CliIo = {
    stdout: options.stdout ?? process.stdout,
    stderr: options.stderr ?? process.stderr,
    cwd: options.cwd ?? process.cwd(),
    ...(options.ask ? { ask: options.ask } : {}),
  };
  let exitCode: number = EXIT.OK;
  const setExitCode = (code: number): void => {
    exitCode = code;
  };
  // Each command's implementation (the store, sharp, the engine host…) loads when the command runs, so `revive
  // --help` and usage errors start in a fraction of the time (the built CLI splits them into chunks).
  const registryFor = async (dataDir: string | undefined): Promise<PackRegistry> => {
    const { PackRegistry } = await import('../models/registry');
    return new PackRegistry(packRoots(dataDir ? path.resolve(io.cwd, dataDir) : defaultDataDir()));
  };

  const program = new Command('revive')
    .description('Restore and upscale photos, locally and offline.')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(withErrorPrefix(s)),
    })
    .version(`revive ${reviveVersion()}`, '-V, --version', 'print the version of Revive')
    .showHelpAfterError('(run "revive --help" for usage)')
    .addHelpText('after', examplesText(''));

  registerEnhance(program, { io, options, setExitCode, registryFor });
  registerModels(program, { io, options, setExitCode, registryFor });
  registerServe(program, { io, ...(options.signal ? { signal: options.signal } : {}) });
  registerResume(program, {
    io,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.spawner ? { spawner: options.spawner } : {}),
    setExitCode,
  });
  registerHistory(program, { io });
  registerFleet(program, {
    io,
    setExitCode,
    findPack: async (dataDir, id) => findPackOrExplain(await registryFor(dataDir), id),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.spawner ? { spawner: options.spawner } : {}),
  });
  registerQueue(program, { io, ...(options.spawner ? { spawner: options.spawner } : {}), setExitCode });
  for (const cmd of program.commands) if (cmd.name() !== 'queue') cmd.addHelpText('after', examplesText(cmd.name()));

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are successful exits; everything else commander rejects is a usage error (already printed).
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    // An unknown model on the command line is the user's to fix, like any other bad argument.
    if (err instanceof UsageError || err instanceof PackNotFoundError) {
      printError(io.stderr, err.message);
      return EXIT.USAGE;
    }
    // A damaged database or a full disk: the message names the file and the way out; a stack trace would not help.
    if (err instanceof StoreError) {
      printError(io.stderr, err.message);
      return EXIT.DATA_FOLDER;
    }
    throw err;
  }
}

/** Asks one question on the terminal (prompt on stderr, so stdout stays the results) and resolves with the answer. */
async function askOnTerminal(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/**
 * When run as a program: wire Ctrl-C and SIGTERM to cancellation and exit with the code. SIGTERM (a service manager,
 * `kill`, a container stop) drains exactly like Ctrl-C — the current photo is cancelled cleanly, its temp files
 * removed, the engine and its ExifTool ended, the queue left resumable — and exits 143 (128 + SIGTERM) instead of 130.
 */
async function runAsProgram(): Promise<void> {
  const controller = new AbortController();
  let stops = 0;
  let stopCode: number = EXIT.INTERRUPTED;
  const stop = (signal: 'SIGINT' | 'SIGTERM'): void => {
    // The first signal cancels cleanly. A second Ctrl-C leaves at once (the person insists); a repeated SIGTERM is
    // ignored while draining — a supervisor that will not wait sends SIGKILL, and a stray second SIGTERM during
    // `revive serve`'s shutdown would otherwise cut the photo being written in half (test/fault/process-tree.test.ts).
    if (stops++ > 0) {
      if (signal === 'SIGINT') process.exit(stopCode);
      return;
    }
    stopCode = signal === 'SIGTERM' ? EXIT.TERMINATED : EXIT.INTERRUPTED;
    process.stderr.write(signal === 'SIGTERM' ? '\nstopping (SIGTERM)…\n' : '\ncancelling…\n');
    controller.abort();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    const code = await main(process.argv.slice(2), {
      signal: controller.signal,
      // Questions only when a person is at a terminal (both ends); scripts and pipes get the documented exit code.
      ...(process.stdin.isTTY && process.stderr.isTTY ? { ask: askOnTerminal } : {}),
    });
    process.exitCode = code === EXIT.INTERRUPTED ? stopCode : code;
  } catch (err) {
    // Not the user's doing: the first line says so with the usual prefix, the stack below it is for a bug report.
    printError(process.stderr, `unexpected error: ${err instanceof Error ? err.message : String(err)}`);
    if (err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 70;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void runAsProgram();
}

export { runAsProgram };
