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
async function writeBomb(file: string, width = 60000, height = 60000): Promise<string> {
  const jpeg = await sharp({ create: { width: 16, height: 12, channels: 3, background: { r: 90, g: 120, b: 30 } } }).jpeg().toBuffer();
  const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  jpeg.writeUInt16BE(height, sof + 5);
  jpeg.writeUInt16BE(width, sof + 7);
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

  function runner(free: (dir: string) => number, workingScale?: (model: string, scale: number) => number): JobRunner {
    const r = new JobRunner({
      ...(workingScale ? { workingScale } : {}),
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
    // A limit raised above its header size makes it a real photo again: a 20000×3000 one is too large for JPEG at 4×
    // (80 000 px wide) once the limit lets it through.
    const wide = await writeBomb(path.join(w.root, 'wide', 'wide.jpg'), 20000, 3000);
    expect(await findTooLarge([wide, good], { ...settings, maxMegapixels: 50 }, probeImage)).toEqual([]);
    expect((await findTooLarge([wide, good], { ...settings, maxMegapixels: 4000 }, probeImage)).map((t) => t.path)).toEqual([wide]);
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

  it('refuses alone, from its header, a photo whose result this computer cannot hold at the pack’s working scale (F16)', async () => {
    // 12000×10000 = 120 MP, inside the 200 MP input limit. An 8-bit RGB result holds at most 2³²/3 = 1431.7 MP here,
    // so a model that always works at 4× takes at most 89.5 MP, whatever scale is asked.
    const huge = await writeBomb(path.join(w.photos, 'huge.jpg'), 12000, 10000);
    const good = await writePhoto(path.join(w.photos, 'p0.png'), 1);
    const r = runner(() => 200 * MB, () => 4);
    const job = r.queue.createJob(parseJobSettings({ model: 'm', scale: 2, format: 'png' }), [huge, good]);
    const summary = await r.run({ jobIds: [job.id] });
    expect(summary).toMatchObject({ done: 1, failed: 1 });
    expect(engine.calls.map((c) => path.basename(c.input))).toEqual(['p0.png']);
    const failed = r.queue.items(job.id).find((i) => i.sourcePath === huge)!;
    expect(failed.error).toMatch(/huge\.jpg: 12000×10000 \(120\.0 MP\) is too large for this model on this computer: it always works at 4× .* up to 89\.5 MP/);
  });

  it('names the largest scale that works when the model makes the requested scale itself', async () => {
    const huge = await writeBomb(path.join(w.photos, 'huge.jpg'), 12000, 10000);
    const r = runner(() => 10_000 * MB);
    const job = r.queue.createJob(parseJobSettings({ model: 'm', scale: 4, format: 'png' }), [huge]);
    await r.run({ jobIds: [job.id] });
    const item = r.queue.items(job.id)[0]!;
    expect(engine.calls).toEqual([]);
    // 120 MP × 16 > 1431.7 MP; × 9 = 1080 MP fits.
    expect(item.error).toMatch(/up to 89\.5 MP can be enlarged 4×; choose 3× or less$/);
  });
});
