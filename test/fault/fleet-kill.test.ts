/**
 * Fault test of the worker fleet: 200 small crops of real photos (Debian's plasma-workspace-wallpapers, via
 * test/fixtures/real-photos.ts) submitted to a real Redis (append-only, every write synced), run by 3 workers
 * (`revive worker`, the real engine, the x4fast pack), of which a random one is SIGKILLed 5 times at random moments
 * and started again on its own data folder (as a scheduler restarts a pod); the Redis is restarted once mid-run.
 *
 * Afterwards: every photo has exactly one output, which decodes; no temp file and no numbered duplicate ("-1")
 * exists; every job is completed, or failed with its reason; a second submit of the same inputs adds no job. The
 * seed is printed (FAULT_SEED=… repeats the kill moments).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetStatus } from '../../src-main/fleet/status';
import { sourcePhotos } from '../fixtures/real-photos';
import { rng } from '../support/random';
import { startRedis, type TestRedis } from '../support/redis-server';
import { REVIVE_BIN, runCli } from '../support/run-cli';

const PHOTOS = 200;
const WORKERS = 3;
const KILLS = 5;
const CROP = { width: 24, height: 18 };

let tmp: string;
let redis: TestRedis;
const workers: (ChildProcess | null)[] = [];

/** 200 distinct crops: a grid of offsets over real photos reduced to 480 px wide (distinct content, distinct jobs). */
async function writeCrops(dir: string): Promise<string[]> {
  const sources = sourcePhotos();
  const bases = await Promise.all(sources.map((s) => sharp(s).resize({ width: 480 }).removeAlpha().raw().toBuffer({ resolveWithObject: true })));
  const files: string[] = [];
  for (let i = 0; i < PHOTOS; i++) {
    const { data, info } = bases[i % bases.length]!;
    const k = Math.floor(i / bases.length);
    const cols = Math.floor((info.width - CROP.width) / 12);
    const left = (k % cols) * 12;
    const top = Math.min(info.height - CROP.height, Math.floor(k / cols) * 9 + 40);
    const file = path.join(dir, `c${String(i).padStart(3, '0')}.jpg`);
    await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
      .extract({ left, top, ...CROP })
      .jpeg({ quality: 92 })
      .toFile(file);
    files.push(file);
  }
  return files;
}

