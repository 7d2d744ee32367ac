/**
 * `revive enhance <file|folder>...`: restore and upscale photos with a pixel-sr or one-step diffusion pack, one at a
 * time, in the engine process (diffusion on the CPU prints a time estimate per photo once its first tile has run). A bad file gets a one-line reason and the batch goes on; originals are only ever read.
 *
 * Output: one line per input on stdout (or, with --json, one JSON object per input); failures and warnings on
 * stderr; on a terminal, progress bars on stderr. Exit code 0 when every input was done, 1 when any failed.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../engine/engine-error';
import { EngineHost } from '../engine/host';
import type { EngineSpawner } from '../engine/spawn';
import { EtaEstimator } from '../jobs/eta';
import type { PackManifest } from '../models/manifest';
import { AbortedError } from '../pipelines/types';
import { expandInputs } from './inputs';
import { NamingError, OutputNamer } from './naming';
import type { DiffusionCliOptions, EnhanceOptions } from './options';
import { UsageError } from './options';
import { formatDuration, imageFraction, ProgressView, type ProgressStream } from './progress-view';

/** The pack the batch runs, as found by the registry. */
export interface ResolvedPack {
  id: string;
  dir: string;
  manifest: PackManifest;
}

export interface CliIo {
  stdout: { write(s: string): boolean };
  stderr: ProgressStream & { isTTY?: boolean };
  cwd: string;
}

export interface EnhanceDeps {
  /** Finds a pack by id; throws UsageError naming the installed ids when there is none. */
  findPack(id: string): Promise<ResolvedPack>;
  /** How to start the engine (tests may pass their own). */
  spawner?: EngineSpawner;
  /** Cancels the batch (Ctrl-C). */
  signal?: AbortSignal;
}

