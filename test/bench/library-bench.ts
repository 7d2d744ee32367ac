/**
 * Benchmarks for the queue and the library (not tests: nothing here asserts). `npm run bench` runs
 * {@link libraryBench} with the other suites; `npx tsx test/bench/library-bench.ts` runs it alone (table +
 * bench-results/library-bench.json).
 *
 * Rows:
 * - library queries at 100 000 rows, each the median of 15 runs (goal < 50 ms);
 * - cancel latency: cancel() during a model run → the item is recorded cancelled and the run returns;
 * - engine restart: the first image after the engine was killed minus the same image on a warm engine
 *   (process start + model load);
 * - the output-size check before queueing (every header read) against queueing alone;
 * - batch throughput with and without overlap (preparing the next item and making thumbnails while the engine runs),
 *   on real photo crops through the x4fast pack.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { EngineHost } from '../../src-main/engine/host';
import { probeImage } from '../../src-main/imaging/probe';
import { engineFromHost, type Engine } from '../../src-main/jobs/engine';
import { enqueue } from '../../src-main/jobs/enqueue';
import { findTooLarge } from '../../src-main/jobs/output-size';
import { QueueStore } from '../../src-main/jobs/queue-store';
import { parseJobSettings, type JobSettingsInput } from '../../src-main/settings/job-settings';
import type { JobProgress } from '../../src-main/jobs/progress';
import { JobRunner } from '../../src-main/jobs/runner';
import { LibraryStore, type LibraryQuery } from '../../src-main/library/library-store';
import { ThumbnailCache } from '../../src-main/library/thumbnails';
import { openStore, type Store } from '../../src-main/store/database';
import { acquireLock, QUEUE_LOCK, type ProcessLock } from '../../src-main/store/lock';
import type { BenchRow } from './rows';


const ROOT = path.resolve(import.meta.dirname, '../..');
const PACK_DIR = path.join(ROOT, 'models', 'realesrgan-x4fast');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Fills a library with `n` plausible rows (names, folders, cameras, dates, ~3 % failures). */
export function fillLibrary(store: Store, n: number): void {
  const lib = new LibraryStore(store.db);
  const settings = parseJobSettings({ model: 'realesrgan-x4fast', scale: 4, format: 'jpg' });
  const cameras = ['Canon EOS 5D', 'NIKON D70', 'Apple iPhone 12', 'FUJIFILM X-T3', null, 'Canon PowerShot A70'];
  const models = ['realesrgan-x4fast', 'realesrgan-x4plus', 'osediff'];
  store.db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const folder = `/home/user/Pictures/scans/${1950 + (i % 60)}/album-${i % 97}`;
      const name = `${i % 13 === 0 ? 'Oma_' : 'IMG_'}${String(i).padStart(6, '0')}.jpg`;
      const year = 1950 + ((i * 7) % 70);
      lib.insert({
        itemId: null,
        jobId: null,
        sourcePath: `${folder}/${name}`,
        sourceHash: (i * 2654435761).toString(16).padStart(64, '0'),
        sourceSize: 2_000_000,
        sourceWidth: 3000,
        sourceHeight: 2000,
        outputPath: `${folder}/${name.replace('.jpg', '_revive.jpg')}`,
        outputSize: 9_000_000,
        outputWidth: 12000,
        outputHeight: 8000,
        model: models[i % 3]!,
        settings,
        settingsKey: 'k',
        status: i % 33 === 0 ? 'failed' : 'done',
        error: i % 33 === 0 ? 'CORRUPT: truncated' : null,
        ms: 1000 + (i % 5000),
        startedAt: 1_700_000_000_000 + i * 60_000,
        finishedAt: 1_700_000_000_000 + i * 60_000 + 1000,
        device: 'cpu',
        dateTaken: i % 4 === 0 ? null : `${year}-${String(1 + (i % 12)).padStart(2, '0')}-15 12:00:00`,
        camera: cameras[i % cameras.length]!,
        hasGps: i % 5 === 0,
      });
    }
  })();
}

