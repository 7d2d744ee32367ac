import { writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLibrary, openRoot, QueueLockedError } from '../../../src-main/core/open';
import type { HostMessage } from '../../../src-main/engine/protocol';
import type { EngineChannel, EngineSpawner } from '../../../src-main/engine/spawn';
import { findPackOrExplain, PackNotFoundError } from '../../../src-main/models/find-pack';
import { parseJobSettings } from '../../../src-main/settings/job-settings';
import { writePhoto } from '../../support/job-fixtures';
import { tempFolders } from '../../support/temp-folders';

const tmp = tempFolders();

/** An engine that answers every photo with a time estimate and then "done" (writing nothing). */
function estimatingSpawner(): EngineSpawner {
  return (listeners) => {
    const exit = (): void => queueMicrotask(() => listeners.onExit({ code: 0, signal: null, outputTail: '' }));
    const channel: EngineChannel = {
      pid: 4242,
      send: (m: HostMessage) => {
        queueMicrotask(() => {
          if (m.type === 'dispose') return listeners.onMessage({ type: 'disposed', id: m.id });
          listeners.onMessage({ type: 'estimate', id: m.id, ms: 1234, basis: 'first tile' });
          listeners.onMessage({ type: 'done', id: m.id, width: 32, height: 32, ms: 5, provider: 'cpu' });
        });
      },
      kill: exit,
      disconnect: exit,
    };
    return channel;
  };
}

describe('the composition root', () => {
  it('opens a data folder once: a second opener gets QUEUE_LOCKED naming the holder, the history stays readable', async () => {
    const dir = tmp('revive-open-');
    const root = await openRoot(dir);
    try {
      expect(root.dir).toBe(path.resolve(dir));
      expect(root.runner.queue).toBe(root.queue);
      expect(root.runner.library).toBe(root.library);
      const err = await openRoot(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QueueLockedError);
      expect(err).toMatchObject({ code: 'QUEUE_LOCKED', holder: expect.stringMatching(new RegExp(`another Revive process \\(pid ${process.pid} on .*\\) is running the queue`)) });
      // Browsing the history takes no lock.
      const history = openLibrary(dir);
      expect(history.library.search({ limit: 10 })).toEqual([]);
      history.close();
    } finally {
      await root.close();
    }
    await (await openRoot(dir)).close();
  });

  it('finds installed packs for the runner, and explains a missing one in the same words as the command line', async () => {
    const dir = tmp('revive-open-packs-');
    // A folder named like a pack but without a valid manifest is reported with its reason.
    await mkdir(path.join(dir, 'models', 'broken-pack'), { recursive: true });
    writeFileSync(path.join(dir, 'models', 'broken-pack', 'revive-pack.json'), '{');
    const root = await openRoot(dir);
    try {
      expect(root.packs.has('realesrgan-x4fast')).toBe(true);
      expect(root.packs.dirOf('realesrgan-x4fast')).toMatch(/realesrgan-x4fast$/);
      expect(() => root.packs.dirOf('no-such-model')).toThrow(PackNotFoundError);
      expect(() => root.packs.dirOf('no-such-model')).toThrow(/no model "no-such-model" is installed \(looked in .*\); installed: .*realesrgan-x4fast/);
      expect(() => root.packs.dirOf('broken-pack')).toThrow(/model "broken-pack" at .*broken-pack is not a valid pack: /);
      const fromRoot = (() => {
        try {
          return root.packs.dirOf('no-such-model');
        } catch (e) {
          return e as Error;
        }
      })();
      const fromRegistry = await findPackOrExplain(root.packs.registry, 'no-such-model').catch((e: unknown) => e);
      expect(fromRegistry).toMatchObject({ code: 'MODEL_NOT_FOUND', message: (fromRoot as Error).message });
    } finally {
      await root.close();
    }
  });

  it('runs queued photos on the engine it starts with the given spawner, passing its time estimates to subscribers', async () => {
    const dir = tmp('revive-open-run-');
    const root = await openRoot(dir, { spawner: estimatingSpawner() });
    try {
      const photo = await writePhoto(path.join(dir, 'photos', 'a.png'), 3);
      const estimates: [string, number][] = [];
      const stop = root.onEstimate((input, e) => estimates.push([input, e.ms]));
      root.queue.createJob(parseJobSettings({ model: 'realesrgan-x4fast', scale: 4, format: 'png' }), [photo]);
      const summary = await root.runner.run({ checkSpace: false });
      expect(summary.done).toBe(1);
      expect(estimates).toEqual([[photo, 1234]]);
      stop();
      expect(root.library.search({ limit: 10 }).map((e) => [e.sourcePath, e.status, e.device])).toEqual([[photo, 'done', 'cpu']]);
    } finally {
      await root.close();
    }
  });
});
