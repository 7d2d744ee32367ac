import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesInShard, parseShard, shardFromEnv, shardKey, shardOf, ShardSpecError } from '../../../src-main/jobs/shard';

/** A made-up archive: nested folders, odd names, a deterministic pseudo-random list (seeded LCG). */
function archive(n: number, seed: number): string[] {
  let x = seed >>> 0;
  const next = (): number => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
  const out = new Set<string>();
  while (out.size < n) out.add(`box-${next() % 17}/roll ${next() % 5}/scan_${next().toString(36)}.jpg`);
  return [...out];
}

describe('shardOf (rendezvous hashing)', () => {
  const files = archive(1500, 7);

  it('splits any list into n disjoint, complete shards for n = 1..8', () => {
    for (let n = 1; n <= 8; n++) {
      const shards = Array.from({ length: n }, (_, i) => filesInShard(files, ['/'], '/', { index: i, count: n }));
      const all = shards.flat();
      expect(all.length).toBe(files.length); // complete and, with the set below, disjoint
      expect(new Set(all).size).toBe(files.length);
      expect(new Set(all)).toEqual(new Set(files));
    }
  });

  it('moves no other input when an input is added (or removed)', () => {
    for (let n = 2; n <= 8; n++) {
      const before = new Map(files.map((f) => [f, shardOf(f, n)]));
      const grown = [...files, ...archive(200, 99)];
      for (const f of files) expect(shardOf(f, n)).toBe(before.get(f));
      // The split of the grown list, taken per shard, keeps every old file where it was (a few n: it is n² hashes).
      if (n % 3 !== 2) continue;
      for (let i = 0; i < n; i++) {
        const mine = new Set(filesInShard(grown, ['/'], '/', { index: i, count: n }));
        for (const f of files) expect(mine.has(f)).toBe(before.get(f) === i);
      }
    }
  });

  it('is the highest SHA-256 score, recomputed independently', () => {
    for (const f of files.slice(0, 200)) {
      const scores = [0, 1, 2, 3, 4].map((k) => parseInt(createHash('sha256').update(`${f}\0${k}`).digest('hex').slice(0, 12), 16));
      expect(shardOf(f, 5)).toBe(scores.indexOf(Math.max(...scores)));
    }
  });

  it('spreads an archive evenly (each of 8 shards within 20 % of its fair share)', () => {
    const counts = new Array<number>(8).fill(0);
    for (const f of files) counts[shardOf(f, 8)]!++;
    for (const c of counts) expect(Math.abs(c - files.length / 8)).toBeLessThan(0.2 * (files.length / 8));
  });

  it('moves only the files that go to the new shard when a shard is added', () => {
    for (const f of files) {
      const a = shardOf(f, 4);
      const b = shardOf(f, 5);
      expect(b === a || b === 4).toBe(true);
    }
  });
});

describe('shardKey', () => {
  it('keys a file by its path below the folder argument, whatever the mount point', () => {
    const a = shardKey('/mnt/nfs/archive/box1/a.jpg', ['/mnt/nfs/archive'], '/');
    const b = shardKey('/data/archive/box1/a.jpg', ['archive'], '/data');
    expect(a).toBe('box1/a.jpg');
    expect(b).toBe(a);
  });

  it('takes the deepest folder argument, and the file name for a file given directly', () => {
    expect(shardKey('/a/b/c/d.jpg', ['/a', '/a/b'], '/')).toBe('c/d.jpg');
    expect(shardKey('/x/y/photo.png', ['/x/y/photo.png', '/a'], '/')).toBe('photo.png');
    expect(shardKey(path.join('/a', 'b', 'c.jpg'), ['/a'], '/')).toBe('b/c.jpg');
  });
});

describe('parseShard and shardFromEnv', () => {
  it('reads i/n with the index from 0', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard(' 3/4 ')).toEqual({ index: 3, count: 4 });
  });

  it.each(['4/4', '1/0', '-1/3', 'a/3', '1', '1/2/3', '1.5/3', ''])('refuses %j with a reason', (text) => {
    expect(() => parseShard(text)).toThrow(ShardSpecError);
  });

  it('takes the Kubernetes index first, then AWS Batch, with the count given', () => {
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '2', AWS_BATCH_JOB_ARRAY_INDEX: '5' }, '8')).toEqual({ index: 2, count: 8 });
    expect(shardFromEnv({ AWS_BATCH_JOB_ARRAY_INDEX: '5' }, '8')).toEqual({ index: 5, count: 8 });
    expect(() => shardFromEnv({}, '8')).toThrow(/JOB_COMPLETION_INDEX/);
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '1' }, undefined)).toThrow(/count/);
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '8' }, '8')).toThrow(/below the count/);
  });
});

describe('the CLI shard options', async () => {
  const { parseShardOptions } = await import('../../../src-main/cli/options');
  it('takes --shard, or the index from the environment with a count, and refuses mixing them', () => {
    expect(parseShardOptions({ shard: '1/4' }, {})).toEqual({ index: 1, count: 4 });
    expect(parseShardOptions({}, {})).toBeUndefined();
    expect(parseShardOptions({ shardFromEnv: true, shardCount: '4' }, { AWS_BATCH_JOB_ARRAY_INDEX: '3' })).toEqual({ index: 3, count: 4 });
    expect(() => parseShardOptions({ shardFromEnv: true, shard: '1/4', shardCount: '4' }, { JOB_COMPLETION_INDEX: '1' })).toThrow(/not both/);
    expect(() => parseShardOptions({ shardCount: '4' }, {})).toThrow(/--shard-count goes with --shard-from-env/);
    expect(() => parseShardOptions({ shard: '9/4' }, {})).toThrow(/^shard: /);
  });
});
