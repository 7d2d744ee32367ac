/**
 * `revive enhance <file|folder>...`: restore and upscale photos with a pixel-sr or one-step diffusion pack. The
 * photos become one job in the persistent queue of the user data folder (`--data-dir`), carrying a snapshot of the
 * settings, and run through the same queue runner as the app — so a batch killed at any moment continues with
 * `revive resume`, finished photos are kept, and nothing is written twice. A photo that already has a result with the
 * same content and settings in the same folder is not redone (`--force` or `--overwrite` redo it). A bad file gets a
 * one-line reason and the batch goes on; originals are only ever read.
 *
 * Output: one line per input on stdout (or, with --json, one JSON object per input); failures and warnings on
 * stderr; on a terminal, progress bars on stderr. Exit code 0 when every input was done, 1 when any failed, 2 for a
 * usage error, 75 when another Revive process runs the queue (nothing is queued then).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { EngineSpawner } from '../engine/spawn';
import type { OutputFormat } from '../imaging/formats';
import { probeImage } from '../imaging/probe';
import { enqueue } from '../jobs/enqueue';
import { formatsForAll, type TooLargeResult } from '../jobs/output-size';
import { parseJobSettings, type JobSettings } from '../settings/job-settings';
import type { PackManifest } from '../models/manifest';
import type { InstalledPack } from '../models/registry';
import { AUTO_INPAINT_PACK, NO_INPAINT_PACK, resolveInpaintPack } from '../models/inpaint-choice';
import { defaultDataDir } from '../store/data-dir';
import type { DiffusionCliOptions, EnhanceOptions } from './options';
import { UsageError } from './options';
import type { ProgressStream } from './progress-view';
import { EXIT_QUEUE_BUSY, openQueueRoot, runQueueIn } from './commands/queue-run';
import { display, type QueueJsonResult } from './queue-printer';
import { printError } from './errors';

export interface CliIo {
  stdout: { write(s: string): boolean };
  stderr: ProgressStream & { isTTY?: boolean };
  cwd: string;
  /** Asks the person at the terminal a question; absent when nobody is there to answer (pipes, scripts, tests). */
  ask?: (question: string) => Promise<string>;
}

export interface EnhanceDeps {
  /** Finds a pack by id; throws (PackNotFoundError, a usage error) naming the installed ids when there is none. */
  findPack(id: string): Promise<InstalledPack>;
  /** The installed packs (to resolve `--inpaint-pack auto`); absent: no inpainting pack is used unless named. */
  listPacks?(): Promise<InstalledPack[]>;
  /** How to start the engine (tests may pass their own). */
  spawner?: EngineSpawner;
  /** Ctrl-C: the running photo is put back in the queue and the batch paused; `revive resume` continues it. */
  signal?: AbortSignal;
}

/** The diffusion-only options make sense only with a diffusion pack, and `tags` only with one that has a tagger. */
function checkDiffusionOptions(m: PackManifest, d: DiffusionCliOptions): void {
  const given = Object.entries({ '--prompt-mode': d.promptMode, '--prompt': d.prompt, '--color-fix': d.colorFix, '--strength': d.strength })
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);
  if (m.kind !== 'onestep-diffusion') {
    if (given.length) throw new UsageError(`${given.join(', ')} only apply to diffusion models; "${m.id}" is a ${m.kind} model`);
    return;
  }
  const mode = d.promptMode ?? m.diffusion.promptMode;
  if (mode === 'tags' && !m.tagger) {
    throw new UsageError(`model "${m.id}" has no tagger, so --prompt-mode tags is not available; use none or custom`);
  }
  if (mode === 'custom' && !(d.prompt ?? '').trim()) throw new UsageError(`model "${m.id}" uses custom prompts: give --prompt TEXT`);
  if (mode === 'none' && d.prompt !== undefined) throw new UsageError(`model "${m.id}" uses no prompt: add --prompt-mode tags or custom to use --prompt`);
}

/**
 * The job's settings snapshot from the command line: what a resumed batch must still produce, whatever the options
 * of the command that resumes it. Throws UsageError when the queue cannot hold a value the options accepted.
 */
