import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchProgress } from '../../src-preload/contract';
import { overallProgress, QueueState } from '../../src-renderer/src/features/queue/queue-state.svelte';
import { fakeApi, item } from './fake-api';

function batch(jobId: number, counts: Partial<BatchProgress['counts']>, fraction: number, etaMs: number | null, paused = false): BatchProgress {
  const c = { total: 0, queued: 0, running: 0, done: 0, failed: 0, cancelled: 0, skipped: 0, ...counts };
  return { kind: 'batch', jobId, counts: c, paused, fraction, elapsedMs: 0, etaMs, megapixelsPerSecond: null };
}

describe('overallProgress', () => {
  it('weights each job by its item count and adds the ETAs of unfinished jobs', () => {
    const o = overallProgress([batch(1, { total: 10, done: 10 }, 1, 0), batch(2, { total: 30, queued: 20, running: 1, done: 9 }, 0.3, 60_000)]);
    // (1·10 + 0.3·30) / 40 = 0.475, computed independently of the implementation's loop.
    expect(o.fraction).toBeCloseTo(19 / 40, 12);
    expect(o.etaMs).toBe(60_000);
    expect(o).toMatchObject({ total: 40, done: 19, queued: 20, running: 1, paused: false });
  });

  it('has no ETA while an unfinished job has none, and is paused when an unfinished job is', () => {
    const o = overallProgress([batch(1, { total: 2, queued: 2 }, 0, null, true), batch(2, { total: 2, queued: 1, done: 1 }, 0.5, 1000)]);
    expect(o.etaMs).toBeNull();
    expect(o.paused).toBe(true);
  });

  it('is empty for no jobs', () => {
    expect(overallProgress([])).toMatchObject({ total: 0, fraction: 0, etaMs: null });
  });
});

describe('QueueState', () => {
  afterEach(() => vi.useRealTimers());

  it('applies tile and item progress to the right item, and refetches when an item finishes', async () => {
    vi.useFakeTimers();
    const { api } = fakeApi();
    api.jobsList.mockResolvedValue({ items: [item(1, { state: 'running' }), item(2)], jobs: [] });
    const q = new QueueState(api, (e) => {
      throw e;
    });
    await q.refresh();
    q.applyProgress({ kind: 'tile', jobId: 1, itemId: 1, stage: 'upscale', done: 3, total: 4 });
    expect(q.item(1)?.stage).toBe('upscale');
    q.applyProgress({ kind: 'item', jobId: 1, itemId: 1, sourcePath: '/photos/p1.jpg', state: 'running', fraction: 0.62, elapsedMs: 5, etaMs: 900 });
    expect(q.item(1)?.progress).toBeCloseTo(0.62, 12);
    expect(q.item(2)?.progress).toBe(0);
    q.applyProgress({ kind: 'item', jobId: 1, itemId: 1, sourcePath: '/photos/p1.jpg', state: 'done', fraction: 1, elapsedMs: 5, etaMs: 0, outputPath: '/o.jpg' });
    expect(q.item(1)).toMatchObject({ state: 'done', progress: 1 });
    expect(api.jobsList).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(api.jobsList).toHaveBeenCalledTimes(2);
  });

  it('moves a running photo’s bar between events toward its stage end, then takes the next report', async () => {
    vi.useFakeTimers();
    const { api } = fakeApi();
    api.jobsList.mockResolvedValue({ items: [item(1, { state: 'running' })], jobs: [] });
    const q = new QueueState(api, (e) => {
      throw e;
    });
    await q.refresh();
    // One tile: the model run goes from 0.1 to 0.9 in one event; the ETA says 1 s for the rest of the photo.
    q.applyProgress({ kind: 'item', jobId: 1, itemId: 1, sourcePath: '/photos/p1.jpg', state: 'running', fraction: 0.1, elapsedMs: 5, etaMs: 1000, stageEnd: 0.9 });
    await vi.advanceTimersByTimeAsync(300);
    // 0.9 of the photo per 1000 ms: 0.27 after 300 ms (ticks every 100 ms, so exactly at 300).
    expect(q.item(1)!.progress).toBeCloseTo(0.1 + 0.27, 6);
    await vi.advanceTimersByTimeAsync(5000);
    expect(q.item(1)!.progress).toBeLessThan(0.9);
    expect(q.item(1)!.progress).toBeGreaterThan(0.8);
    q.applyProgress({ kind: 'item', jobId: 1, itemId: 1, sourcePath: '/photos/p1.jpg', state: 'running', fraction: 0.9, elapsedMs: 900, etaMs: 100, stageEnd: 0.94 });
    expect(q.item(1)!.progress).toBeCloseTo(0.9, 12);
    q.applyProgress({ kind: 'item', jobId: 1, itemId: 1, sourcePath: '/photos/p1.jpg', state: 'cancelled', fraction: 0.9, elapsedMs: 950, etaMs: 0 });
    expect(vi.getTimerCount()).toBeLessThanOrEqual(1); // the refresh only: the ticker stopped with the last running item
    q.dispose();
  });

  it('keeps the newest batch report per job and shows failures inline', async () => {
    const { api } = fakeApi();
    api.jobsList.mockResolvedValue({ items: [item(1, { state: 'running' })], jobs: [] });
    const q = new QueueState(api, () => undefined);
    await q.refresh();
    q.applyProgress(batch(1, { total: 1, running: 1 }, 0.2, 5000));
    q.applyProgress(batch(1, { total: 1, running: 1 }, 0.6, 2000));
    expect(q.jobs).toHaveLength(1);
    expect(q.overall.etaMs).toBe(2000);
    q.applyProgress({ kind: 'item', jobId: 1, itemId: 1, sourcePath: '/p', state: 'failed', fraction: 0.4, elapsedMs: 5, etaMs: null, error: 'truncated JPEG' });
    expect(q.item(1)?.error?.message).toBe('truncated JPEG');
    q.dispose();
  });

  it('reports a failing control call instead of throwing, then refreshes', async () => {
    const errors: unknown[] = [];
    const { api } = fakeApi({ jobsPause: vi.fn(async () => Promise.reject(new Error('queue locked'))) });
    const q = new QueueState(api, (e) => errors.push(e));
    await q.pause(true);
    expect(api.jobsPause).toHaveBeenCalledWith({ now: true });
    expect((errors[0] as Error).message).toBe('queue locked');
    expect(api.jobsList).toHaveBeenCalled();
  });

  it('clears only finished, failed and cancelled items', async () => {
    const { api } = fakeApi();
    api.jobsList.mockResolvedValue({ items: [item(1, { state: 'done' }), item(2), item(3, { state: 'failed' }), item(4, { state: 'running' })], jobs: [] });
    const q = new QueueState(api, () => undefined);
    await q.refresh();
    await q.clearFinished();
    expect(api.jobsRemove).toHaveBeenCalledWith({ itemIds: [1, 3] });
  });
});
