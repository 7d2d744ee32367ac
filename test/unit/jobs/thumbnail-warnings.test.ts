/**
 * Issue 13 point 9: a photo that fails because it cannot be read printed its reason twice — once as the failure, once
 * more as a "thumbnail: … cannot make a thumbnail" warning. A failed photo gets no thumbnail warning; a done photo
 * whose preview cannot be made still gets one.
 */
import { rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobRunner } from '../../../src-main/jobs/runner';
import type { JobProgress } from '../../../src-main/jobs/progress';
import { parseJobSettings } from '../../../src-main/settings/job-settings';
import { FakeEngine } from '../../support/fake-engine';
import { runnerStores, tempWorld, writePhoto, type TempWorld } from '../../support/job-fixtures';

describe('thumbnail warnings', () => {
  let w: TempWorld;
  let engine: FakeEngine;
  let runner: JobRunner;
  let events: JobProgress[];

  beforeEach(() => {
    w = tempWorld();
    engine = new FakeEngine();
    runner = new JobRunner({ ...runnerStores(w), engine, lock: w.lock, resolveModelDir: (id) => `/packs/${id}` });
    events = [];
    runner.onProgress((e) => events.push(e));
  });
  afterEach(() => w.cleanup());

  const warnings = (): string[] => events.flatMap((e) => (e.kind === 'warning' ? [e.message] : []));

  it('says nothing more about a photo that failed (its failure already gives the reason)', async () => {
    const broken = await writePhoto(path.join(w.photos, 'broken.png'), 1, 64, 64);
    // The header stays readable (so it is queued and prepared); the pixel data is cut, so no thumbnail can be made.
    truncateSync(broken, Math.floor(statSync(broken).size / 2));
    engine.failures.set(broken, `${broken}: cannot decode the PNG data — premature end`);
    runner.queue.createJob(parseJobSettings({ model: 'fake-model', scale: 2, format: 'png' }), [broken]);
    await runner.run();
    await runner.idle();
    const item = events.find((e) => e.kind === 'item' && e.state === 'failed');
    expect(item).toBeDefined();
    expect(warnings()).toEqual([]);
  });

  it('still warns when the preview of a finished photo cannot be made', async () => {
    const good = await writePhoto(path.join(w.photos, 'good.png'), 2);
    runner.queue.createJob(parseJobSettings({ model: 'fake-model', scale: 2, format: 'png' }), [good]);
    // The thumbnail folder cannot be created: a file stands where it would go.
    rmSync(runnerStores(w).thumbnails!.dir, { recursive: true, force: true });
    writeFileSync(runnerStores(w).thumbnails!.dir, 'not a folder');
    await runner.run();
    await runner.idle();
    expect(events.some((e) => e.kind === 'item' && e.state === 'done')).toBe(true);
    expect(warnings().filter((m) => m.startsWith('thumbnail: '))).toHaveLength(1);
  });
});