export function jobSettingsFromOptions(opts: EnhanceOptions, outDir: string | undefined): JobSettings {
  const d = opts.diffusion ?? {};
  try {
    return parseJobSettings({
      model: opts.model,
      scale: opts.scale,
      format: opts.format,
      suffix: opts.suffix,
      ...(opts.namePattern !== undefined ? { namePattern: opts.namePattern } : {}),
      outputDir: outDir ?? null,
      overwrite: opts.overwrite,
      provider: opts.device,
      threads: opts.threads ?? 0,
      ...(opts.fallbackFormat !== undefined ? { fallbackFormat: opts.fallbackFormat } : {}),
      ...(opts.quality !== undefined ? { quality: opts.quality } : {}),
      ...(opts.tile !== undefined ? { tile: opts.tile } : {}),
      ...(d.promptMode !== undefined ? { promptMode: d.promptMode } : {}),
      ...(d.prompt !== undefined ? { prompt: d.prompt } : {}),
      ...(d.colorFix !== undefined ? { colorFix: d.colorFix } : {}),
      // The command line takes a percentage; the queue keeps the app's 0–1 fraction.
      ...(d.strength !== undefined ? { strength: d.strength / 100 } : {}),
      ...(opts.metadata !== undefined ? { metadata: opts.metadata } : {}),
      ...(opts.keepFileTimes ? { keepFileTimes: true } : {}),
      ...(opts.maxMegapixels !== undefined ? { maxMegapixels: opts.maxMegapixels } : {}),
      ...(opts.repair !== undefined ? { repair: opts.repair } : {}),
      ...(opts.faces ? { faces: 'auto', facePack: opts.faces.pack, ...(opts.faces.fidelity !== undefined ? { faceFidelity: opts.faces.fidelity / 100 } : {}) } : {}),
      ...(opts.colorize
        ? { colorize: opts.colorize.mode, colorizePack: opts.colorize.pack, ...(opts.colorize.strength !== undefined ? { colorizeStrength: opts.colorize.strength / 100 } : {}) }
        : {}),
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Exit code when the batch cannot be carried out as asked and nothing was queued (as for a usage error). */
const EXIT_USAGE = 2;

/** Lists the photos whose result is too large (up to 10 by name) on stderr. */
function reportTooLarge(tooLarge: readonly TooLargeResult[], io: CliIo): void {
  const shown = tooLarge.slice(0, 10);
  for (const t of shown) io.stderr.write(`✗ ${display(t.path, io.cwd)}: the ${t.outWidth}×${t.outHeight} result is too large for ${t.format.toUpperCase()} (at most ${t.maxSide} pixels a side)\n`);
  if (tooLarge.length > shown.length) io.stderr.write(`  … and ${tooLarge.length - shown.length} more\n`);
}

/**
 * Tells the user which results their format cannot hold and offers the formats that can: on a terminal, a question
 * (Enter takes the first); elsewhere, the option to add. Resolves with the chosen format, or null (nothing queued).
 */
async function offerFallbackFormat(tooLarge: readonly TooLargeResult[], io: CliIo, fallbackGiven: boolean): Promise<OutputFormat | null> {
  reportTooLarge(tooLarge, io);
  const fits = formatsForAll(tooLarge);
  const names = fits.map((f) => f.toUpperCase()).join(', ');
  const n = tooLarge.length === 1 ? 'This photo' : `These ${tooLarge.length} photos`;
  if (!fits.length) {
    printError(io.stderr, `no format holds ${tooLarge.length === 1 ? 'this result' : 'all these results'}; choose a smaller --scale. Nothing was queued.`);
    return null;
  }
  if (io.ask && !fallbackGiven) {
    const answer = (await io.ask(`${n} can be written as ${names} instead. Format [${fits[0]}], or "n" to stop: `)).trim().toLowerCase();
    if (answer === '') return fits[0]!;
    const chosen = fits.find((f) => f === (answer === 'jpeg' ? 'jpg' : answer === 'tif' ? 'tiff' : answer));
    if (chosen) return chosen;
    io.stderr.write('Nothing was queued.\n');
    return null;
  }
  printError(io.stderr, `nothing was queued. ${n} can be written as ${names}: add --fallback-format ${fits[0]} (or choose a smaller --scale)${fallbackGiven ? '; the --fallback-format given cannot hold them' : ''}.`);
  return null;
}

/** The repair options with the inpainting pack resolved: the one named (checked), the installed one for auto, or none. */
async function withInpaintPack(opts: EnhanceOptions, deps: EnhanceDeps): Promise<EnhanceOptions> {
  if (!opts.repair) return opts;
  const choice = opts.repair.inpaintPack;
  const installed = choice !== undefined && choice !== AUTO_INPAINT_PACK && choice !== NO_INPAINT_PACK ? [await deps.findPack(choice)] : ((await deps.listPacks?.()) ?? []);
  try {
    return { ...opts, repair: { ...opts.repair, inpaintPack: resolveInpaintPack(choice, installed) } };
  } catch (err) {
    throw new UsageError(`--inpaint-pack: ${(err as Error).message}`);
  }
}

/** Queues the batch and runs it; returns the exit code. Throws UsageError for bad arguments (nothing is queued). */
export async function runEnhance(args: readonly string[], opts: EnhanceOptions, io: CliIo, deps: EnhanceDeps): Promise<number> {
  // 1. The pack and what it allows.
  const pack = await deps.findPack(opts.model);
  const m = pack.manifest;
  checkDiffusionOptions(m, opts.diffusion ?? {});
  if (opts.faces) {
    const facePack = (await deps.findPack(opts.faces.pack)).manifest;
    if (facePack.kind !== 'face-restore') throw new UsageError(`--face-pack: "${facePack.id}" is a ${facePack.kind} pack, not a face-restore pack`);
  }
  if (opts.colorize) {
    const colorizePack = (await deps.findPack(opts.colorize.pack)).manifest;
    if (colorizePack.kind !== 'colorize') throw new UsageError(`--colorize-pack: "${colorizePack.id}" is a ${colorizePack.kind} pack, not a colorize pack`);
  }
  if (opts.scale > m.scale) throw new UsageError(`--scale ${opts.scale} is larger than model "${m.id}" can make (${m.scale}×)`);
  if (opts.tile !== undefined && opts.tile % m.tile.multiple !== 0) {
    throw new UsageError(`--tile must be a multiple of ${m.tile.multiple} for model "${m.id}", got ${opts.tile}`);
  }
  const outDir = opts.outDir !== undefined ? path.resolve(io.cwd, opts.outDir) : undefined;
  const settings = jobSettingsFromOptions(await withInpaintPack(opts, deps), outDir);

  // 2. The queue of the data folder the app shares. Its lock is taken before anything is queued: while another
  //    Revive process runs the queue, nothing is added behind the user's back.
  const dataDir = opts.dataDir !== undefined ? path.resolve(io.cwd, opts.dataDir) : defaultDataDir();
  const root = await openQueueRoot(dataDir, io, {
    whenBusy: 'nothing was queued; try again when it has finished (or close it)',
    ...(deps.spawner ? { spawner: deps.spawner } : {}),
  });
  if (!root) return EXIT_QUEUE_BUSY;
  try {
    // 3. The photos become one job (files expanded, image types only, each once, earlier results left out), once
    //    every result fits its format: a photo whose result the format cannot hold is reported before any work, and
    //    the person at the terminal is offered a format that can (else nothing is queued: exit 2).
    const { queue } = root;
    const earlier = queue.jobs({ unfinished: true }).length;
    const queueWith = (s: JobSettings) =>
      enqueue(queue, s, args, {
        recursive: opts.recursive,
        cwd: io.cwd,
        // Replacing results is asking for them to be made again, even where a matching one exists.
        force: opts.force === true || opts.overwrite,
        probe: probeImage,
        ...(opts.shard ? { shard: opts.shard } : {}),
      });
    let queued = await queueWith(settings);
    if (queued.tooLarge.length) {
      const fallback = await offerFallbackFormat(queued.tooLarge, io, opts.fallbackFormat !== undefined);
      if (!fallback) return EXIT_USAGE;
      queued = await queueWith({ ...settings, fallbackFormat: fallback });
      if (queued.tooLarge.length) return (reportTooLarge(queued.tooLarge, io), EXIT_USAGE);
    }
    const { job, problems } = queued;
    if (!job && problems.length === 0 && opts.shard && (queued.outOfShard ?? 0) > 0) {
      // A shard with nothing to do is a success: its photos all fell in other shards.
      if (!opts.json) io.stderr.write(`shard ${opts.shard.index}/${opts.shard.count}: none of the ${queued.outOfShard} photos falls in this shard\n`);
      return 0;
    }
    if (!job && problems.length === 0) {
      throw new UsageError(`no photos to enhance in ${args.join(', ')} (folders are searched for ${opts.recursive ? '' : 'top-level '}JPEG, PNG, WebP, TIFF, GIF and AVIF files${opts.recursive ? '' : '; add -r for subfolders'})`);
    }
    for (const p of problems) {
      if (opts.json) {
        const line: QueueJsonResult = {
          input: p.path,
          output: null,
          status: 'failed',
          skipped: false,
          error: `${p.path}: ${p.reason}`,
          code: p.code,
          width: null,
          height: null,
          ms: null,
          provider: null,
          warnings: [],
          jobId: job?.id ?? null,
          itemId: null,
        };
        io.stdout.write(`${JSON.stringify(line)}\n`);
      } else {
        io.stderr.write(`✗ ${display(p.path, io.cwd)}: ${p.reason}\n`);
      }
    }
    if (!job) return 1;
    if (earlier > 0 && !opts.json) {
      io.stderr.write(`note: ${earlier} earlier batch${earlier > 1 ? 'es are' : ' is'} not finished; "revive resume" continues ${earlier > 1 ? 'them' : 'it'}\n`);
    }
    if (outDir) await mkdir(outDir, { recursive: true });

    // 4. Run just this job, through the queue runner (crash recovery of earlier batches included).
    return await runQueueIn(
      root,
      {
        dataDir,
        json: opts.json,
        jobIds: [job.id],
        earlierFailures: problems.length,
        summary: 'several',
        ...(deps.signal ? { signal: deps.signal } : {}),
      },
      io,
    );
  } finally {
    await root.close();
  }
}
