/**
 * Fault test: a batch of real photo crops, started by the real CLI (`revive enhance <folder> --data-dir D`) in a child
 * process with the real engine and the x4fast pack, is killed with SIGKILL at random moments ten times, each time
 * continued with `revive resume --data-dir D` (or started again with the same `revive enhance` when the kill came
 * before the batch was queued, as a user would); then it runs to the end. Afterwards: every output decodes, no temp
 * file remains, the library has exactly one row per photo, the queue holds exactly the one batch `revive enhance`
 * made, complete, and no numbered duplicates ("-1", "-2") exist.
 *
 * The kill moments are random but always inside the batch's work: most runs are killed after a random number (0–2)
 * of finished photos plus a random delay (0–400 ms), so kills land during start-up, recovery, engine start, model
 * runs, writes and database commits; every third run is killed the moment a new file appears: twice an output
 * (after the rename, usually before the commit: it must be adopted, not redone under a new name), once the engine's
 * temp file (mid-write: it must be removed and the photo redone into the same name). The seed is printed
 * (FAULT_SEED=… reproduces the random kills).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src-main/store/database';
import { QueueStore } from '../../src-main/jobs/queue-store';
import { LibraryStore } from '../../src-main/library/library-store';
import { rng } from '../support/random';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'revive.js');
const PACK = path.join(ROOT, 'models', 'realesrgan-x4fast', 'revive-pack.json');
const PHOTOS = 32;
const KILLS = 10;

// A seeded PRNG (test/support/random.ts), so a failing run can be repeated with FAULT_SEED.
const prng = rng;

/** Real photographs from Debian's plasma-workspace-wallpapers, in both of the formats they ship. */
function wallpapers(): string[] {
  const base = '/usr/share/wallpapers';
  const out: string[] = [];
  for (const name of readdirSync(base).sort()) {
    const dir = path.join(base, name, 'contents', 'images');
    if (!existsSync(dir)) continue;
    const files = readdirSync(dir).filter((f) => /^1280x1024\.(jpg|png)$/.test(f) || /^1080x1920\.(jpg|png)$/.test(f));
    if (files[0]) out.push(path.join(dir, files[0]));
  }
  return out;
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: number;
  stderr: string;
  /**
   * What killed the run: 'timer' (after lines + delay), or the file whose appearance did, seen to exist at that moment
   * ('output a_realesrgan-x4fast_1x.png' / 'temp .revive-tmp-…'); null when nothing fired and the run ended by itself.
   */
  trigger: string | null;
}

/**
 * How a run is killed: after `afterLines` finished photos plus `delayMs`; or, with `onNewOutput`, the moment a new
 * output file appears in `photos` — between the engine's rename and the database commit, which is the case the
 * queue must adopt rather than redo.
 */
interface Kill {
  afterLines: number;
  delayMs: number;
  /** Watch this folder and kill when a new output (or, with `temp`, the engine's temp file) appears. */
  onNewOutput?: string;
  temp?: boolean;
}

/** Whether `revive enhance` got as far as queueing its batch (a kill may come before). */
function batchQueued(dataDir: string): boolean {
  if (!existsSync(dataDir)) return false;
  const store = openStore(dataDir);
  try {
    return new QueueStore(store.db).jobs().length > 0;
  } finally {
    store.close();
  }
}

/**
 * The batch as a user starts it: the folder, 1× (each photo well under a second), formats kept, one engine thread.
 * `revive resume` must carry on with exactly these settings, from the job's snapshot.
 */
function enhanceArgs(photos: string, dataDir: string): string[] {
  return ['enhance', photos, '-s', '1', '-f', 'same', '--threads', '1', '--json', '--data-dir', dataDir];
}

/** Runs `args` (`revive enhance …` or `revive resume …`), SIGKILLing it as `kill` says (null: let it finish). */
function revive(args: string[], kill: Kill | null): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      // The sources, as every other test runs them: a stale dist/ must not decide this test.
      env: { ...process.env, REVIVE_DEV: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lines = 0;
    let stderr = '';
    let armed = false;
    let trigger: string | null = null;
    // A file-triggered kill fires on that file only, never on output lines or time.
    const timed = kill !== null && !kill.onNewOutput;
    const arm = (): void => {
      if (!timed || armed) return;
      armed = true;
      setTimeout(() => {
        trigger ??= 'timer';
        child.kill('SIGKILL');
      }, kill.delayMs);
    };
    child.stdout!.on('data', (d: Buffer) => {
      lines += d.toString().split('\n').filter((l) => l.trim()).length;
      if (timed && lines >= kill.afterLines) arm();
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    if (timed && kill.afterLines === 0) arm();
    let watcher: FSWatcher | undefined;
    if (kill?.onNewOutput) {
      const dir = kill.onNewOutput;
      const before = new Set(readdirSync(dir));
      watcher = watch(dir, (_event, name) => {
        const isTemp = name?.startsWith('.revive-tmp-') ?? false;
        if (!name || trigger || !/_realesrgan-x4fast_1x\.(jpg|png)$/.test(name) || before.has(name) || isTemp !== (kill.temp === true)) return;
        // A watch event also reports a name leaving (a temp renamed away): kill only while the file is really there.
        if (!existsSync(path.join(dir, name))) return;
        trigger = `${isTemp ? 'temp' : 'output'} ${name}`;
        child.kill('SIGKILL');
        watcher?.close();
      });
      child.on('exit', () => watcher?.close());
    }
    child.on('error', reject);
    // 'exit' after the child is reaped: its pid is gone, as after a real crash.
    child.on('exit', (code, signal) => resolve({ code, signal, lines, stderr, trigger }));
  });
}

