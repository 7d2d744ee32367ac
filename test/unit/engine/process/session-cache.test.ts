/**
 * The engine's session cache holding several stages' sessions: each opened once while held, least recently used
 * released first when the count or the memory estimate is exceeded, everything released on dispose() or when idle
 * (but never during a request).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OpenedModel } from '../../../../src-main/engine/process/session';
import { SessionCache, type OpenGroupMember } from '../../../../src-main/engine/process/session-cache';

function fakeOpen(log: string[]): (model: string) => Promise<OpenedModel> {
  return async (model) => {
    log.push(`open ${model}`);
    return { runner: { inputNames: [], outputNames: [], run: async () => ({}), dispose: async () => void log.push(`dispose ${model}`) }, provider: 'cpu', warnings: [] };
  };
}

const pair = (a: string, b: string) => async (open: OpenGroupMember) => {
  const x = await open(a);
  const y = await open(b);
  return { dispose: async () => void (await Promise.all([x.runner.dispose(), y.runner.dispose()])) };
};

const sizes: Record<string, number> = { sr: 100, det: 10, face: 50, unet: 900, vae: 100 };

afterEach(() => vi.useRealTimers());

describe('SessionCache with several stages', () => {
  it('holds a model and two groups side by side across a batch, opening each once', async () => {
    const log: string[] = [];
    const cache = new SessionCache(fakeOpen(log), { estimateBytes: (m) => sizes[m]!, maxBytes: 1e6 });
    for (let photo = 0; photo < 3; photo++) {
      await cache.get({ modelPath: 'sr', provider: 'cpu' }, () => {});
      await cache.getGroup({ id: 'faces', provider: 'cpu' }, pair('det', 'face'), () => {});
      await cache.getGroup({ id: 'diffusion', provider: 'cpu' }, pair('unet', 'vae'), () => {});
    }
    expect(log).toEqual(['open sr', 'open det', 'open face', 'open unet', 'open vae']);
    expect(cache.held.bytes).toBe(100 + 10 + 50 + 900 + 100);
    await cache.dispose();
    expect(log.slice(5).sort()).toEqual(['dispose det', 'dispose face', 'dispose sr', 'dispose unet', 'dispose vae']);
    expect(cache.held.ids).toEqual([]);
  });

  it('releases the least recently used entry when the count is exceeded, before opening the new one', async () => {
    const log: string[] = [];
    const cache = new SessionCache(fakeOpen(log), { maxEntries: 2, estimateBytes: () => 1 });
    await cache.get({ modelPath: 'a', provider: 'cpu' }, () => {});
    await cache.get({ modelPath: 'b', provider: 'cpu' }, () => {});
    await cache.get({ modelPath: 'a', provider: 'cpu' }, () => {}); // a is now the most recent
    await cache.get({ modelPath: 'c', provider: 'cpu' }, () => {});
    expect(log).toEqual(['open a', 'open b', 'dispose b', 'open c']);
  });

  it('keeps the estimated memory within the budget: a big group pushes the others out, never itself', async () => {
    const log: string[] = [];
    const cache = new SessionCache(fakeOpen(log), { estimateBytes: (m) => sizes[m]!, maxBytes: 1000 });
    await cache.get({ modelPath: 'sr', provider: 'cpu' }, () => {});
    await cache.getGroup({ id: 'faces', provider: 'cpu' }, pair('det', 'face'), () => {});
    // unet + vae = 1000: everything else must go, the new group stays although it alone fills the budget.
    await cache.getGroup({ id: 'diffusion', provider: 'cpu' }, pair('unet', 'vae'), () => {});
    expect(log).toEqual(['open sr', 'open det', 'open face', 'open unet', 'open vae', 'dispose sr', 'dispose det', 'dispose face']);
    expect(cache.held.bytes).toBe(1000);
    // A single model whose size is known is made room for before it opens.
    await cache.get({ modelPath: 'det', provider: 'cpu' }, () => {});
    expect(log.slice(8)).toEqual(['dispose unet', 'dispose vae', 'open det']);
  });

  it('releases everything after the idle time once a request ends, never while one runs', async () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const cache = new SessionCache(fakeOpen(log), { idleMs: 1000, estimateBytes: () => 1 });
    cache.beginUse();
    await cache.get({ modelPath: 'a', provider: 'cpu' }, () => {});
    await vi.advanceTimersByTimeAsync(5000);
    expect(log).toEqual(['open a']);
    cache.endUse();
    await vi.advanceTimersByTimeAsync(900);
    cache.beginUse(); // the next photo of the batch arrives in time
    await vi.advanceTimersByTimeAsync(5000);
    expect(log).toEqual(['open a']);
    cache.endUse();
    await vi.advanceTimersByTimeAsync(1000);
    expect(log).toEqual(['open a', 'dispose a']);
    expect(cache.held.ids).toEqual([]);
  });

  it('releases every entry on dispose() even when one fails, then reports the failure', async () => {
    const log: string[] = [];
    const cache = new SessionCache(async (model) => {
      const opened = await fakeOpen(log)(model);
      if (model === 'bad') opened.runner.dispose = async () => { throw new Error('release failed'); };
      return opened;
    }, { estimateBytes: () => 1 });
    await cache.get({ modelPath: 'bad', provider: 'cpu' }, () => {});
    await cache.get({ modelPath: 'good', provider: 'cpu' }, () => {});
    await expect(cache.dispose()).rejects.toThrow('release failed');
    expect(log).toContain('dispose good');
  });
});
