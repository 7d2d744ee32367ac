/**
 * What reaches the core from the page or the bridge (issue 12): sources only from inputs:add, output folders only
 * absolute, existing, writable and (serve mode) inside the configured roots, checked before anything is queued;
 * special files refused without being opened; the data folder off the allow-list; upload folders cleaned.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channels } from '../../../src-preload/contract';
import { notAnImage } from '../../../src-main/core/image-check';
import type { ReviveCore } from '../../../src-main/core/port';
import { openReviveCore } from '../../../src-main/core/services';
import type { EngineSpawner } from '../../../src-main/engine/spawn';
import type { JobProgress } from '../../../src-main/jobs/progress';
import { DATABASE_FILE } from '../../../src-main/store/paths';
import { DEFAULT_SETTINGS } from '../../support/fake-core';
import { writePhoto } from '../../support/job-fixtures';
import { tempFolders } from '../../support/temp-folders';

const tmp = tempFolders();

/** Resolves with the call's outcome, or 'timeout': a call blocked on a FIFO never settles. */
async function within<T>(ms: number, p: Promise<T>): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const mkfifo = (file: string): void => {
  execFileSync('mkfifo', [file]);
};

/** An engine that fails every photo: the tests look at what gets queued, never at restored pixels. */
function failingEngine(spawned: number[]): EngineSpawner {
  return (listeners) => {
    const pid = 7000 + spawned.length;
    spawned.push(pid);
    const exit = (signal: string | null): void => queueMicrotask(() => listeners.onExit({ code: signal ? null : 0, signal, outputTail: '' }));
    return {
      pid,
      send: (m) =>
        queueMicrotask(() => listeners.onMessage(m.type === 'dispose' ? { type: 'disposed', id: m.id } : { type: 'failed', id: m.id, code: 'CORRUPT', message: 'scripted' })),
      kill: () => exit('SIGKILL'),
      disconnect: () => exit(null),
    };
  };
}

let dataDir: string;
let photos: string;
let core: ReviveCore;
let spawned: number[];

beforeEach(async () => {
  dataDir = tmp('revive-guards-data-');
  photos = tmp('revive-guards-photos-');
  spawned = [];
  core = await openReviveCore(dataDir, { spawner: failingEngine(spawned), outputRoots: [photos] });
});
afterEach(async () => {
  await core.close();
});

const folder = (dir: string) => ({ ...DEFAULT_SETTINGS, output: { kind: 'folder' as const, dir } });

describe('F3: sources and output folders from the page', () => {
  it('jobs:start and jobs:check queue only sources added through inputs:add in this session', async () => {
    const added = await writePhoto(path.join(photos, 'added.png'), 1);
    const stray = await writePhoto(path.join(photos, 'never-added.png'), 2);
    await core.addInputs([added], false);
    for (const paths of [[stray], ['/etc/shadow'], [added, '/etc/passwd'], ['relative.png']]) {
      await expect(core.startJob(paths, DEFAULT_SETTINGS, true)).rejects.toMatchObject({ code: 'NOT_ALLOWED', message: expect.stringContaining('was not added') });
      await expect(core.checkJob(paths, DEFAULT_SETTINGS)).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    }
    expect((await core.queue()).items).toEqual([]);
    expect((await core.startJob([added], DEFAULT_SETTINGS, true)).itemIds).toHaveLength(1);
  });

  it('refuses relative, missing, non-folder, data-folder and out-of-root output folders before queueing or running anything', async () => {
    const photo = await writePhoto(path.join(photos, 'a.png'), 1);
    await core.addInputs([photo], false);
    const notFolder = path.join(photos, 'file.txt');
    writeFileSync(notFolder, 'x');
    const cases: [string, string][] = [
      ['out', 'OUTPUT_NOT_ALLOWED'],
      ['./out', 'OUTPUT_NOT_ALLOWED'],
      [path.join(photos, 'missing'), 'OUTPUT_NOT_WRITABLE'],
      [notFolder, 'OUTPUT_NOT_WRITABLE'],
      ['/etc', 'OUTPUT_NOT_ALLOWED'],
      [os.tmpdir(), 'OUTPUT_NOT_ALLOWED'],
      [dataDir, 'OUTPUT_NOT_ALLOWED'],
      [path.join(dataDir, 'uploads'), 'OUTPUT_NOT_ALLOWED'],
    ];
    for (const [dir, code] of cases) {
      await expect(core.startJob([photo], folder(dir), true), dir).rejects.toMatchObject({ code });
      await expect(core.setSettings({ defaults: { output: { kind: 'folder', dir } } }), dir).rejects.toMatchObject({ code });
    }
    expect((await core.queue()).items).toEqual([]);
    expect(spawned).toEqual([]);
    expect((await core.getSettings()).defaults.output).toEqual({ kind: 'beside' });

    const out = path.join(photos, 'results');
    mkdirSync(out);
    expect((await core.setSettings({ defaults: { output: { kind: 'folder', dir: out } } })).defaults.output).toEqual({ kind: 'folder', dir: out });
    expect((await core.startJob([photo], folder(out), true)).itemIds).toHaveLength(1);
  });

  it('library:rerun checks the output folder too', async () => {
    const photo = await writePhoto(path.join(photos, 'a.png'), 1);
    await core.addInputs([photo], false);
    const failed = new Promise<void>((resolve) => core.on('progress', (p: JobProgress) => p.kind === 'item' && p.state === 'failed' && resolve()));
    await core.startJob([photo], DEFAULT_SETTINGS, true);
    await failed;
    const [entry] = (await core.libraryList(channels['library:list'][0].parse({}))).entries;
    await expect(core.libraryRerun(entry!.id, folder('/etc'))).rejects.toMatchObject({ code: 'OUTPUT_NOT_ALLOWED' });
    await expect(core.libraryRerun(entry!.id, folder('rel'))).rejects.toMatchObject({ code: 'OUTPUT_NOT_ALLOWED' });
    expect((await core.libraryRerun(entry!.id, DEFAULT_SETTINGS)).itemIds).toHaveLength(1);
  });
});