/** Library query timings at `rows` rows. */
export async function benchQueries(rows = 100_000): Promise<BenchRow[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'revive-bench-lib-'));
  const store = openStore(dir);
  try {
    fillLibrary(store, rows);
    store.db.pragma('optimize');
    const lib = new LibraryStore(store.db);
    const queries: [string, LibraryQuery][] = [
      ['recent 100', { limit: 100 }],
      ['name contains (rare: "000042")', { name: '000042' }],
      ['name contains (common: "oma")', { name: 'oma' }],
      ['folder + subfolders', { folder: '/home/user/Pictures/scans/1987' }],
      ['date taken 1985–1989', { takenFrom: '1985', takenTo: '1989' }],
      ['camera contains "nikon"', { camera: 'nikon' }],
      ['camera contains (no match)', { camera: 'hasselblad' }],
      ['model', { model: 'realesrgan-x4plus' }],
      ['failed only', { failedOnly: true }],
      ['folder + camera + date', { folder: '/home/user/Pictures/scans/1960', camera: 'canon', takenFrom: '1960' }],
    ];
    const out: BenchRow[] = [];
    for (const [name, q] of queries) {
      lib.search(q); // warm the statement cache and pages
      const times: number[] = [];
      for (let k = 0; k < 15; k++) {
        const t = performance.now();
        lib.search(q);
        times.push(performance.now() - t);
      }
      const ms = median(times);
      out.push({ group: 'library', name: `query at ${rows.toLocaleString('en')} rows: ${name}`, value: ms, unit: 'ms', goal: '< 50', pass: ms < 50, note: 'median of 15' });
    }
    return out;
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The stores the runner works on, as the composition root builds them. */
function storesOf(store: Store): { queue: QueueStore; library: LibraryStore; thumbnails: ThumbnailCache } {
  return { queue: new QueueStore(store.db), library: new LibraryStore(store.db), thumbnails: new ThumbnailCache(store.dataDir) };
}

interface World {
  dir: string;
  photos: string;
  store: Store;
  lock: ProcessLock;
  engine: Engine;
}

function world(engine: Engine): World {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'revive-bench-jobs-'));
  const photos = path.join(dir, 'photos');
  mkdirSync(photos, { recursive: true });
  const store = openStore(path.join(dir, 'data'));
  const lock = acquireLock(store.db, QUEUE_LOCK, { heartbeatMs: 0 });
  return { dir, photos, store, lock, engine };
}

/** Crops of a real photograph (Debian's wallpapers) written as PNG. */
async function crops(dir: string, n: number, size: number, prefix: string): Promise<string[]> {
  const src = ['/usr/share/wallpapers/Altai/contents/images/5120x2880.png', '/usr/share/wallpapers/Altai/contents/images/1080x1920.png'].find(existsSync);
  if (!src) throw new Error('no wallpaper photo found (install plasma-workspace-wallpapers)');
  const meta = await sharp(src).metadata();
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const left = Math.floor(((i * 0.37) % 1) * (meta.width - size));
    const top = Math.floor(((i * 0.61) % 1) * (meta.height - size));
    const file = path.join(dir, `${prefix}${i}.png`);
    writeFileSync(file, await sharp(src).extract({ left, top, width: size, height: size }).png().toBuffer());
    out.push(file);
  }
  return out;
}

const SETTINGS: JobSettingsInput = { model: 'realesrgan-x4fast', scale: 2, format: 'png', provider: 'cpu' };

/** Cancel latency and engine restart time with the real engine. */
export async function benchCancelAndRestart(): Promise<BenchRow[]> {
  const host = new EngineHost();
  const w = world(engineFromHost(host));
  try {
    const runner = new JobRunner({ queue: new QueueStore(w.store.db), library: new LibraryStore(w.store.db), thumbnails: null, engine: w.engine, lock: w.lock, resolveModelDir: () => PACK_DIR });
    const [tiny] = await crops(w.photos, 1, 32, 'tiny');
    const [big] = await crops(w.photos, 1, 384, 'big');
    // Warm the engine, then time the tiny image warm.
    const warmTimes: number[] = [];
    for (let k = 0; k < 3; k++) {
      runner.queue.createJob(parseJobSettings(SETTINGS), [tiny!], { force: true });
      const t = performance.now();
      await runner.run({ checkSpace: false });
      warmTimes.push(performance.now() - t);
    }
    // Cancel in the middle of the big image's model run.
    const job = runner.queue.createJob(parseJobSettings(SETTINGS), [big!], { force: true });
    let cancelledAt = 0;
    let recordedAt = 0;
    const off = runner.onProgress((e: JobProgress) => {
      if (e.kind === 'tile' && e.stage === 'upscale' && e.done >= 1 && cancelledAt === 0) {
        cancelledAt = performance.now();
        runner.cancel(job.id);
      }
      if (e.kind === 'item' && e.state === 'cancelled') recordedAt = performance.now();
    });
    await runner.run({ checkSpace: false });
    const returnedAt = performance.now();
    off();
    // The first image after the kill pays for a new process and the model load.
    runner.queue.createJob(parseJobSettings(SETTINGS), [tiny!], { force: true });
    const t = performance.now();
    await runner.run({ checkSpace: false });
    const cold = performance.now() - t;
    const rows: BenchRow[] = [];
    if (cancelledAt > 0) {
      rows.push({ group: 'jobs', name: 'cancel latency: cancel() → item recorded cancelled (engine killed)', value: recordedAt - cancelledAt, unit: 'ms' });
      rows.push({ group: 'jobs', name: 'cancel latency: cancel() → run() returned', value: returnedAt - cancelledAt, unit: 'ms' });
    }
    rows.push({
      group: 'jobs',
      name: 'engine restart: first image after a kill − same image warm',
      value: cold - median(warmTimes),
      unit: 'ms',
      note: 'new process + model load',
    });
    return rows;
  } finally {
    await host.close();
    w.lock.release();
    w.store.close();
    rmSync(w.dir, { recursive: true, force: true });
  }
}

