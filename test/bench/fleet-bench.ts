/**
 * Fleet overhead (not a test: nothing here asserts). `npm run bench -- --only fleet` runs {@link fleetBench}.
 *
 * The same 50 small crops of real photos, restored 4× with the x4fast pack on the CPU, side by side in one run:
 * plain `revive enhance <folder>` against a 1-worker fleet (`revive submit` then `revive worker`, a real Redis from
 * Debian's redis-server on a free loopback port). Each is timed from its first command's start to its last photo's
 * end, process start-up and the engine's start included on both sides. The rounds alternate (plain, fleet, fleet,
 * plain) so both see the same machine load; throughput is photos per second over the summed times.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fleetStatus } from '../../src-main/fleet/status';
import { writePhotoFixtures } from '../fixtures/real-photos';
import { startRedis } from '../support/redis-server';
import { REVIVE_BIN } from '../support/run-cli';
import type { BenchRow } from './rows';

const PHOTOS = 50;

function cli(args: string[], dataDir: string, cwd: string): void {
  const r = spawnSync(process.execPath, [REVIVE_BIN, ...args], { cwd, env: { ...process.env, REVIVE_DATA_DIR: dataDir, REVIVE_DEV: '1', NO_COLOR: '1' }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`revive ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

/** Seconds for plain `revive enhance` of the folder into `out`. */
function plainRun(photos: string, out: string, dataDir: string, cwd: string): number {
  const t = performance.now();
  cli(['enhance', photos, '-o', out, '-m', 'realesrgan-x4fast', '--device', 'cpu'], dataDir, cwd);
  return (performance.now() - t) / 1000;
}

/** Seconds from `revive submit` to the last photo finished by one `revive worker` started at the same moment. */
async function fleetRun(url: string, queue: string, photos: string, out: string, dataDir: string, cwd: string): Promise<number> {
  const t = performance.now();
  const env = { ...process.env, REVIVE_DATA_DIR: dataDir, REVIVE_DEV: '1', NO_COLOR: '1' };
  const worker = spawn(process.execPath, [REVIVE_BIN, 'worker', '--redis', url, '--queue', queue, '--device', 'cpu'], { cwd, env, stdio: 'ignore' });
  try {
    cli(['submit', '--redis', url, '--queue', queue, photos, '-o', out, '-m', 'realesrgan-x4fast'], path.join(dataDir, 'submitter'), cwd);
    for (;;) {
      const s = await fleetStatus(url, { queue });
      if (s.counts.failed) throw new Error(`fleet bench: ${s.counts.failed} photos failed: ${s.failures[0]?.reason}`);
      if (s.counts.completed === PHOTOS) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return (performance.now() - t) / 1000;
  } finally {
    await new Promise<void>((r) => (worker.once('exit', () => r()), worker.kill('SIGTERM')));
  }
}

export async function fleetBench(): Promise<BenchRow[]> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'revive-fleet-bench-'));
  const redis = await startRedis(path.join(tmp, 'redis'));
  try {
    const photos = path.join(tmp, 'photos');
    await mkdir(photos, { recursive: true });
    await writePhotoFixtures(photos, Array.from({ length: PHOTOS }, (_, i) => ({ name: `b${String(i).padStart(2, '0')}.jpg`, width: 96 + (i % 10), height: 72 + Math.floor(i / 10) })));
    const plain: number[] = [];
    const fleet: number[] = [];
    for (const [k, kind] of (['plain', 'fleet', 'fleet', 'plain'] as const).entries()) {
      const out = path.join(tmp, `out${k}`);
      const data = path.join(tmp, `data${k}`);
      if (kind === 'plain') plain.push(plainRun(photos, out, data, tmp));
      else fleet.push(await fleetRun(redis.url, `bench${k}`, photos, out, data, tmp));
    }
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    const plainRate = (PHOTOS * plain.length) / sum(plain);
    const fleetRate = (PHOTOS * fleet.length) / sum(fleet);
    const ratio = fleetRate / plainRate;
    return [
      {
        group: 'fleet',
        name: `1-worker fleet vs plain enhance, ${PHOTOS} photos 4× x4fast (throughput ratio)`,
        value: ratio * 100,
        unit: '%',
        goal: '≥ 90 %',
        pass: ratio >= 0.9,
        note: `fleet ${fleetRate.toFixed(2)} photos/s (${fleet.map((s) => s.toFixed(1)).join('/')} s), plain ${plainRate.toFixed(2)} photos/s (${plain.map((s) => s.toFixed(1)).join('/')} s); ${os.availableParallelism()} cores, load ${os.loadavg()[0]!.toFixed(1)}`,
      },
    ];
  } finally {
    await redis.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}
