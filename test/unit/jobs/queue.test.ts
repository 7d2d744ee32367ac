import { existsSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobRunner } from '../../../src-main/jobs/runner';
import { enqueue } from '../../../src-main/jobs/enqueue';
import { InsufficientSpaceError } from '../../../src-main/jobs/disk-space';
import { parseJobSettings, type JobSettingsInput } from '../../../src-main/settings/job-settings';
import type { JobProgress } from '../../../src-main/jobs/progress';
import { FakeEngine } from '../../support/fake-engine';
import { runnerStores, tempWorld, writePhoto, type TempWorld } from '../../support/job-fixtures';

const base: JobSettingsInput = { model: 'fake-model', scale: 4, format: 'png' };

/** Every file under a folder, relative, sorted. */
function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

describe('JobRunner with a fake engine', () => {
  let w: TempWorld;
  let engine: FakeEngine;
  let runner: JobRunner;
  let events: JobProgress[];

  beforeEach(() => {
    w = tempWorld();
    engine = new FakeEngine();
    runner = new JobRunner({
      ...runnerStores(w, { thumbnails: false }),
      engine,
      lock: w.lock,
      resolveModelDir: (id) => `/packs/${id}`,
    });
    events = [];
    runner.onProgress((e) => events.push(e));
  });
  afterEach(() => w.cleanup());

  async function photos(n: number, dir = w.photos): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await writePhoto(path.join(dir, `p${i}.png`), i + 1));
    return out;
  }

  function job(sources: string[], s: JobSettingsInput = base, force = false) {
    return runner.queue.createJob(parseJobSettings(s), sources, { force });
  }

  it('hands the engine every setting of the job snapshot, strength as the same 0–1 fraction', async () => {
    const src = await photos(1);
    job(src, { ...base, quality: 80, tile: 64, threads: 2, provider: 'cpu', promptMode: 'custom', prompt: 'old photo', colorFix: 'wavelet', strength: 0.375, metadata: 'no-gps', keepFileTimes: true });
    await runner.run();
    expect(engine.calls).toEqual([
      expect.objectContaining({
        input: src[0],
        modelDir: '/packs/fake-model',
        scale: 4,
        format: 'png',
        quality: 80,
        tile: 64,
        threads: 2,
        provider: 'cpu',
        promptMode: 'custom',
        prompt: 'old photo',
        colorFix: 'wavelet',
        strength: 0.375,
        metadata: 'no-gps',
        keepFileTimes: true,
      }),
    ]);
  });

  it('reports a stable code with each failure', async () => {
    const src = await photos(1);
    writeFileSync(path.join(w.photos, 'page.png'), '<!DOCTYPE html><html></html>');
    job([...src, path.join(w.photos, 'page.png')], { ...base, suffix: '', overwrite: true });
    await runner.run();
    const failed = events.filter((e) => e.kind === 'item' && e.state === 'failed');
    expect(failed.map((e) => (e.kind === 'item' ? [path.basename(e.sourcePath), e.code] : null))).toEqual([
      ['p0.png', 'OUTPUT_IS_INPUT'],
      ['page.png', 'NOT_AN_IMAGE'],
    ]);
  });

  it('runs a batch: every item done, one output and one library row each, progress ends at 100 %', async () => {
    const src = await photos(3);
    const j = job(src);
    const summary = await runner.run();
    expect(summary).toMatchObject({ done: 3, failed: 0, cancelled: 0, skipped: 0 });
    expect(runner.queue.items(j.id).map((i) => i.state)).toEqual(['done', 'done', 'done']);
    expect(files(w.photos)).toEqual(['p0.png', 'p0_revive.png', 'p1.png', 'p1_revive.png', 'p2.png', 'p2_revive.png']);
    expect(runner.library.count()).toBe(3);
    expect(runner.queue.job(j.id).state).toBe('finished');
    const batches = events.filter((e) => e.kind === 'batch');
    expect(batches.at(-1)).toMatchObject({ fraction: 1, etaMs: 0, counts: { done: 3, total: 3 } });
    // Fractions never go backwards.
    const fr = batches.map((b) => (b.kind === 'batch' ? b.fraction : 0));
    expect(fr).toEqual([...fr].sort((a, b) => a - b));
    expect(events.some((e) => e.kind === 'tile' && e.stage === 'upscale')).toBe(true);
    // Each running report says where its stage ends, so the interface can move the bar until the next one.
    const running = events.filter((e) => e.kind === 'item' && e.state === 'running' && e.stageEnd !== undefined);
    for (const e of running) if (e.kind === 'item') expect(e.stageEnd).toBeGreaterThanOrEqual(e.fraction);
    expect(running.some((e) => e.kind === 'item' && e.fraction < 0.9 && e.stageEnd === 0.9)).toBe(true);
    // The engine got what the snapshot asked for.
    expect(engine.calls[0]).toMatchObject({ input: src[0], output: path.join(w.photos, 'p0_revive.png'), modelDir: '/packs/fake-model', scale: 4, format: 'png' });
  });

  it('cancel stops the running image now, cancels the queued ones, and leaves no output or temp file', async () => {
    const src = await photos(3);
    const j = job(src);
    engine.hold();
    const run = runner.run();
    await engine.nextStarted();
    runner.cancel(j.id);
    const summary = await run;
    expect(summary.cancelled).toBe(1);
    expect(runner.queue.items(j.id).map((i) => i.state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(runner.queue.job(j.id).state).toBe('cancelled');
    expect(files(w.photos)).toEqual(['p0.png', 'p1.png', 'p2.png']);
    expect(runner.library.count()).toBe(0);
    expect(engine.calls).toHaveLength(1);
  });

  it('cancelling the waiting items lets the running image finish, then the job finishes', async () => {
    const src = await photos(3);
    const j = job(src);
    engine.hold();
    const run = runner.run();
    await engine.nextStarted();
    runner.cancel(j.id, true);
    expect(runner.queue.items(j.id).map((i) => i.state)).toEqual(['running', 'cancelled', 'cancelled']);
    engine.releaseAll();
    const summary = await run;
    expect(summary).toMatchObject({ done: 1, cancelled: 0 });
    expect(runner.queue.job(j.id).state).toBe('finished');
    expect(files(w.photos)).toEqual(['p0.png', 'p0_revive.png', 'p1.png', 'p2.png']);
    expect(engine.calls).toHaveLength(1);
  });

  it('pause lets the running image finish and starts nothing new; resume continues', async () => {
    const src = await photos(3);
    const j = job(src);
    engine.hold();
    const run = runner.run();
    await engine.nextStarted();
    runner.pause(j.id);
    engine.releaseAll();
    const first = await run;
    expect(first.done).toBe(1);
    expect(runner.queue.items(j.id).map((i) => i.state)).toEqual(['done', 'queued', 'queued']);
    expect(runner.queue.job(j.id)).toMatchObject({ paused: true, state: 'active' });
    runner.resume(j.id);
    const second = await runner.run();
    expect(second.done).toBe(2);
    expect(runner.queue.items(j.id).map((i) => i.state)).toEqual(['done', 'done', 'done']);
  });

  it('"pause now" abandons the running image and requeues it; it later runs into the same output name', async () => {
    const src = await photos(2);
    const j = job(src);
    engine.hold();
    const run = runner.run();
    await engine.nextStarted();
    runner.pause(j.id, { now: true });
    const summary = await run;
    expect(summary).toMatchObject({ requeued: 1, done: 0 });
    const first = runner.queue.items(j.id)[0]!;
    expect(first).toMatchObject({ state: 'queued', attempts: 1, plannedOutput: path.join(w.photos, 'p0_revive.png') });
    expect(files(w.photos)).toEqual(['p0.png', 'p1.png']);
    engine.releaseAll();
    runner.resume(j.id);
    await runner.run();
    expect(runner.queue.items(j.id)[0]).toMatchObject({ state: 'done', attempts: 2 });
    expect(files(w.photos)).toEqual(['p0.png', 'p0_revive.png', 'p1.png', 'p1_revive.png']);
  });

  it('reorders and removes queued items; refuses to reorder or remove what is not queued', async () => {
    const src = await photos(4);
    const j = job(src);
    const ids = runner.queue.items(j.id).map((i) => i.id);
    runner.move(ids[3]!, 0); // p3 first
    runner.move(ids[0]!, 2); // p0 after p2: p3, p1, p0, p2
    runner.remove(ids[2]!); // drop p2
    expect(runner.queue.items(j.id).map((i) => path.basename(i.sourcePath))).toEqual(['p3.png', 'p1.png', 'p0.png']);
    expect(() => runner.move(ids[0]!, 5)).toThrow(/position 5 is outside the job's 3 queued items/);
    engine.hold();
    const run = runner.run();
    await engine.nextStarted();
    expect(() => runner.remove(ids[3]!)).toThrow(/running; cancel it before removing/);
    expect(() => runner.move(ids[3]!, 1)).toThrow(/is running; only queued items can be reordered/);
    engine.releaseAll();
    await run;
    expect(engine.calls.map((c) => path.basename(c.input))).toEqual(['p3.png', 'p1.png', 'p0.png']);
    expect(existsSync(path.join(w.photos, 'p2_revive.png'))).toBe(false);
    expect(existsSync(src[2]!)).toBe(true); // removing an item never touches the file
  });

  it('skips a photo whose content and settings match an existing result, unless forced or the output is gone', async () => {
    const src = await photos(2);
    await runner.run((job(src), {}));
    expect(engine.calls).toHaveLength(2);

    // Same content under another name in the same folder, same settings: skipped (content hash, not name).
    const copy = path.join(w.photos, 'copy.png');
    await writePhoto(copy, 1);
    const again = job([src[0]!, src[1]!, copy]);
    const s2 = await runner.run();
    expect(s2).toMatchObject({ skipped: 3, done: 0 });
    expect(engine.calls).toHaveLength(2);
    const items = runner.queue.items(again.id);
    expect(items.every((i) => i.state === 'done' && i.skipped)).toBe(true);
    expect(items[2]!.outputPath).toBe(path.join(w.photos, 'p0_revive.png'));
    expect(runner.library.count()).toBe(2); // a skip is not a new result

    // Other settings: not a match.
    job([src[0]!], { ...base, format: 'webp' });
    expect((await runner.run()).done).toBe(1);
    // Forced with the same settings: runs, and replaces Revive's own file instead of making "-1".
    job([src[1]!], base, true);
    expect((await runner.run()).done).toBe(1);
    expect(files(w.photos).filter((f) => f.includes('-1'))).toEqual([]);
    // Output deleted by the user: not skipped any more.
    const { rmSync } = await import('node:fs');
    rmSync(path.join(w.photos, 'p0_revive.png'));
    job([src[0]!]);
    expect((await runner.run()).done).toBe(1);
    expect(existsSync(path.join(w.photos, 'p0_revive.png'))).toBe(true);
  });

  it('numbers the output only around files Revive did not write', async () => {
    const [p0] = await photos(1);
    writeFileSync(path.join(w.photos, 'p0_revive.png'), 'not ours');
    job([p0!]);
    await runner.run();
    expect(files(w.photos)).toEqual(['p0.png', 'p0_revive-1.png', 'p0_revive.png']);
  });

  it('fails an unusable source and an engine error with their reasons, records them, and goes on', async () => {
    const src = await photos(2);
    const bad = path.join(w.photos, 'bad.png');
    writeFileSync(bad, '<!doctype html><html></html>');
    engine.failures.set(src[1]!, 'engine process exited with signal SIGKILL');
    const j = job([src[0]!, bad, src[1]!]);
    const summary = await runner.run();
    expect(summary).toMatchObject({ done: 1, failed: 2 });
    const items = runner.queue.items(j.id);
    expect(items.map((i) => i.state)).toEqual(['done', 'failed', 'failed']);
    expect(items[1]!.error).toMatch(/not an image — it is an HTML page/);
    expect(items[2]!.error).toBe('engine process exited with signal SIGKILL');
    const failed = runner.library.search({ failedOnly: true });
    expect(failed.map((e) => e.sourceName).sort()).toEqual(['bad.png', 'p1.png']);
  });

  it('refuses to start a batch that will not fit on the disk, saying where and how much', async () => {
    const src = await photos(2);
    job(src);
    const small = new JobRunner({
      ...runnerStores(w, { thumbnails: false }),
      engine,
      lock: w.lock,
      resolveModelDir: () => '/p',
      space: { free: async () => 50 * 1024 * 1024, device: async () => 1 },
    });
    const err = await small.run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsufficientSpaceError);
    expect((err as Error).message).toContain(`not enough disk space in ${w.photos}`);
    expect(engine.calls).toHaveLength(0);
    // Within the budget it runs: 2 images of 8×8 at 4× as PNG ≈ 2 × 1024 px × 3 B.
    const roomy = new JobRunner({
      ...runnerStores(w, { thumbnails: false }),
      engine,
      lock: w.lock,
      resolveModelDir: () => '/p',
      space: { free: async () => 200 * 1024 * 1024, device: async () => 1 },
    });
    const checks = await roomy.checkSpace();
    expect(checks).toEqual([{ dir: w.photos, neededBytes: 2 * 8 * 8 * 16 * 3, freeBytes: 200 * 1024 * 1024, fits: true }]);
    expect((await roomy.run()).done).toBe(2);
  });

  it('reports ETA from measured throughput once the first image is done', async () => {
    const src = await photos(4);
    let t = 0;
    const now = (): number => (t += 100); // every clock read advances 100 ms: a steady, known speed
    const timed = new JobRunner({
      ...runnerStores(w, { thumbnails: false, now }),
      engine,
      lock: w.lock,
      resolveModelDir: () => '/p',
      now,
    });
    const seen: JobProgress[] = [];
    timed.onProgress((e) => seen.push(e));
    timed.queue.createJob(parseJobSettings(base), src);
    await timed.run();
    const batches = seen.filter((e): e is Extract<JobProgress, { kind: 'batch' }> => e.kind === 'batch');
    const firstDone = batches.findIndex((b) => b.counts.done === 1);
    expect(batches.slice(0, firstDone).every((b) => b.etaMs === null)).toBe(true);
    expect(batches.slice(firstDone).every((b) => b.etaMs !== null && b.etaMs >= 0)).toBe(true);
    expect(batches[firstDone]!.megapixelsPerSecond).toBeGreaterThan(0);
    // The measured rate is stored as the prior for the next batch of this model on this device.
    expect(timed.queue.throughput('fake-model', 4, 'fake')).toBeGreaterThan(0);
  });
});

