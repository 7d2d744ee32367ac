/** `revive history` and `revive resume` through the real command parser (main), without running a model. */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src-main/cli/main';
import { LibraryStore } from '../../../src-main/library/library-store';
import { parseJobSettings } from '../../../src-main/settings/job-settings';
import { QueueStore } from '../../../src-main/jobs/queue-store';
import { jobSettingsFromOptions } from '../../../src-main/cli/enhance-command';
import { parseEnhanceOptions } from '../../../src-main/cli/options';
import { acquireLock, QUEUE_LOCK } from '../../../src-main/store/lock';
import { tempWorld, writePhoto, type TempWorld } from '../../support/job-fixtures';

function capture(): { out: string[]; err: string[]; io: { stdout: { write(s: string): boolean }; stderr: { write(s: string): boolean } } } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: { write: (s: string) => (out.push(s), true) },
      stderr: { write: (s: string) => (err.push(s), true) },
    },
  };
}

describe('revive history / resume', () => {
  let w: TempWorld;
  beforeEach(() => {
    w = tempWorld();
    const lib = new LibraryStore(w.store.db);
    const settings = parseJobSettings({ model: 'realesrgan-x4fast', scale: 4, format: 'png' });
    const base = { itemId: null, jobId: null, sourceHash: 'h', sourceSize: 1, sourceWidth: 8, sourceHeight: 8, outputSize: 1, outputWidth: 32, outputHeight: 32, model: 'realesrgan-x4fast', settings, settingsKey: 'k', ms: 1500, startedAt: 0, device: 'cpu', dateTaken: '1987-06-05 14:03:02', camera: 'Canon EOS 5D', hasGps: false };
    lib.insert({ ...base, sourcePath: '/pics/oma.jpg', outputPath: '/pics/oma_revive.jpg', status: 'done', error: null, finishedAt: 2000 });
    lib.insert({ ...base, sourcePath: '/pics/opa.jpg', outputPath: null, status: 'failed', error: '/pics/opa.jpg: damaged JPEG header', finishedAt: 3000, camera: null });
    // The CLI opens the store itself; this test's lock would make resume report "busy".
    w.lock.release();
  });
  afterEach(() => w.cleanup());

  it('lists newest first, searches by name, filters failed, prints JSON lines', async () => {
    const c = capture();
    expect(await main(['history', '--data-dir', w.dataDir], { ...c.io, cwd: w.root })).toBe(0);
    const lines = c.out.join('').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/✗ \/pics\/opa\.jpg: damaged JPEG header {2}\(/);
    expect(lines[1]).toMatch(/✓ \/pics\/oma\.jpg → \/pics\/oma_revive\.jpg {2}\(realesrgan-x4fast, 4×, 1\.5 s, Canon EOS 5D, 1987-06-05\)/);

    const q = capture();
    expect(await main(['history', 'OMA', '--json', '--data-dir', w.dataDir], { ...q.io, cwd: w.root })).toBe(0);
    const rows = q.out.join('').trim().split('\n').map((l) => JSON.parse(l) as { sourcePath: string });
    expect(rows.map((r) => r.sourcePath)).toEqual(['/pics/oma.jpg']);

    const f = capture();
    await main(['history', '--failed', '--json', '--data-dir', w.dataDir], { ...f.io, cwd: w.root });
    expect(f.out.join('').trim().split('\n').map((l) => (JSON.parse(l) as { status: string }).status)).toEqual(['failed']);

    const cam = capture();
    await main(['history', '--camera', 'canon', '--taken-from', '1987', '--taken-to', '1987-06', '--json', '--data-dir', w.dataDir], { ...cam.io, cwd: w.root });
    expect(cam.out.join('').trim().split('\n')).toHaveLength(1);

    const none = capture();
    expect(await main(['history', 'nobody', '--data-dir', w.dataDir], { ...none.io, cwd: w.root })).toBe(0);
    expect(none.err.join('')).toContain('no results match');
  });

  it('rejects bad option values as usage errors naming them', async () => {
    const c = capture();
    expect(await main(['history', '--limit', '0', '--data-dir', w.dataDir], { ...c.io, cwd: w.root })).toBe(2);
    expect(c.err.join('')).toContain('--limit must be a whole number from 1 to 10000, got "0"');
    const d = capture();
    expect(await main(['history', '--taken-from', '87', '--data-dir', w.dataDir], { ...d.io, cwd: w.root })).toBe(2);
    expect(d.err.join('')).toContain('--taken-from must look like 1987');
  });

  it('resume says when there is nothing to do, and refuses while another process runs the queue', async () => {
    const c = capture();
    expect(await main(['resume', '--data-dir', w.dataDir], { ...c.io, cwd: w.root })).toBe(0);
    expect(c.err.join('')).toContain('nothing to resume');

    const lock = acquireLock(w.store.db, QUEUE_LOCK, { heartbeatMs: 0 });
    try {
      const b = capture();
      expect(await main(['resume', '--data-dir', path.relative(w.root, w.dataDir)], { ...b.io, cwd: w.root })).toBe(75);
      expect(b.err.join('')).toMatch(new RegExp(`another Revive process \\(pid ${process.pid} on .*\\) is running the queue`));
    } finally {
      lock.release();
    }
  });
});

describe('revive enhance and the queue', () => {
  let w: TempWorld;
  beforeEach(() => {
    w = tempWorld();
    w.lock.release();
  });
  afterEach(() => w.cleanup());

  it('refuses while another process runs the queue (exit 75) and queues nothing', async () => {
    const photo = await writePhoto(path.join(w.photos, 'a.png'), 1);
    const lock = acquireLock(w.store.db, QUEUE_LOCK, { heartbeatMs: 0 });
    try {
      const c = capture();
      expect(await main(['enhance', photo, '--data-dir', w.dataDir], { ...c.io, cwd: w.root })).toBe(75);
      expect(c.err.join('')).toMatch(new RegExp(`another Revive process \\(pid ${process.pid} on .*\\) is running the queue.*nothing was queued`));
      expect(c.out).toEqual([]);
    } finally {
      lock.release();
    }
    expect(new QueueStore(w.store.db).jobs()).toEqual([]);
  });

  it('snapshots the command line into the job settings: percentages become the queue’s 0–1 strength', () => {
    const opts = parseEnhanceOptions({
      model: 'tiny-osediff',
      scale: '2',
      format: 'png',
      suffix: '_r',
      device: 'cpu',
      tile: '64',
      threads: '3',
      quality: '90',
      overwrite: true,
      promptMode: 'custom',
      prompt: 'old photo',
      colorFix: 'wavelet',
      strength: '37.5',
    });
    expect(jobSettingsFromOptions(opts, '/out')).toEqual({
      model: 'tiny-osediff',
      scale: 2,
      format: 'png',
      suffix: '_r',
      outputDir: '/out',
      overwrite: true,
      provider: 'cpu',
      threads: 3,
      tile: 64,
      quality: 90,
      promptMode: 'custom',
      prompt: 'old photo',
      colorFix: 'wavelet',
      strength: 0.375,
    });
    const plain = jobSettingsFromOptions(parseEnhanceOptions({ model: 'm', scale: '4', format: 'same', suffix: '_revive', device: 'auto' }), undefined);
    expect(plain).toMatchObject({ outputDir: null, threads: 0, overwrite: false });
    expect(plain.strength).toBeUndefined();
  });
});