describe('F4: special files are refused without being opened', () => {
  it('inputs:add answers at once for FIFOs named like photos, even four at a time, and the thread pool keeps serving', async () => {
    const fifos = [0, 1, 2, 3].map((i) => path.join(photos, `fifo${i}.jpg`));
    fifos.forEach(mkfifo);
    const link = path.join(photos, 'link.jpg');
    symlinkSync(fifos[0]!, link);
    const r = await within(5000, Promise.all([...fifos, link].map((f) => core.addInputs([f], false))));
    expect(r).not.toBe('timeout');
    for (const one of r as Awaited<ReturnType<ReviveCore['addInputs']>>[]) {
      expect(one.added).toEqual([]);
      expect(one.rejected[0]!.reason).toMatch(/named pipe \(FIFO\)/);
    }
    // No pool thread is stuck: ordinary file reads still complete.
    expect(await within(5000, readFile(path.join(dataDir, DATABASE_FILE)).then(() => 'read'))).toBe('read');
    await expect(within(5000, core.startJob([fifos[0]!], DEFAULT_SETTINGS, true))).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
  });

  it('the image check names FIFOs, devices and folders from their metadata', async () => {
    const fifo = path.join(photos, 'pipe.png');
    mkfifo(fifo);
    expect(await within(5000, notAnImage(fifo))).toMatch(/named pipe/);
    expect(await within(5000, notAnImage('/dev/zero'))).toMatch(/device/);
    expect(await notAnImage(photos)).toMatch(/folder/);
  });
});

describe("F8: Revive's data folder is off the allow-list", () => {
  it('refuses revive.db and anything else in the data folder as an input, also through a symlink', async () => {
    const db = path.join(dataDir, DATABASE_FILE);
    const viaLink = path.join(photos, 'db.jpg');
    symlinkSync(db, viaLink);
    const r = await core.addInputs([db, viaLink, dataDir], true);
    expect(r.added).toEqual([]);
    expect(r.rejected.map((x) => x.reason)).toEqual(expect.arrayContaining([expect.stringMatching(/inside Revive's data folder/)]));
    expect(r.rejected.find((x) => x.path === db)?.reason).toMatch(/inside Revive's data folder/);
    // The same file by another name: asked alone, since one call takes each real file once.
    const linked = await core.addInputs([viaLink], false);
    expect(linked.added).toEqual([]);
    expect(linked.rejected[0]?.reason).toMatch(/inside Revive's data folder/);
    core.allowList.allowFile(db);
    expect(core.allowList.isAllowed(db)).toBe(false);
    // What the core itself keeps there for the page stays loadable.
    expect(core.allowList.isAllowed(path.join(dataDir, 'thumbnails', 'x.jpg'))).toBe(true);
    expect(core.allowList.isAllowed(path.join(dataDir, 'previews', 'x.png'))).toBe(true);
  });
});

describe('F14: upload folders', () => {
  it('a released upload folder is removed and leaves the allow-list; one still read by queued work is kept', async () => {
    const conn = path.join(core.uploadsDir, 'conn-1');
    const photo = await writePhoto(path.join(conn, 'up.png'), 1);
    await core.addInputs([photo], false);
    expect(core.allowList.isAllowed(photo)).toBe(true);
    await core.releaseUploads(conn);
    expect(existsSync(conn)).toBe(false);
    expect(core.allowList.isAllowed(photo)).toBe(false);
    await expect(core.releaseUploads(photos)).rejects.toMatchObject({ code: 'NOT_ALLOWED' });

    // An engine that takes the photo and never answers: the item stays running, its upload is still read.
    await core.close();
    core = await openReviveCore(dataDir, {
      spawner: (listeners) => ({ pid: 7100, send: () => undefined, kill: () => listeners.onExit({ code: null, signal: 'SIGKILL', outputTail: '' }), disconnect: () => listeners.onExit({ code: 0, signal: null, outputTail: '' }) }),
    });
    const busy = path.join(core.uploadsDir, 'conn-2');
    const queued = await writePhoto(path.join(busy, 'q.png'), 2);
    await core.addInputs([queued], false);
    await core.startJob([queued], DEFAULT_SETTINGS, true);
    await core.releaseUploads(busy);
    expect(existsSync(queued)).toBe(true);
  });

  it('stale upload folders of a server that was killed are swept when the core starts', async () => {
    await core.close();
    const stale = path.join(dataDir, 'uploads', 'dead-connection');
    mkdirSync(stale, { recursive: true });
    writeFileSync(path.join(stale, '.partial-123'), 'half');
    writeFileSync(path.join(stale, 'photo.jpg'), 'x');
    core = await openReviveCore(dataDir, { spawner: failingEngine(spawned) });
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(core.uploadsDir)).toBe(true);
  });
});