describe('adding photos', () => {
  let w: TempWorld;
  beforeEach(() => {
    w = tempWorld();
  });
  afterEach(() => w.cleanup());

  it('expands folders to image files only, recursively on request, each file once', async () => {
    const { QueueStore } = await import('../../../src-main/jobs/queue-store');
    const q = new QueueStore(w.store.db);
    const a = await writePhoto(path.join(w.photos, 'a.png'), 1);
    await writePhoto(path.join(w.photos, 'sub', 'b.png'), 2);
    await writePhoto(path.join(w.photos, 'sub', 'deeper', 'c.png'), 3);
    await writePhoto(path.join(w.photos, '.hidden.png'), 4);
    await writePhoto(path.join(w.photos, 'a_revive.png'), 5); // an earlier result
    writeFileSync(path.join(w.photos, 'notes.txt'), 'hello');
    mkdirSync(path.join(w.photos, 'empty'));

    const flat = await enqueue(q, base, [w.photos], { cwd: w.root });
    expect(flat.added).toEqual([a]);
    const deep = await enqueue(q, base, [w.photos, a, path.join(w.photos, 'sub')], { recursive: true, cwd: w.root });
    expect(deep.added.map((p) => path.relative(w.photos, p))).toEqual(['a.png', 'sub/b.png', 'sub/deeper/c.png']);
    expect(q.items(deep.job!.id)).toHaveLength(3);
    const missing = await enqueue(q, base, [path.join(w.photos, 'nope')], { cwd: w.root });
    expect(missing.job).toBeNull();
    expect(missing.problems[0]).toMatchObject({ code: 'NOT_FOUND' });
  });
});
