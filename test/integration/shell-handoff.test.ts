/**
 * The shell hand-off through the real core: second launches (as Explorer's one-process-per-file verb produces
 * them) are parsed, handed off, and queued by jobs/enqueue into the SQLite queue — each file once.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createShellHandoff } from '../../src-main/app/handoff';
import { commandLineOfSecondInstance, launchDataOf } from '../../src-main/app/launch-data';
import { enqueue, QueueStore, type EnqueueResult } from '../../src-main/jobs';
import type { JobSettingsInput } from '../../src-main/settings/job-settings';
import { openStore, type Store } from '../../src-main/store';

const defaults: JobSettingsInput = { model: 'realesrgan-x4fast', scale: 4, format: 'same' };

let dir: string;
let store: Store;
let queue: QueueStore;

beforeEach(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'revive-shell-')));
  store = openStore(path.join(dir, 'data'));
  queue = new QueueStore(store.db);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function queuedSources(): string[] {
  return queue.jobs().flatMap((j) => queue.items(j.id).map((i) => i.sourcePath));
}

describe('shell hand-off into the job queue', () => {
  it('queues each file once when Explorer sends one launch per file and repeats one', async () => {
    const photos = path.join(dir, 'My Scans');
    mkdirSync(photos);
    const names = ['grandma 1952.jpg', 'wedding.png', 'harbour.tif'];
    for (const n of names) writeFileSync(path.join(photos, n), 'not decoded here');

    const handoff = createShellHandoff<JobSettingsInput, EnqueueResult>({
      addInputs: (paths, settings) => enqueue(queue, settings, paths),
    });
    const self = { defaultApp: false, platform: 'linux' as const };
    // Each launch: its own argv and cwd (forwarded as additionalData), Chromium's rebuilt argv beside it.
    const launches = [...names, names[0]!, names[1]!].map((n) => ({
      argv: ['/opt/Revive/revive', '--enhance', '--original-process-start-time=1', n],
      workingDirectory: photos,
      additionalData: launchDataOf(['/opt/Revive/revive', '--enhance', n], photos, false),
    }));
    const results = [];
    for (const launch of launches) {
      const cmd = commandLineOfSecondInstance(launch, self);
      results.push(await handoff.enqueueFromShell(cmd.enhance, defaults));
    }

    const expected = names.map((n) => path.join(photos, n));
    expect(queuedSources().sort()).toEqual([...expected].sort());
    expect(results.slice(3).map((r) => r.duplicates)).toEqual([[expected[0]], [expected[1]]]);
    // Every job carries the defaults as its settings snapshot.
    for (const job of queue.jobs()) expect(job.settings).toMatchObject(defaults);
  });

  it('hands a folder to the core, which expands it to its images', async () => {
    const album = path.join(dir, 'album');
    mkdirSync(album);
    writeFileSync(path.join(album, 'a.jpg'), 'x');
    writeFileSync(path.join(album, 'notes.txt'), 'x');
    const handoff = createShellHandoff<JobSettingsInput, EnqueueResult>({
      addInputs: (paths, settings) => enqueue(queue, settings, paths),
    });
    const r = await handoff.enqueueFromShell([album, album], defaults);
    expect(r.queued).toEqual([album]);
    expect(queuedSources()).toEqual([path.join(album, 'a.jpg')]);
  });
});
