import { describe, expect, it } from 'vitest';
import { OpenFileQueue } from '../../../src-main/app/open-files';

/** A scheduler the test drives by hand: batches close only when `run()` is called. */
function manualScheduler() {
  const waiting: (() => void)[] = [];
  return {
    schedule: (flush: () => void) => void waiting.push(flush),
    run: () => waiting.splice(0).forEach((f) => f()),
    get count() {
      return waiting.length;
    },
  };
}

describe('OpenFileQueue', () => {
  it('holds files that arrive before the app is ready and delivers them together on ready', () => {
    const batches: string[][] = [];
    const clock = manualScheduler();
    const q = new OpenFileQueue({ deliver: (p) => batches.push(p), schedule: clock.schedule });
    q.push('/Users/ann/a.jpg');
    q.push('/Users/ann/b.jpg');
    expect(batches).toEqual([]);
    expect(q.pending).toEqual(['/Users/ann/a.jpg', '/Users/ann/b.jpg']);
    q.markReady();
    expect(batches).toEqual([['/Users/ann/a.jpg', '/Users/ann/b.jpg']]);
    expect(q.pending).toEqual([]);
    expect(clock.count).toBe(0);
  });

  it('gathers a burst of events after ready into one batch', () => {
    const batches: string[][] = [];
    const clock = manualScheduler();
    const q = new OpenFileQueue({ deliver: (p) => batches.push(p), schedule: clock.schedule });
    q.markReady();
    q.push('/a.jpg');
    q.push('/b.jpg');
    q.push('/a.jpg');
    expect(clock.count).toBe(1);
    expect(batches).toEqual([]);
    clock.run();
    expect(batches).toEqual([['/a.jpg', '/b.jpg']]);
    q.push('/c.jpg');
    clock.run();
    expect(batches).toEqual([['/a.jpg', '/b.jpg'], ['/c.jpg']]);
  });

  it('does not deliver an empty batch on ready', () => {
    const batches: string[][] = [];
    const q = new OpenFileQueue({ deliver: (p) => batches.push(p), schedule: manualScheduler().schedule });
    q.markReady();
    q.markReady();
    expect(batches).toEqual([]);
    expect(q.ready).toBe(true);
  });

  it('lets a delivery error reach the caller instead of hiding it', () => {
    const q = new OpenFileQueue({
      deliver: () => {
        throw new Error('queue closed');
      },
    });
    q.push('/a.jpg');
    expect(() => q.markReady()).toThrow('queue closed');
  });

  it('rejects a non-string or empty path, naming it', () => {
    const q = new OpenFileQueue({ deliver: () => undefined });
    expect(() => q.push('')).toThrow(/got ""/);
  });

  it('uses a real timer by default to close a batch', async () => {
    const batches: string[][] = [];
    const q = new OpenFileQueue({ deliver: (p) => batches.push(p) });
    q.markReady();
    q.push('/x.jpg');
    expect(batches).toEqual([]);
    await new Promise<void>((resolve) => {
      const check = () => (batches.length > 0 ? resolve() : setTimeout(check, 10));
      check();
    });
    expect(batches).toEqual([['/x.jpg']]);
  });
});