/** Throughput of a batch through the real engine, with and without overlap. */
export async function benchOverlap(images = 8, size = 96, repeats = 3): Promise<BenchRow[]> {
  const host = new EngineHost();
  const w = world(engineFromHost(host));
  try {
    const sources = await crops(w.photos, images, size, 'c');
    const rate = async (overlap: boolean): Promise<number> => {
      const runner = new JobRunner({ ...storesOf(w.store), engine: w.engine, lock: w.lock, resolveModelDir: () => PACK_DIR, overlap });
      runner.queue.createJob(parseJobSettings(SETTINGS), sources, { force: true });
      const t = performance.now();
      await runner.run({ checkSpace: false });
      await runner.idle();
      return images / ((performance.now() - t) / 1000);
    };
    await rate(true); // warm-up: engine start and model load are not part of either figure
    const on: number[] = [];
    const off: number[] = [];
    // Alternate which mode goes first, so a drift in machine load does not favour one.
    for (let k = 0; k < repeats; k++) {
      if (k % 2 === 0) {
        off.push(await rate(false));
        on.push(await rate(true));
      } else {
        on.push(await rate(true));
        off.push(await rate(false));
      }
    }
    const a = median(on);
    const b = median(off);
    const note = 'overlap = next item prepared + thumbnails made while the engine runs';
    return [
      { group: 'jobs', name: `batch throughput, ${images}× ${size}² crops at 2×, overlap on`, value: a, unit: 'images/s', note },
      { group: 'jobs', name: `batch throughput, ${images}× ${size}² crops at 2×, overlap off`, value: b, unit: 'images/s', note },
      { group: 'jobs', name: 'batch throughput gain from overlap', value: (a / b - 1) * 100, unit: '%', note: `median of ${repeats} runs each` },
    ];
  } finally {
    await host.close();
    w.lock.release();
    w.store.close();
    rmSync(w.dir, { recursive: true, force: true });
  }
}

/**
 * Every row of this bench. Queries always run at 100 000 rows (the goal's size); `quick` shortens the engine rows.
 * Engine rows need the x4fast pack (npm run setup:packs); without it they are reported as not measured.
 */
/**
 * The output-size check before a batch is queued (jobs/output-size.ts): every photo's header is read, so the cost
 * grows with the batch. Measured on `n` copies of a real 2560×1600 JPEG, side by side with queueing the same batch
 * without the check (expanding the paths and writing the job), median of 3.
 */
async function benchSizeCheck(n = 1000): Promise<BenchRow[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'revive-bench-sizecheck-'));
  try {
    const photo = path.join(dir, 'source.jpg');
    await sharp('/usr/share/wallpapers/FallenLeaf/contents/images/2560x1600.jpg').jpeg({ quality: 90 }).toFile(photo);
    const files: string[] = [];
    for (let i = 0; i < n; i++) {
      const f = path.join(dir, `photo-${String(i).padStart(4, '0')}.jpg`);
      copyFileSync(photo, f);
      files.push(f);
    }
    rmSync(photo);
    const settings = parseJobSettings({ model: 'realesrgan-x4fast', scale: 4, format: 'webp' });
    const check: number[] = [];
    const queueOnly: number[] = [];
    for (let round = 0; round < 3; round++) {
      const store = openStore(path.join(dir, `data-${round}`));
      try {
        const queue = new QueueStore(store.db);
        let t = performance.now();
        await enqueue(queue, settings, files, { cwd: dir });
        queueOnly.push(performance.now() - t);
        t = performance.now();
        const found = await findTooLarge(files, settings, probeImage);
        check.push(performance.now() - t);
        if (found.length !== 0) throw new Error('no 2560-pixel photo is too large for WebP at 4×');
      } finally {
        store.close();
      }
    }
    const c = median(check);
    const q = median(queueOnly);
    return [
      { group: 'jobs', name: `output-size check before queueing ${n} photos (header reads)`, value: c, unit: 'ms', note: `${(c / n).toFixed(2)} ms a photo` },
      { group: 'jobs', name: `… ÷ queueing the same ${n} photos without it`, value: c / q, unit: '×', note: `queueing alone ${q.toFixed(0)} ms` },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function libraryBench(options: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const rows = await benchQueries();
  rows.push(...(await benchSizeCheck(options.quick ? 200 : 1000)));
  if (!existsSync(path.join(PACK_DIR, 'revive-pack.json'))) {
    rows.push({ group: 'jobs', name: 'cancel latency, engine restart, overlap', value: NaN, unit: '', note: 'not measured: the x4fast pack is missing' });
    return rows;
  }
  rows.push(...(await benchCancelAndRestart()));
  rows.push(...(options.quick ? await benchOverlap(4, 64, 1) : await benchOverlap()));
  return rows;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const rows = await libraryBench({ quick: process.argv.includes('--quick') });
  for (const r of rows) {
    const v = r.value >= 100 ? r.value.toFixed(0) : r.value.toFixed(2);
    console.log(`${`${r.group}: ${r.name}`.padEnd(86)} ${v.padStart(9)} ${r.unit}${r.goal ? `   (goal ${r.goal}: ${r.pass ? 'meets' : 'MISSES'})` : ''}`);
  }
  const outDir = path.join(ROOT, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'library-bench.json'), `${JSON.stringify(rows, null, 2)}\n`);
}