/** One line of --json output. */
export interface JsonResult {
  input: string;
  output: string | null;
  status: 'done' | 'failed' | 'cancelled';
  error: string | null;
  code: string | null;
  width: number | null;
  height: number | null;
  ms: number | null;
  provider: string | null;
  warnings: string[];
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

/** Paths inside the working folder are shown relative to it, others in full. */
function display(p: string, cwd: string): string {
  const rel = path.relative(cwd, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

function errorInfo(err: unknown): { code: string; message: string } {
  if (err instanceof EngineError || err instanceof NamingError) return { code: err.code, message: err.message };
  if (err instanceof AbortedError) return { code: err.code, message: 'cancelled' };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

/** Runs the batch; returns the exit code (0 all done, 1 some failed). Throws UsageError for bad arguments. */
export async function runEnhance(args: readonly string[], opts: EnhanceOptions, io: CliIo, deps: EnhanceDeps): Promise<number> {
  // 1. The pack and what it allows.
  const pack = await deps.findPack(opts.model);
  const m = pack.manifest;
  const diffusion = opts.diffusion ?? {};
  checkDiffusionOptions(m, diffusion);
  if (opts.scale > m.scale) throw new UsageError(`--scale ${opts.scale} is larger than model "${m.id}" can make (${m.scale}×)`);
  if (opts.tile !== undefined && opts.tile % m.tile.multiple !== 0) {
    throw new UsageError(`--tile must be a multiple of ${m.tile.multiple} for model "${m.id}", got ${opts.tile}`);
  }

  // 2. The photos.
  const expanded = await expandInputs(args, { recursive: opts.recursive, cwd: io.cwd, skipSuffix: opts.suffix });
  if (expanded.files.length === 0 && expanded.problems.length === 0) {
    throw new UsageError(`no photos to enhance in ${args.join(', ')} (folders are searched for ${opts.recursive ? '' : 'top-level '}JPEG, PNG, WebP, TIFF, GIF and AVIF files${opts.recursive ? '' : '; add -r for subfolders'})`);
  }
  const outDir = opts.outDir !== undefined ? path.resolve(io.cwd, opts.outDir) : undefined;
  if (outDir) await mkdir(outDir, { recursive: true });
  const namer = new OutputNamer(
    { ...(outDir ? { outDir } : {}), suffix: opts.suffix, format: opts.format, overwrite: opts.overwrite },
    { exists: existsSync, inputs: [...expanded.files, ...expanded.realPaths] },
  );

  const total = expanded.files.length + expanded.problems.length;
  const tty = !opts.json && io.stderr.isTTY === true;
  const view = tty ? new ProgressView(io.stderr) : undefined;
  const eta = new EtaEstimator();
  const knownPixels: number[] = [];
  let failed = 0;
  let finished = 0;

  const report = (r: JsonResult): void => {
    finished++;
    if (r.status !== 'done') failed++;
    const print = (): void => {
      if (opts.json) {
        io.stdout.write(`${JSON.stringify(r)}\n`);
        return;
      }
      for (const w of r.warnings) io.stderr.write(`! ${display(r.input, io.cwd)}: ${w}\n`);
      if (r.status === 'done') {
        io.stdout.write(`✓ ${display(r.input, io.cwd)} → ${display(r.output!, io.cwd)} (${r.width}×${r.height}, ${(r.ms! / 1000).toFixed(1)} s, ${r.provider})\n`);
      } else {
        // Imaging messages start with the file's path; the line already names it.
        const reason = r.error!.startsWith(`${r.input}: `) ? r.error!.slice(r.input.length + 2) : r.error!;
        io.stderr.write(`✗ ${display(r.input, io.cwd)}: ${reason}\n`);
      }
    };
    if (view) view.log(print);
    else print();
  };
  const empty = { width: null, height: null, ms: null, provider: null, warnings: [] };

  for (const p of expanded.problems) {
    report({ input: p.path, output: null, status: 'failed', error: `${p.path}: ${p.reason}`, code: p.code, ...empty });
  }

  // 3. One photo at a time through the engine.
  const host = new EngineHost(deps.spawner ? { spawner: deps.spawner } : {});
  let cold = true;
  try {
    for (const [index, input] of expanded.files.entries()) {
      if (deps.signal?.aborted) {
        report({ input, output: null, status: 'cancelled', error: 'cancelled', code: 'ABORTED', ...empty });
        continue;
      }
      let output: string | null = null;
      let estimated = false;
      let estimateMs: number | null = null;
      const label = `[${finished + 1}/${total}] ${path.basename(input)}`;
      const remaining = expanded.files.length - index - 1;
      const progress = (stage: string, fraction: number): void => {
        // Sizes of photos not yet decoded are unknown: they count as the mean of those done so far.
        const meanPixels = knownPixels.length ? knownPixels.reduce((a, b) => a + b, 0) / knownPixels.length : 0;
        const etaMs = knownPixels.length
          ? eta.remainingMs({ remainingPixels: meanPixels * remaining, currentPixels: meanPixels, currentFraction: fraction })
          : estimateMs;
        view?.update({ itemLabel: label, stage, itemFraction: fraction, overall: (finished + fraction) / total, etaMs });
      };
      progress('decode', 0);
      try {
        const planned = namer.plan(input);
        output = planned.path;
        const result = await host.enhance(
          {
            input,
            output: planned.path,
            modelDir: pack.dir,
            scale: opts.scale,
            format: planned.format,
            provider: opts.device,
            ...(opts.quality !== undefined ? { quality: opts.quality } : {}),
            ...(opts.tile !== undefined ? { tile: opts.tile } : {}),
            ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
            ...diffusion,
          },
          {
            onProgress: (p) => progress(p.stage, imageFraction(p.stage, p.done, p.total)),
            onEstimate: (e) => {
              // The first estimate is worth a line of its own; later ones refine the bar's ETA only.
              if (!estimated && !opts.json) {
                const line = (): void => void io.stderr.write(`… ${display(input, io.cwd)}: about ${formatDuration(e.ms)} on the CPU (estimated from the first tile)\n`);
                if (view) view.log(line);
                else line();
              }
              estimated = true;
              estimateMs = e.ms;
            },
            ...(deps.signal ? { signal: deps.signal } : {}),
          },
        );
        const pixels = (result.width / opts.scale) * (result.height / opts.scale);
        knownPixels.push(pixels);
        if (result.ms > 0) eta.record({ pixels, ms: result.ms, cold });
        cold = false;
        report({
          input,
          output,
          status: 'done',
          error: null,
          code: null,
          width: result.width,
          height: result.height,
          ms: result.ms,
          provider: result.provider,
          warnings: result.warnings,
        });
      } catch (err) {
        const { code, message } = errorInfo(err);
        // After a crash the next image starts a fresh engine and pays the model load again.
        if (code === 'ENGINE_CRASHED') cold = true;
        const status = err instanceof AbortedError ? 'cancelled' : 'failed';
        report({ input, output: status === 'cancelled' ? null : output, status, error: message, code, ...empty });
      }
    }
  } finally {
    view?.finish();
    await host.close();
  }
  if (!opts.json && total > 1) {
    io.stderr.write(`${total - failed} of ${total} done${failed ? `, ${failed} failed` : ''}\n`);
  }
  return failed > 0 ? 1 : 0;
}