describe('a CLI batch killed with SIGKILL', () => {
  let root: string;
  let photos: string;
  let dataDir: string;
  const sources: string[] = [];
  const seed = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);
  const random = prng(seed);

  beforeAll(async () => {
    if (!existsSync(PACK)) throw new Error(`the x4fast pack is missing (${PACK}): run "npm run setup:packs" first`);
    root = mkdtempSync(path.join(os.tmpdir(), 'revive-fault-'));
    photos = path.join(root, 'photos');
    dataDir = path.join(root, 'data');
    mkdirSync(photos, { recursive: true });
    const walls = wallpapers();
    if (walls.length < 4) throw new Error('need Debian plasma-workspace-wallpapers (real photos) under /usr/share/wallpapers');
    // 32×32 crops of real photographs at varied places, as PNG and JPEG (format "same" keeps each). Crops must
    // differ in content: two identical ones would rightly be skipped as "already done" (content hash + settings).
    const seen = new Set<string>();
    for (let i = 0; i < PHOTOS; i++) {
      const ext = i % 3 === 0 ? 'jpg' : 'png';
      const file = path.join(photos, `crop${String(i).padStart(2, '0')}.${ext}`);
      for (let attempt = 0; ; attempt++) {
        if (attempt > 50) throw new Error('could not find distinct crops in the wallpapers');
        const src = walls[(i + attempt) % walls.length]!;
        const meta = await sharp(src).metadata();
        const left = Math.floor(random() * (meta.width - 32));
        const top = Math.floor(random() * (meta.height - 32));
        const img = sharp(src).extract({ left, top, width: 32, height: 32 });
        const bytes = await (ext === 'jpg' ? img.jpeg({ quality: 90 }) : img.png()).toBuffer();
        const hash = createHash('sha256').update(bytes).digest('hex');
        if (seen.has(hash)) continue;
        seen.add(hash);
        writeFileSync(file, bytes);
        break;
      }
      sources.push(file);
    }
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it(`survives ${KILLS} kills at random moments and ends complete, decodable, without temp files or duplicates`, async () => {
    console.log(`fault test: seed ${seed} (FAULT_SEED=${seed} repeats it)`);
    const runs: string[] = [];
    const commands: string[] = [];
    const fired: { k: number; wanted: string; trigger: string | null; signal: NodeJS.Signals | null }[] = [];
    /** `revive enhance` until the batch is queued, `revive resume` from then on. */
    const next = (): string[] => {
      const args = batchQueued(dataDir) ? ['resume', '--json', '--data-dir', dataDir] : enhanceArgs(photos, dataDir);
      commands.push(args[0]!);
      return args;
    };
    for (let k = 0; k < KILLS; k++) {
      // Every third kill aims at a file appearing (the output after its rename; once, the temp file mid-write);
      // the others land at random times in the work.
      const kill: Kill =
        k % 3 === 2
          ? { afterLines: 0, delayMs: 0, onNewOutput: photos, temp: k === 5 }
          : { afterLines: Math.floor(random() * 3), delayMs: Math.floor(random() * 400) };
      const args = next();
      const r = await revive(args, kill);
      const how = kill.onNewOutput
        ? `when ${kill.temp ? 'a temp file' : 'an output'} appeared`
        : `after ${kill.afterLines} photo(s) + ${kill.delayMs} ms`;
      runs.push(`kill ${k + 1}: revive ${args[0]} to be killed ${how}; fired: ${r.trigger ?? 'none'} → ${r.signal ?? `exit ${r.code}`}, ${r.lines} reported`);
      fired.push({ k, wanted: kill.onNewOutput ? (kill.temp ? 'temp' : 'output') : 'timer', trigger: r.trigger, signal: r.signal });
      // A run may finish the batch before the kill lands only if few photos were left; it must never fail otherwise.
      if (r.signal !== 'SIGKILL') expect(r.code, `run ${k + 1} ended with ${r.code}: ${r.stderr}`).toBe(0);
    }
    console.log(runs.join('\n'));
    // The file-triggered kills really fired on their file (the temp one on a temp file that existed at that moment,
    // which only an atomic write creates); a run killed at all was killed by its own trigger.
    for (const f of fired.filter((x) => x.wanted !== 'timer')) {
      expect(f.trigger ?? 'nothing fired', `kill ${f.k + 1} was to fire when ${f.wanted === 'temp' ? 'a temp file' : 'an output'} appeared`).toMatch(f.wanted === 'temp' ? /^temp \.revive-tmp-.+_realesrgan-x4fast_1x\.(jpg|png)$/ : /^output [^.].*_realesrgan-x4fast_1x\.(jpg|png)$/);
      expect(f.signal).toBe('SIGKILL');
    }
    for (const f of fired) if (f.signal === 'SIGKILL') expect(f.trigger, `kill ${f.k + 1}`).not.toBeNull();
    const final = await revive(next(), null);
    expect(final.code, final.stderr).toBe(0);
    // The batch was started by `revive enhance` and continued by `revive resume`.
    expect(commands[0]).toBe('enhance');
    expect(commands).toContain('resume');

    const failures: string[] = [];
    // 1. Exactly the originals and one output each; no temp files, no "-1"/"-2".
    const names = readdirSync(photos).sort();
    const expected = sources.flatMap((s) => [path.basename(s), path.basename(s).replace(/\.(jpg|png)$/, '_realesrgan-x4fast_1x.$1')]).sort();
    if (JSON.stringify(names) !== JSON.stringify(expected)) {
      failures.push(`folder holds ${names.length} files, expected ${expected.length}: extra ${names.filter((n) => !expected.includes(n)).join(', ') || '-'}, missing ${expected.filter((n) => !names.includes(n)).join(', ') || '-'}`);
    }
    const temps = [...readdirSync(photos), ...(existsSync(path.join(dataDir, 'thumbnails')) ? readdirSync(path.join(dataDir, 'thumbnails')) : [])].filter((n) => n.includes('revive-tmp'));
    if (temps.length) failures.push(`temp files left: ${temps.join(', ')}`);
    // 2. Every output decodes completely and has the right size.
    for (const s of sources) {
      const out = s.replace(/\.(jpg|png)$/, '_realesrgan-x4fast_1x.$1');
      try {
        const { info } = await sharp(out, { failOn: 'error' }).raw().toBuffer({ resolveWithObject: true });
        if (info.width !== 32 || info.height !== 32) failures.push(`${out} is ${info.width}×${info.height}, expected 32×32`);
      } catch (e) {
        failures.push(`${out} does not decode: ${(e as Error).message}`);
      }
    }
    // 3. The library: exactly one row per photo, all done; the batch: complete.
    const store = openStore(dataDir);
    try {
      const lib = new LibraryStore(store.db);
      const rows = lib.search({ limit: 10_000 });
      const perSource = new Map<string, number>();
      for (const r of rows) perSource.set(r.sourcePath, (perSource.get(r.sourcePath) ?? 0) + 1);
      if (rows.length !== PHOTOS) failures.push(`library has ${rows.length} rows, expected ${PHOTOS}`);
      for (const s of sources) if (perSource.get(s) !== 1) failures.push(`library has ${perSource.get(s) ?? 0} rows for ${s}`);
      const notDone = rows.filter((r) => r.status !== 'done');
      if (notDone.length) failures.push(`library rows not done: ${notDone.map((r) => `${r.sourceName}: ${r.error}`).join('; ')}`);
      const q = new QueueStore(store.db);
      const jobs = q.jobs();
      if (jobs.length !== 1) failures.push(`the queue holds ${jobs.length} batches, expected the one "revive enhance" made`);
      const job = jobs[0]!;
      const s = job.settings;
      if (s.model !== 'realesrgan-x4fast' || s.scale !== 1 || s.format !== 'same' || s.threads !== 1 || s.outputDir !== null) {
        failures.push(`the batch's settings are not the command line's: ${JSON.stringify(s)}`);
      }
      const counts = q.counts(job.id);
      if (job.state !== 'finished' || counts.done !== PHOTOS) failures.push(`batch not complete: ${job.state}, ${JSON.stringify(counts)}`);
      const adopted = q.items(job.id).filter((i) => i.adopted).length;
      const skipped = q.items(job.id).filter((i) => i.skipped);
      if (skipped.length) failures.push(`skipped as already done: ${skipped.map((i) => path.basename(i.sourcePath)).join(', ')}`);
      console.log(`fault test: ${counts.done} done, ${adopted} adopted after a kill, ${q.items(job.id).reduce((a, i) => a + Math.max(0, i.attempts - 1), 0)} photos restarted`);
    } finally {
      store.close();
    }
    console.log(failures.length ? `FAULT TEST FAIL (seed ${seed}):\n- ${failures.join('\n- ')}` : `FAULT TEST PASS (seed ${seed}): ${PHOTOS} photos, ${KILLS} kills`);
    expect(failures).toEqual([]);
  });
});