function startWorker(i: number, log: string[]): ChildProcess {
  const child = spawn(process.execPath, [REVIVE_BIN, 'worker', '--redis', redis.url, '--device', 'cpu', '--threads', '1', '--lock-seconds', '2'], {
    cwd: tmp,
    env: { ...process.env, REVIVE_DATA_DIR: path.join(tmp, `worker${i}`), NO_COLOR: '1', REVIVE_DEV: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer): void => void log.push(...d.toString().split('\n').filter((l) => l.startsWith('✗') || l.startsWith('!')).map((l) => `w${i}: ${l}`));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return child;
}

const exited = (c: ChildProcess): Promise<void> =>
  c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', () => r()));

interface Status {
  counts: { waiting: number; active: number; completed: number; failed: number; delayed: number };
  failures: { source: string; reason: string }[];
  results: { source: string; output: string }[];
}

/** The fleet's state, read in this process (a CLI process per poll would take the cores the workers need). */
async function status(): Promise<Status> {
  for (let tries = 0; ; tries++) {
    try {
      return (await fleetStatus(redis.url, { results: true })) as Status;
    } catch (err) {
      // While the Redis restarts.
      if (tries > 20) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'revive-fleet-fault-'));
  redis = await startRedis(path.join(tmp, 'redis'));
});
afterAll(async () => {
  for (const w of workers) w?.kill('SIGKILL');
  await Promise.all(workers.map((w) => (w ? exited(w) : undefined)));
  await redis?.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe('the fleet with workers killed and Redis restarted', () => {
  it('ends with exactly one decodable output per photo, every job accounted for, and a resubmit adding nothing', async () => {
    const seed = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);
    console.log(`fleet fault test seed: FAULT_SEED=${seed}`);
    const random = rng(seed);
    const photos = path.join(tmp, 'photos');
    const out = path.join(tmp, 'out');
    await mkdir(photos, { recursive: true });
    const files = await writeCrops(photos);
    const submitArgs = ['submit', '--redis', redis.url, photos, '-o', out, '-m', 'realesrgan-x4fast', '-s', '1', '--json'];
    const first = await runCli(submitArgs, { cwd: tmp, dataDir: path.join(tmp, 'submitter') });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ added: PHOTOS, existing: 0 });

    const log: string[] = [];
    for (let i = 0; i < WORKERS; i++) workers[i] = startWorker(i, log);
    // Kill moments spread over the run (by photos finished), plus the Redis restart after about half.
    const killAt = Array.from({ length: KILLS }, () => Math.floor(10 + random() * (PHOTOS * 0.75))).sort((a, b) => a - b);
    const restartAt = Math.floor(PHOTOS * (0.4 + random() * 0.2));
    let restarted = false;
    let kills = 0;
    const started = Date.now();
    let s = await status();
    // Well under 3 min on 2 loaded cores; the margin is for machines shared with other work.
    const deadline = Date.now() + 420_000;
    while (s.counts.completed + s.counts.failed < PHOTOS && Date.now() < deadline) {
      const finished = s.counts.completed + s.counts.failed;
      while (kills < KILLS && finished >= killAt[kills]!) {
        const i = Math.floor(random() * WORKERS);
        await new Promise((r) => setTimeout(r, random() * 300));
        workers[i]!.kill('SIGKILL');
        await exited(workers[i]!);
        workers[i] = startWorker(i, log);
        kills++;
      }
      if (!restarted && finished >= restartAt) {
        await redis.restart();
        restarted = true;
      }
      await new Promise((r) => setTimeout(r, 400));
      s = await status();
    }
    expect(kills).toBe(KILLS);
    expect(restarted).toBe(true);
    expect(s.counts.completed + s.counts.failed, log.join('\n')).toBe(PHOTOS);
    console.log(`${PHOTOS} photos in ${Math.round((Date.now() - started) / 1000)} s with ${kills} kills and a Redis restart; ${s.failures.length} failed`);

    // Drain: SIGTERM lets each worker finish and exit 0.
    const codes = await Promise.all(
      workers.map((w) => new Promise<number | null>((r) => (w!.once('exit', (code) => r(code)), w!.kill('SIGTERM')))),
    );
    workers.length = 0;
    expect(codes).toEqual([0, 0, 0]);

    // Every job completed, or failed with its reason.
    for (const f of s.failures) expect(f.reason.trim().length).toBeGreaterThan(0);
    expect(s.results.length + s.failures.length).toBe(PHOTOS);
    // Exactly one output per completed photo, under its own name, decodable; no temp file, no numbered duplicate.
    const names = (await readdir(out)).sort();
    expect(names.filter((n) => n.startsWith('.'))).toEqual([]);
    expect(names.filter((n) => /-\d+\.jpg$/.test(n))).toEqual([]);
    const done = new Set(s.results.map((r) => r.source));
    expect(names).toEqual(files.filter((f) => done.has(f)).map((f) => `${path.basename(f, '.jpg')}_revive.jpg`));
    for (const n of names) {
      const { info } = await sharp(path.join(out, n)).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([CROP.width, CROP.height]);
    }
    // Failures are the exception here (a photo that kept losing its worker), not the rule.
    expect(s.failures.length, JSON.stringify(s.failures)).toBeLessThanOrEqual(2);

    const again = await runCli(submitArgs, { cwd: tmp, dataDir: path.join(tmp, 'submitter') });
    expect(JSON.parse(again.stdout)).toMatchObject({ added: 0, existing: PHOTOS });
  });
});
