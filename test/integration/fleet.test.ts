/**
 * The worker fleet end to end against a real Redis (test/support/redis-server.ts): `revive submit`, `revive worker`
 * and `revive fleet status` run as a user runs them, on small crops of real photos with the realesrgan-x4fast pack.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePhotoFixtures } from '../fixtures/real-photos';
import { REVIVE_BIN, runCli } from '../support/run-cli';
import { freePort, startRedis, type TestRedis } from '../support/redis-server';
import net from 'node:net';
import { Redis } from 'ioredis';
import { checkReachable, FleetUnreachableError } from '../../src-main/fleet/connection';
import { outputsKey } from '../../src-main/fleet/job-data';

let tmp: string;
let redis: TestRedis;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'revive-fleet-'));
  redis = await startRedis(path.join(tmp, 'redis'));
});
afterAll(async () => {
  await redis?.stop();
  await rm(tmp, { recursive: true, force: true });
});

interface Status {
  counts: { waiting: number; active: number; completed: number; failed: number; delayed: number };
  failures: { source: string; reason: string; attempts: number }[];
  results: { source: string; output: string; worker: string }[];
}

async function status(): Promise<Status> {
  const r = await runCli(['fleet', 'status', '--redis', redis.url, '--json', '--results'], { cwd: tmp, dataDir: path.join(tmp, 'submitter') });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Status;
}

describe('revive submit / worker / fleet status', () => {
  it('an unreachable Redis is a one-line error within 5 s, exit 69', async () => {
    const port = await freePort();
    const started = Date.now();
    const r = await runCli(['submit', '--redis', `redis://127.0.0.1:${port}`, tmp], { cwd: tmp, dataDir: path.join(tmp, 'x') });
    expect(r.code).toBe(69);
    expect(r.stderr.trim()).toMatch(new RegExp(`^revive: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // Includes starting node and tsx (seconds on a loaded machine); the wait itself is timed below.
    expect(Date.now() - started).toBeLessThan(20_000);
    const w = await runCli(['worker', '--redis', `redis://127.0.0.1:${port}`], { cwd: tmp, dataDir: path.join(tmp, 'x') });
    expect(w.code).toBe(69);
  });

  it('gives up on a server that accepts but never answers within 5 s, and on a refused port at once', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      let t = Date.now();
      await expect(checkReachable(`redis://127.0.0.1:${port}`)).rejects.toThrow(FleetUnreachableError);
      expect(Date.now() - t).toBeLessThan(5_000);
      t = Date.now();
      await expect(checkReachable(`redis://127.0.0.1:${await freePort()}`)).rejects.toThrow(/ECONNREFUSED/);
      expect(Date.now() - t).toBeLessThan(5_000);
      await expect(checkReachable('http://example.org')).rejects.toThrow(/not a redis:\/\/ URL/);
    } finally {
      silent.close();
    }
  });

  it('runs every photo once, a vanished input fails alone with its reason, a repeated submit adds nothing, SIGTERM drains', async () => {
    const dir = path.join(tmp, 'photos');
    const out = path.join(tmp, 'out');
    await mkdir(dir, { recursive: true });
    const files = await writePhotoFixtures(dir, [0, 1, 2, 3].map((i) => ({ name: `f${i}.jpg`, width: 24 + i, height: 20 })));
    const submit = () => runCli(['submit', '--redis', redis.url, dir, '-o', out, '--json'], { cwd: tmp, dataDir: path.join(tmp, 'submitter') });
    const first = await submit();
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ added: 4, existing: 0, problems: [] });
    const again = await submit();
    expect(JSON.parse(again.stdout)).toMatchObject({ added: 0, existing: 4 });
    await rm(files[2]!);

    const workerDir = path.join(tmp, 'worker1');
    const worker = spawn(process.execPath, [REVIVE_BIN, 'worker', '--redis', redis.url, '--device', 'cpu', '--lock-seconds', '2'], {
      cwd: tmp,
      env: { ...process.env, REVIVE_DATA_DIR: workerDir, NO_COLOR: '1', REVIVE_DEV: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    worker.stdout.on('data', (d: Buffer) => (log += d.toString()));
    worker.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    try {
      let s = await status();
      for (let i = 0; i < 240 && s.counts.completed + s.counts.failed < 4; i++) {
        await new Promise((r) => setTimeout(r, 500));
        s = await status();
      }
      expect(s.counts, log).toMatchObject({ completed: 3, failed: 1, waiting: 0, active: 0 });
      expect(s.failures).toEqual([{ jobId: expect.stringMatching(/^r[0-9a-f]{40}$/), source: files[2], reason: `${files[2]}: the photo is gone (moved or deleted after it was submitted)`, attempts: 1 }]);
      expect(s.results.map((r) => r.source).sort()).toEqual([files[0], files[1], files[3]]);
      for (const r of s.results) {
        expect(r.output).toBe(path.join(out, `${path.basename(r.source, '.jpg')}_revive.jpg`));
        expect((await sharp(r.output).metadata()).width).toBe((await sharp(r.source).metadata()).width! * 4);
        expect(r.worker).toMatch(/:\d+$/);
      }
      expect((await readdir(out)).sort()).toEqual(['f0_revive.jpg', 'f1_revive.jpg', 'f3_revive.jpg']);
    } finally {
      worker.kill('SIGTERM');
    }
    expect(await exited, log).toBe(0);
    expect(log).toMatch(/worker stopped: 3 done, 1 failed/);
    // The results are in the worker's own history.
    const hist = await runCli(['history', '--json'], { cwd: tmp, dataDir: workerDir });
    expect(hist.code, hist.stderr).toBe(0);
    for (const f of [files[0]!, files[1]!, files[3]!]) expect(hist.stdout).toContain(JSON.stringify(f).slice(1, -1));
    expect(existsSync(path.join(out, 'f2_revive.jpg'))).toBe(false);
  });

  it('reserves a distinct output for two photos of the same name, and restores identical copies once', async () => {
    const a = path.join(tmp, 'resv', 'a');
    const b = path.join(tmp, 'resv', 'b');
    await mkdir(a, { recursive: true });
    await mkdir(b, { recursive: true });
    const [ax] = await writePhotoFixtures(a, [{ name: 'x.jpg', width: 30, height: 20 }]);
    await writePhotoFixtures(b, [{ name: 'x.jpg', width: 31, height: 20 }]);
    await copyFile(ax!, path.join(b, 'y.jpg'));
    const out = path.join(tmp, 'resv-out');
    const r = await runCli(['submit', '--redis', redis.url, '--queue', 'resv', a, b, '-o', out, '--json'], { cwd: tmp, dataDir: path.join(tmp, 'submitter') });
    expect(r.code, r.stderr).toBe(0);
    // b/y.jpg is a copy of a/x.jpg: same content, settings and destination, so one job and one result.
    expect(JSON.parse(r.stdout)).toMatchObject({ added: 2, existing: 1 });
    const client = new Redis(redis.url);
    try {
      const reserved = await client.hgetall(outputsKey('resv'));
      expect(Object.keys(reserved).sort()).toEqual([path.join(out, 'x_revive-1.jpg'), path.join(out, 'x_revive.jpg')]);
      expect(new Set(Object.values(reserved)).size).toBe(2);
    } finally {
      client.disconnect();
    }
  });

  it('SIGTERM while a photo runs: the worker finishes that photo, takes no other, and exits 0', async () => {
    const dir = path.join(tmp, 'drain');
    await mkdir(dir, { recursive: true });
    await writePhotoFixtures(dir, [0, 1, 2, 3, 4, 5].map((i) => ({ name: `d${i}.jpg`, width: 160 + i, height: 120 })));
    const sub = await runCli(['submit', '--redis', redis.url, '--queue', 'drain', dir, '-o', path.join(tmp, 'drain-out')], { cwd: tmp, dataDir: path.join(tmp, 'submitter') });
    expect(sub.code, sub.stderr).toBe(0);
    const worker = spawn(process.execPath, [REVIVE_BIN, 'worker', '--redis', redis.url, '--queue', 'drain', '--device', 'cpu'], {
      cwd: tmp,
      env: { ...process.env, REVIVE_DATA_DIR: path.join(tmp, 'drain-worker'), NO_COLOR: '1', REVIVE_DEV: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    worker.stdout.on('data', (d: Buffer) => (log += d.toString()));
    worker.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    const { fleetStatus } = await import('../../src-main/fleet/status');
    // Wait for a photo in hand (the first one includes the engine's start, so there is time to see it).
    let s = await fleetStatus(redis.url, { queue: 'drain' });
    for (let i = 0; i < 600 && s.counts.active === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      s = await fleetStatus(redis.url, { queue: 'drain' });
    }
    expect(s.counts.active, log).toBe(1);
    const doneBefore = s.counts.completed;
    worker.kill('SIGTERM');
    expect(await exited, log).toBe(0);
    s = await fleetStatus(redis.url, { queue: 'drain' });
    expect(s.counts.active).toBe(0);
    expect(s.counts.failed).toBe(0);
    // The photo in hand was finished and nothing else was started (one more at most: the photo seen running may
    // have ended, and the next begun, between the status read and the signal).
    expect(s.counts.completed).toBeGreaterThanOrEqual(doneBefore + 1);
    expect(s.counts.completed).toBeLessThanOrEqual(doneBefore + 2);
    expect(s.counts.waiting).toBe(6 - s.counts.completed);
    expect(s.counts.waiting).toBeGreaterThan(0);
    expect(log).toMatch(/draining: finishing the photos held, taking no new ones/);
  });
});
