/**
 * recoverInterrupted on its own, over a real queue and library (SQLite) with stand-ins for decoding, metadata,
 * probing, the clock and the thumbnail cache: what an adopted output's library row records, which temp files go,
 * and what a found output that does not decode becomes.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recoverInterrupted, removeTempsFor, type RecoveryDeps } from '../../../src-main/jobs/recovery';
import type { ThumbnailCache } from '../../../src-main/library/thumbnails';
import { parseJobSettings } from '../../../src-main/settings/job-settings';
import { runnerStores, tempWorld, type TempWorld } from '../../support/job-fixtures';

const settings = parseJobSettings({ model: 'fake-model', scale: 2, format: 'png' });
const NOW = 1_700_000_000_000;

/** A thumbnail cache stand-in that records what it was asked (recovery needs only these two methods). */
function fakeThumbnails(errors: string[] = []): ThumbnailCache & { ensured: [number, string, string | null][]; tempsCleared: number } {
  const fake = {
    ensured: [] as [number, string, string | null][],
    tempsCleared: 0,
    async removeTemps() {
      fake.tempsCleared += 1;
      return 0;
    },
    async ensure(entryId: number, source: string, output: string | null) {
      fake.ensured.push([entryId, source, output]);
      return { before: `/thumbs/${entryId}-before.webp`, after: `/thumbs/${entryId}-after.webp`, errors };
    },
  };
  return fake as unknown as ThumbnailCache & typeof fake;
}

