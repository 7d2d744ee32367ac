import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeImage } from '../../../src-main/imaging/probe';
import { enqueue } from '../../../src-main/jobs/enqueue';
import { findTooLarge } from '../../../src-main/jobs/output-size';
import type { JobProgress } from '../../../src-main/jobs/progress';
import { JobRunner } from '../../../src-main/jobs/runner';
import { parseJobSettings } from '../../../src-main/settings/job-settings';
import { FakeEngine } from '../../support/fake-engine';
import { runnerStores, tempWorld, writePhoto, type TempWorld } from '../../support/job-fixtures';

/** A tiny real JPEG whose SOF0 header claims 60000×60000 (a decompression bomb by its header). */
async function writeBomb(file: string): Promise<string> {
  const jpeg = await sharp({ create: { width: 16, height: 12, channels: 3, background: { r: 90, g: 120, b: 30 } } }).jpeg().toBuffer();
  const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  jpeg.writeUInt16BE(60000, sof + 5);
  jpeg.writeUInt16BE(60000, sof + 7);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, jpeg);
  return file;
}

const MB = 1024 * 1024;

describe('the input pixel limit comes before the batch-wide size checks', () => {
  let w: TempWorld;
  let engine: FakeEngine;
  let events: JobProgress[];
  beforeEach(() => {
    w = tempWorld();
    engine = new FakeEngine();
    events = [];
  });
  afterEach(() => w.cleanup());

  function runner(free: (dir: string) => number): JobRunner {
    const r = new JobRunner({
      ...runnerStores(w, { thumbnails: false }),
      engine,
      lock: w.lock,
      resolveModelDir: () => '/p',
      // One file system per folder, so each folder has its own free space.
      space: { free: async (dir) => free(dir), device: async (dir) => (dir.endsWith('big') ? 2 : 1) },
    });
    r.onProgress((e) => events.push(e));
    return r;
  }

  it('does not refuse the batch for the output format of a photo over the limit', async () => {
    const bomb = await writeBomb(path.join(w.photos, 'bomb.jpg'));
    const good = await writePhoto(path.join(w.photos, 'p0.png'), 1);
    const settings = parseJobSettings({ model: 'm', scale: 4, format: 'same' });
    expect(await findTooLarge([bomb, good], settings, probeImage)).toEqual([]);
    // A limit raised above its header size makes it a real photo again, too large for JPEG at 4×.
    expect((await findTooLarge([bomb, good], { ...settings, maxMegapixels: 4000 }, probeImage)).map((t) => t.path)).toEqual([bomb]);
    const r = runner(() => 200 * MB);
    const q = await enqueue(r.queue, settings, [w.photos], { probe: probeImage });
    expect(q.tooLarge).toEqual([]);
    expect(q.job).not.toBeNull();
  });

  it('runs a PNG batch with a 60000×60000 header: the bomb fails alone and is not counted in the disk check', async () => {
    const bomb = await writeBomb(path.join(w.photos, 'bomb.jpg'));
    const good = [await writePhoto(path.join(w.photos, 'p0.png'), 1), await writePhoto(path.join(w.photos, 'p1.png'), 2)];
    const r = runner(() => 200 * MB);
    const job = r.queue.createJob(parseJobSettings({ model: 'm', scale: 4, format: 'png' }), [bomb, ...good]);
    const checks = await r.checkSpace([job.id]);
    expect(checks).toEqual([{ dir: w.photos, neededBytes: 2 * 8 * 8 * 16 * 3, freeBytes: 200 * MB, fits: true }]);
    const summary = await r.run({ jobIds: [job.id] });
    expect(summary).toMatchObject({ done: 2, failed: 1 });
    const failed = r.queue.items(job.id).find((i) => i.sourcePath === bomb)!;
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/bomb\.jpg: 60000×60000 .* exceeds the limit/);
  });

  it('pauses only the batch short of space, says how much, and runs the others', async () => {
    const big = path.join(w.root, 'big');
    mkdirSync(big);
    const src = [await writePhoto(path.join(w.photos, 'p0.png'), 1), await writePhoto(path.join(w.photos, 'p1.png'), 2)];
    const r = runner((dir) => (dir === big ? 50 * MB : 200 * MB));
    const short = r.queue.createJob(parseJobSettings({ model: 'm', scale: 4, format: 'png', outputDir: big }), [src[0]!]);
    const fine = r.queue.createJob(parseJobSettings({ model: 'm', scale: 4, format: 'png' }), [src[1]!]);
    const summary = await r.run();
    expect(summary.done).toBe(1);
    expect(r.queue.job(fine.id).state).toBe('finished');
    expect(r.queue.job(short.id)).toMatchObject({ state: 'active', paused: true });
    const warning = events.find((e) => e.kind === 'warning' && e.jobId === short.id);
    expect(warning && warning.kind === 'warning' ? warning.message : '').toMatch(new RegExp(`paused: not enough disk space in ${big}: .* is free`));
    // Paused, it no longer holds back later runs; resumed, it is checked again.
    r.resume(short.id);
    await expect(r.run()).rejects.toThrow(/not enough disk space/);
  });
});
