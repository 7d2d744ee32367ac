import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertTransition, canTransition, InvalidTransitionError, isTerminal, ITEM_STATES, type ItemState } from '../../../src-main/jobs/state';
import { QueueStore } from '../../../src-main/jobs/queue-store';
import { parseJobSettings } from '../../../src-main/settings/job-settings';
import { tempWorld, type TempWorld } from '../../support/job-fixtures';

// The allowed transitions, written out independently of the implementation's table.
const ALLOWED = new Set([
  'queued>running',
  'queued>cancelled',
  'queued>done', // skipped: a matching result exists
  'queued>failed', // unusable source found while preparing
  'running>done',
  'running>failed',
  'running>cancelled',
  'running>queued', // pause now, crash recovery
  'failed>queued', // retry
  'cancelled>queued', // retry
]);

const settings = parseJobSettings({ model: 'realesrgan-x4fast', scale: 4, format: 'png' });

describe('item state machine', () => {
  it('allows exactly the documented transitions', () => {
    for (const from of ITEM_STATES) {
      for (const to of ITEM_STATES) {
        expect(canTransition(from, to), `${from} → ${to}`).toBe(ALLOWED.has(`${from}>${to}`));
      }
    }
  });

  it('treats done, failed and cancelled as terminal and nothing else', () => {
    expect(ITEM_STATES.filter(isTerminal)).toEqual(['done', 'failed', 'cancelled']);
  });

  it('names the item and both states when refusing', () => {
    expect(() => assertTransition(7, 'done', 'running')).toThrow(InvalidTransitionError);
    expect(() => assertTransition(7, 'done', 'running')).toThrow(/item 7 cannot go from done to running.*final/);
    expect(() => assertTransition(3, 'queued', 'queued')).toThrow(/allowed from queued: running, cancelled, done, failed/);
  });
});

describe('QueueStore transitions', () => {
  let w: TempWorld;
  let q: QueueStore;
  beforeEach(() => {
    w = tempWorld();
    q = new QueueStore(w.store.db);
  });
  afterEach(() => w.cleanup());

  it('walks queued → running → done and persists the fields with the state', () => {
    const job = q.createJob(settings, ['/a.png']);
    const [item] = q.items(job.id);
    expect(item!.state).toBe('queued');
    q.transition(item!.id, 'running', { startedAt: 10, plannedOutput: '/a_revive.png' });
    q.transition(item!.id, 'done', { outputPath: '/a_revive.png', finishedAt: 20, ms: 10 });
    const after = q.item(item!.id);
    expect(after).toMatchObject({ state: 'done', startedAt: 10, finishedAt: 20, ms: 10, attempts: 1, outputPath: '/a_revive.png' });
  });

  it('refuses an invalid transition and leaves the row unchanged', () => {
    const job = q.createJob(settings, ['/a.png']);
    const id = q.items(job.id)[0]!.id;
    q.transition(id, 'running');
    q.transition(id, 'done', { outputPath: '/x.png' });
    expect(() => q.transition(id, 'running', { outputPath: '/other.png' })).toThrow(/from done to running/);
    expect(q.item(id)).toMatchObject({ state: 'done', outputPath: '/x.png' });
  });

  it('does nothing when the expected state no longer holds (a concurrent change won)', () => {
    const job = q.createJob(settings, ['/a.png']);
    const id = q.items(job.id)[0]!.id;
    q.transition(id, 'cancelled');
    expect(q.transition(id, 'running', {}, 'queued')).toBe(false);
    expect(q.item(id).state).toBe('cancelled');
  });

  it('counts every state of a job and marks the job finished only when nothing is queued or running', () => {
    const job = q.createJob(settings, ['/a.png', '/b.png', '/c.png', '/d.png']);
    const ids = q.items(job.id).map((i) => i.id);
    const go = (id: number, ...states: ItemState[]) => states.forEach((s) => q.transition(id, s));
    go(ids[0]!, 'running', 'done');
    go(ids[1]!, 'running', 'failed');
    go(ids[2]!, 'cancelled');
    expect(q.finishIfComplete(job.id)).toBe(false);
    expect(q.counts(job.id)).toEqual({ total: 4, queued: 1, running: 0, done: 1, failed: 1, cancelled: 1, skipped: 0 });
    go(ids[3]!, 'done');
    q.update(ids[3]!, { skipped: true });
    expect(q.finishIfComplete(job.id)).toBe(true);
    expect(q.job(job.id).state).toBe('finished');
    expect(q.counts(job.id).skipped).toBe(1);
  });

  it('retries failed items and re-activates the job', () => {
    const job = q.createJob(settings, ['/a.png']);
    const id = q.items(job.id)[0]!.id;
    q.transition(id, 'running');
    q.transition(id, 'failed', { error: 'boom' });
    q.finishIfComplete(job.id);
    expect(q.retry(job.id)).toBe(1);
    expect(q.item(id)).toMatchObject({ state: 'queued', error: null });
    expect(q.job(job.id).state).toBe('active');
  });

  it('keeps the settings snapshot exactly as given', () => {
    const s = parseJobSettings({ model: 'm', scale: 2, format: 'webp', quality: 80, suffix: '_x', outputDir: '/out' });
    const job = q.createJob(s, ['/a.png']);
    expect(q.job(job.id).settings).toEqual(s);
  });
});
