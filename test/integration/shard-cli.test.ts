/**
 * `revive enhance --shard i/n` as batch-scheduler nodes run it: the same arguments on every node, each with its own
 * data folder, all writing to one shared output folder. Small crops of real photos, the realesrgan-x4fast pack.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesInShard } from '../../src-main/jobs/shard';
import { writePhotoFixtures } from '../fixtures/real-photos';
import { runCli } from '../support/run-cli';

let tmp: string;
let photos: string;
let out: string;
let files: string[];

/** The result name of a photo in the shared output folder. */
const resultOf = (f: string): string => path.join(out, `${path.basename(f, '.jpg')}_revive.jpg`);

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'revive-shard-'));
  photos = path.join(tmp, 'archive');
  out = path.join(tmp, 'shared-out');
  await mkdir(path.join(photos, 'box1'), { recursive: true });
  await mkdir(path.join(photos, 'box2'), { recursive: true });
  files = [
    ...(await writePhotoFixtures(path.join(photos, 'box1'), [0, 1, 2].map((i) => ({ name: `p${i}.jpg`, width: 24 + i, height: 20 })))),
    ...(await writePhotoFixtures(path.join(photos, 'box2'), [3, 4, 5].map((i) => ({ name: `q${i}.jpg`, width: 24 + i, height: 20 })))),
  ];
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('revive enhance --shard', () => {
  it('three nodes write every photo exactly once; a rerun skips what is done and redoes what is missing', async () => {
    const node = (i: number, extra: string[] = [], env?: Record<string, string>) =>
      runCli(['enhance', 'archive', '-r', '-o', out, '--device', 'cpu', ...extra], { cwd: tmp, dataDir: path.join(tmp, `node${i}`), ...(env ? { env } : {}) });
    const runs = [await node(0, ['--shard', '0/3']), await node(1, ['--shard', '1/3']), await node(2, ['--shard-from-env', '--shard-count', '3'], { JOB_COMPLETION_INDEX: '2' })];
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    // Each node did exactly its shard (as computed here from the same rule), and together they did every photo once.
    for (let i = 0; i < 3; i++) {
      const mine = filesInShard(files, [photos], tmp, { index: i, count: 3 });
      const done = runs[i]!.stdout.split('\n').filter((l) => l.startsWith('✓')).length;
      expect(done).toBe(mine.length);
    }
    const written = (await readdir(out)).sort();
    expect(written).toEqual(files.map((f) => path.basename(resultOf(f))).sort());
    for (const f of files) expect((await sharp(resultOf(f)).metadata()).width).toBeGreaterThan(0);

    // A rerun of a shard skips its finished photos and redoes one whose result went missing.
    const shard1 = filesInShard(files, [photos], tmp, { index: 1, count: 3 });
    expect(shard1.length).toBeGreaterThan(0);
    const kept = shard1.slice(1).map(resultOf);
    const keptTimes = await Promise.all(kept.map(async (k) => (await stat(k)).mtimeMs));
    await rm(resultOf(shard1[0]!));
    const again = await node(1, [], { REVIVE_SHARD: '1/3' });
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(resultOf(shard1[0]!))).toBe(true);
    expect(await Promise.all(kept.map(async (k) => (await stat(k)).mtimeMs))).toEqual(keptTimes);
    expect((await readdir(out)).length).toBe(files.length);
  });

  it('refuses a bad shard with a usage error and queues nothing', async () => {
    const r = await runCli(['enhance', 'archive', '--shard', '3/3'], { cwd: tmp, dataDir: path.join(tmp, 'bad') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/shard: the shard index counts from 0 and must be below the count 3, got 3/);
    const env = await runCli(['enhance', 'archive', '--shard-from-env', '--shard-count', '2'], { cwd: tmp, dataDir: path.join(tmp, 'bad'), env: { JOB_COMPLETION_INDEX: '', AWS_BATCH_JOB_ARRAY_INDEX: '' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX is set/);
  });
});
