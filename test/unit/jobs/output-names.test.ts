import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashFile } from '../../../src-main/jobs/hash';
import { JobRunner } from '../../../src-main/jobs/runner';
import { parseJobSettings, settingsKey, type JobSettingsInput } from '../../../src-main/settings/job-settings';
import { FakeEngine } from '../../support/fake-engine';
import { runnerStores, tempWorld, writePhoto, type TempWorld } from '../../support/job-fixtures';

const base: JobSettingsInput = { model: 'fake-model', scale: 4, format: 'png' };

describe('output names across batches', () => {
  let w: TempWorld;
  let runner: JobRunner;
  beforeEach(() => {
    w = tempWorld();
    runner = new JobRunner({ ...runnerStores(w, { thumbnails: false }), engine: new FakeEngine(), lock: w.lock, resolveModelDir: () => '/p' });
  });
  afterEach(() => w.cleanup());

  const listing = (): string[] => readdirSync(w.photos).sort();

  it('a batch started again after a kill takes the names the killed one had planned (no "-1")', async () => {
    const src = [await writePhoto(path.join(w.photos, 'p0.png'), 1), await writePhoto(path.join(w.photos, 'p1.png'), 2)];
    const settings = parseJobSettings(base);
    const killed = runner.queue.createJob(settings, src);
    // The state a SIGKILL leaves: p0 running, p1 prepared ahead; both names planned, nothing written yet.
    const [a, b] = runner.queue.items(killed.id);
    for (const it of [a!, b!]) {
      const planned = path.join(w.photos, `${path.basename(it.sourcePath, '.png')}_revive.png`);
      runner.queue.update(it.id, { plannedOutput: planned, sourceHash: await hashFile(it.sourcePath), settingsKey: settingsKey(settings, 'png'), width: 8, height: 8 });
    }
    runner.queue.transition(a!.id, 'running', { startedAt: 1 });
    // The same `revive enhance` again (not resume): recovery first, then a new job on the same files.
    await runner.recover();
    const again = runner.queue.createJob(settings, src);
    expect(await runner.run({ jobIds: [again.id] })).toMatchObject({ done: 2 });
    expect(listing()).toEqual(['p0.png', 'p0_revive.png', 'p1.png', 'p1_revive.png']);
    // The superseded items gave their names up; resumed, they find the new results and skip.
    expect(runner.queue.items(killed.id).map((i) => i.plannedOutput)).toEqual([null, null]);
    expect(await runner.run({ jobIds: [killed.id] })).toMatchObject({ done: 0, skipped: 2 });
    expect(listing()).toEqual(['p0.png', 'p0_revive.png', 'p1.png', 'p1_revive.png']);
  });

  it('--overwrite --force never replaces a file Revive did not write: it gets the next free name', async () => {
    const [p0] = [await writePhoto(path.join(w.photos, 'p0.png'), 1)];
    const mine = path.join(w.photos, 'p0_revive.png');
    writeFileSync(mine, 'the user’s own file');
    runner.queue.createJob(parseJobSettings({ ...base, overwrite: true }), [p0!], { force: true });
    expect(await runner.run()).toMatchObject({ done: 1 });
    expect(readFileSync(mine, 'utf8')).toBe('the user’s own file');
    expect(listing()).toEqual(['p0.png', 'p0_revive-1.png', 'p0_revive.png']);
    // Revive's own result (recorded, unchanged) is what --overwrite replaces, even with other settings.
    runner.queue.createJob(parseJobSettings({ ...base, overwrite: true, model: 'other-model' }), [p0!], { force: true });
    expect(await runner.run()).toMatchObject({ done: 1 });
    expect(listing()).toEqual(['p0.png', 'p0_revive-1.png', 'p0_revive.png']);
    // Once the user has changed that result, it is theirs: numbered around.
    writeFileSync(path.join(w.photos, 'p0_revive-1.png'), 'edited by hand');
    runner.queue.createJob(parseJobSettings({ ...base, overwrite: true, model: 'third-model' }), [p0!], { force: true });
    expect(await runner.run()).toMatchObject({ done: 1 });
    expect(listing()).toEqual(['p0.png', 'p0_revive-1.png', 'p0_revive-2.png', 'p0_revive.png']);
    expect(readFileSync(path.join(w.photos, 'p0_revive-1.png'), 'utf8')).toBe('edited by hand');
  });
});