describe('recoverInterrupted', () => {
  let w: TempWorld;
  let stores: ReturnType<typeof runnerStores>;
  beforeEach(() => {
    w = tempWorld();
    mkdirSync(w.photos, { recursive: true });
    stores = runnerStores(w, { thumbnails: false });
  });
  afterEach(() => w.cleanup());

  const deps = (over: Partial<RecoveryDeps> = {}): RecoveryDeps => ({
    ...stores,
    verifyOutput: async () => ({ width: 16, height: 12 }),
    readFacts: async () => ({ facts: { dateTaken: '2001-02-03 04:05:06', camera: 'Kodak DC50', hasGps: true }, warning: null }),
    probe: async () => ({ width: 8, height: 6 }) as Awaited<ReturnType<RecoveryDeps['probe']>>,
    now: () => NOW,
    ...over,
  });

  /** One job of `n` photos whose first item was killed after its output's rename. */
  function killedAfterRename(n = 1, known: { width?: number; height?: number; hash?: string; key?: string } = {}): { itemId: number; output: string; source: string } {
    const sources = Array.from({ length: n }, (_, i) => path.join(w.photos, `p${i}.png`));
    for (const s of sources) writeFileSync(s, 'source bytes');
    const job = stores.queue.createJob(settings, sources);
    const item = stores.queue.items(job.id)[0]!;
    const output = path.join(w.photos, 'p0_revive.png');
    stores.queue.update(item.id, {
      plannedOutput: output,
      sourceHash: known.hash ?? 'abc123',
      settingsKey: known.key ?? 'key-1',
      ...(known.width !== undefined ? { width: known.width } : {}),
      ...(known.height !== undefined ? { height: known.height } : {}),
    });
    stores.queue.transition(item.id, 'running', { startedAt: 42 });
    writeFileSync(output, 'a complete output of 29 bytes');
    return { itemId: item.id, output, source: sources[0]! };
  }

  it('records an adopted output in the library with everything known about it', async () => {
    const k = killedAfterRename(1, { width: 8, height: 6 });
    const report = await recoverInterrupted(deps({ probe: async () => Promise.reject(new Error('must not be needed')) }));
    expect(report).toEqual({ requeued: [], adopted: [k.itemId], replaced: [], cancelled: [], tempsRemoved: [], warnings: [] });
    const entry = stores.library.forItem(k.itemId)!;
    expect(entry).toMatchObject({
      itemId: k.itemId,
      sourcePath: k.source,
      sourceHash: 'abc123',
      sourceSize: null,
      sourceWidth: 8,
      sourceHeight: 6,
      outputPath: k.output,
      outputSize: 29,
      outputWidth: 16,
      outputHeight: 12,
      model: 'fake-model',
      settingsKey: 'key-1',
      status: 'done',
      error: null,
      ms: null,
      startedAt: 42,
      finishedAt: NOW,
      device: null,
      dateTaken: '2001-02-03 04:05:06',
      camera: 'Kodak DC50',
      hasGps: true,
    });
    expect(entry.settings).toEqual(settings);
    expect(stores.queue.item(k.itemId)).toMatchObject({ state: 'done', adopted: true, outputPath: k.output, finishedAt: NOW });
    // The job had one photo: it is finished.
    expect(stores.queue.job(stores.queue.item(k.itemId).jobId).state).toBe('finished');
  });

  it('does not probe a source whose size the item knows', async () => {
    killedAfterRename(1, { width: 8, height: 6 });
    let probed = 0;
    await recoverInterrupted(deps({ probe: async () => ((probed += 1), { width: 1, height: 1 }) as Awaited<ReturnType<RecoveryDeps['probe']>> }));
    expect(probed).toBe(0);
  });

  it('keeps the one library row an item already has (the kill came after the commit)', async () => {
    const k = killedAfterRename(1, { width: 8, height: 6 });
    const item = stores.queue.item(k.itemId);
    stores.library.insert({
      itemId: k.itemId, jobId: item.jobId, sourcePath: k.source, sourceHash: 'abc123', sourceSize: null, sourceWidth: 8, sourceHeight: 6,
      outputPath: k.output, outputSize: 29, outputWidth: 16, outputHeight: 12, model: 'fake-model', settings, settingsKey: 'key-1',
      status: 'done', error: null, ms: 1234, startedAt: 42, finishedAt: 99, device: 'cpu', dateTaken: null, camera: null, hasGps: false,
    });
    await recoverInterrupted(deps());
    expect(stores.library.count()).toBe(1);
    expect(stores.library.forItem(k.itemId)).toMatchObject({ ms: 1234, device: 'cpu' }); // the row written before the kill
    expect(stores.queue.item(k.itemId).state).toBe('done');
  });

  it('records when an interrupted item of a cancelled job was cancelled', async () => {
    const sources = [path.join(w.photos, 'c.png')];
    writeFileSync(sources[0]!, 'x');
    const job = stores.queue.createJob(settings, sources);
    const item = stores.queue.items(job.id)[0]!;
    stores.queue.transition(item.id, 'running', { startedAt: 5 });
    stores.queue.cancelJob(job.id);
    const report = await recoverInterrupted(deps());
    expect(report.cancelled).toEqual([item.id]);
    expect(stores.queue.item(item.id)).toMatchObject({ state: 'cancelled', finishedAt: NOW });
  });

  it('probes the source for a size the item does not know, and records none when the probe fails', async () => {
    const k = killedAfterRename(1, { width: 8 });
    await recoverInterrupted(deps());
    expect(stores.library.forItem(k.itemId)).toMatchObject({ sourceWidth: 8, sourceHeight: 6 });
  });

  it('records no source size when neither the item nor the probe knows it', async () => {
    const k = killedAfterRename(1);
    await recoverInterrupted(deps({ probe: async () => Promise.reject(new Error('unreadable')) }));
    expect(stores.library.forItem(k.itemId)).toMatchObject({ sourceWidth: null, sourceHeight: null });
  });

  it('makes the adopted entry\'s thumbnails and passes their problems on as warnings', async () => {
    const k = killedAfterRename(1, { width: 8, height: 6 });
    const thumbs = fakeThumbnails(['before: cannot decode']);
    const report = await recoverInterrupted(deps({ thumbnails: thumbs }));
    const entry = stores.library.forItem(k.itemId)!;
    expect(thumbs.tempsCleared).toBe(1);
    expect(thumbs.ensured).toEqual([[entry.id, k.source, k.output]]);
    expect(report.warnings).toEqual(['thumbnail: before: cannot decode']);
    expect([entry.thumbBefore, entry.thumbAfter]).toEqual([`/thumbs/${entry.id}-before.webp`, `/thumbs/${entry.id}-after.webp`]);
  });

  it('deletes a found output that does not decode and queues the item again, its job unfinished', async () => {
    const k = killedAfterRename(2);
    const report = await recoverInterrupted(deps({ verifyOutput: async () => Promise.reject(new Error('truncated')) }));
    expect(report).toMatchObject({ adopted: [], replaced: [k.itemId], requeued: [k.itemId] });
    expect(existsSync(k.output)).toBe(false);
    expect(stores.queue.item(k.itemId)).toMatchObject({ state: 'queued', startedAt: null });
    expect(stores.library.forItem(k.itemId)).toBeNull();
    expect(stores.queue.job(stores.queue.item(k.itemId).jobId).state).not.toBe('finished');
  });

  it('removes temp files beside the planned outputs of queued items too, and only those', async () => {
    const sources = [path.join(w.photos, 'q.png')];
    writeFileSync(sources[0]!, 'x');
    const job = stores.queue.createJob(settings, sources);
    const item = stores.queue.items(job.id)[0]!;
    const planned = path.join(w.photos, 'q_revive.png');
    stores.queue.update(item.id, { plannedOutput: planned });
    const temps = ['', '_exiftool_tmp', '.icc', '.thumb.jpg'].map((s) => path.join(w.photos, `.revive-tmp-t1-q_revive.png${s}`));
    for (const t of temps) writeFileSync(t, 'partial');
    const keep = [path.join(w.photos, '.revive-tmp-t1-other_revive.png'), path.join(w.photos, 'x-q_revive.png'), path.join(w.photos, '.revive-tmp-t1-q_revive.png.bak')];
    for (const t of keep) writeFileSync(t, 'not ours');
    const report = await recoverInterrupted(deps());
    expect(report.tempsRemoved.sort()).toEqual([...temps].sort());
    for (const t of temps) expect(existsSync(t)).toBe(false);
    for (const t of keep) expect(existsSync(t)).toBe(true);
    expect(stores.queue.item(item.id).state).toBe('queued');
  });

  it('finds no temp files for an output whose folder is gone, and reports other folder errors', async () => {
    await expect(removeTempsFor(path.join(w.root, 'no-such-folder', 'a_revive.png'))).resolves.toEqual([]);
    const file = path.join(w.root, 'a-file');
    writeFileSync(file, 'x');
    await expect(removeTempsFor(path.join(file, 'a_revive.png'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});
