import { existsSync, readdirSync, writeFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobRunner } from '../../../src-main/jobs/runner';
import { parseJobSettings } from '../../../src-main/settings/job-settings';
import { FakeEngine } from '../../support/fake-engine';
import { runnerStores, tempWorld, writePhoto, type TempWorld } from '../../support/job-fixtures';

const settings = parseJobSettings({ model: 'fake-model', scale: 4, format: 'png' });

describe('crash recovery', () => {
  let w: TempWorld;
  let engine: FakeEngine;
  let runner: JobRunner;
  beforeEach(() => {
    w = tempWorld();
    engine = new FakeEngine();
    runner = new JobRunner({ ...runnerStores(w), engine, lock: w.lock, resolveModelDir: () => '/p' });
  });
  afterEach(() => w.cleanup());

  /** Puts an item in the state a kill would leave it in: running, hash and planned output recorded. */
  async function interrupted(jobId: number, index: number): Promise<{ id: number; planned: string }> {
    const item = runner.queue.items(jobId)[index]!;
    const planned = path.join(w.photos, `${path.basename(item.sourcePath, '.png')}_revive.png`);
    const { hashFile } = await import('../../../src-main/jobs/hash');
    const { settingsKey } = await import('../../../src-main/settings/job-settings');
    runner.queue.update(item.id, { plannedOutput: planned, sourceHash: await hashFile(item.sourcePath), settingsKey: settingsKey(settings, 'png'), width: 8, height: 8 });
    runner.queue.transition(item.id, 'running', { startedAt: 1 });
    return { id: item.id, planned };
  }

  it('adopts a complete output, replaces a broken one, requeues the rest, removes temps; the rerun makes no duplicates', async () => {
    const src: string[] = [];
    for (let i = 0; i < 4; i++) src.push(await writePhoto(path.join(w.photos, `p${i}.png`), i + 1));
    const job = runner.queue.createJob(settings, src);
    // p0: killed after the rename, before "done" was recorded → complete output on disk.
    const a = await interrupted(job.id, 0);
    copyFileSync(src[0]!, a.planned);
    // p1: output present but truncated (the disk lied) → deleted and redone.
    const b = await interrupted(job.id, 1);
    writeFileSync(b.planned, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0]));
    // p2: killed mid-write → only the engine's temp file.
    const c = await interrupted(job.id, 2);
    const temp = path.join(w.photos, `.revive-tmp-0f3a-${path.basename(c.planned)}`);
    writeFileSync(temp, 'partial');
    // …and ExifTool's own temp file, left when the kill came while it wrote the metadata.
    const exifTemp = `${temp}_exiftool_tmp`;
    writeFileSync(exifTemp, 'partial');
    // …and the output's ICC profile staged beside it for sharp (issue 12, F15).
    const iccTemp = `${temp}.icc`;
    writeFileSync(iccTemp, 'profile');
    // Someone else's temp-looking file for another name is not ours to remove.
    const foreign = path.join(w.photos, '.revive-tmp-zz-unrelated.png');
    writeFileSync(foreign, 'x');

    const report = await runner.recover();
    expect(report).toMatchObject({ adopted: [a.id], replaced: [b.id], requeued: [b.id, c.id], cancelled: [] });
    expect(report.tempsRemoved.sort()).toEqual([temp, exifTemp, iccTemp].sort());
    expect(existsSync(foreign)).toBe(true);
    expect(runner.queue.item(a.id)).toMatchObject({ state: 'done', adopted: true, outputPath: a.planned });
    const adopted = runner.library.forItem(a.id)!;
    expect(adopted).toMatchObject({ status: 'done', outputPath: a.planned, ms: null, outputWidth: 8, outputHeight: 8 });

    await runner.run();
    await runner.idle();
    expect(runner.queue.items(job.id).map((i) => i.state)).toEqual(['done', 'done', 'done', 'done']);
    // p0 was not run again; the others were, into their planned names.
    expect(engine.calls.map((x) => path.basename(x.input))).toEqual(['p1.png', 'p2.png', 'p3.png']);
    const names = readdirSync(w.photos).filter((n) => !n.startsWith('.revive-tmp-zz')).sort();
    expect(names).toEqual(['p0.png', 'p0_revive.png', 'p1.png', 'p1_revive.png', 'p2.png', 'p2_revive.png', 'p3.png', 'p3_revive.png']);
    expect(runner.library.count()).toBe(4);
  });

  it('an interrupted item of a cancelled job ends cancelled, not queued', async () => {
    const src = [await writePhoto(path.join(w.photos, 'x.png'), 9)];
    const job = runner.queue.createJob(settings, src);
    const x = await interrupted(job.id, 0);
    runner.queue.cancelJob(job.id);
    const report = await runner.recover();
    expect(report.cancelled).toEqual([x.id]);
    expect(runner.queue.item(x.id).state).toBe('cancelled');
  });

  it('refuses to recover or run without holding the queue lock', async () => {
    w.lock.release();
    await expect(runner.recover()).rejects.toThrow(/does not hold the queue lock/);
    await expect(runner.run()).rejects.toThrow(/does not hold the queue lock/);
  });
});
