/**
 * The inpainting pack from the page to the engine: a repair job started without naming a pack takes the installed
 * inpainting pack (auto), 'none' keeps the classical method, and the engine request's repair stage points at the
 * pack's folder — through the real core, runner and engine host, with an engine that only records what it is sent.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openReviveCore } from '../../../src-main/core/services';
import { EngineHost } from '../../../src-main/engine/host';
import type { EnhanceRequest, HostMessage } from '../../../src-main/engine/protocol';
import type { EngineChannel, EngineSpawner } from '../../../src-main/engine/spawn';
import { modelsDirIn } from '../../../src-main/store/data-dir';
import { writeInpaintPack } from '../../fixtures/inpaint-packs';
import { DEFAULT_SETTINGS } from '../../support/fake-core';
import { writePhoto } from '../../support/job-fixtures';
import { tempFolders } from '../../support/temp-folders';

const tmp = tempFolders();

/** An engine that records the first enhance request and never answers it (the core is closed afterwards). */
function recordingEngine(): { spawner: EngineSpawner; request: Promise<EnhanceRequest> } {
  let got!: (r: EnhanceRequest) => void;
  const request = new Promise<EnhanceRequest>((resolve) => (got = resolve));
  const spawner: EngineSpawner = (listeners) => {
    const exit = (signal: string | null): void => queueMicrotask(() => listeners.onExit({ code: signal ? null : 0, signal, outputTail: '' }));
    const channel: EngineChannel = {
      pid: 4100,
      send: (m: HostMessage) => {
        if (m.type === 'dispose') queueMicrotask(() => listeners.onMessage({ type: 'disposed', id: m.id }));
        else got(m);
      },
      kill: () => exit('SIGKILL'),
      disconnect: () => exit(null),
    };
    return channel;
  };
  return { spawner, request };
}

async function firstRequest(inpaintPack: string | undefined): Promise<EnhanceRequest> {
  const dir = tmp('revive-core-inpaint-');
  await writeInpaintPack(path.join(modelsDirIn(dir), 'inpaint-test'), { id: 'inpaint-test' });
  const engine = recordingEngine();
  const core = await openReviveCore(dir, { engineHost: new EngineHost({ spawner: engine.spawner }) });
  try {
    const photo = await writePhoto(path.join(tmp('revive-photos-'), 'a.png'), 1);
    await core.addInputs([photo], false);
    const { itemIds } = await core.startJob([photo], { ...DEFAULT_SETTINGS, scale: 1, repair: { mode: 'auto', dust: true, scratches: true, sensitivity: 50, colour: 'off', strength: 1, ...(inpaintPack ? { inpaintPack } : {}) } }, true);
    const req = await engine.request;
    // The engine never answers: removing the item stops it, so the core can close.
    await core.remove(itemIds);
    return req;
  } finally {
    await core.close();
  }
}

describe('the inpainting pack of a repair job', () => {
  it('is the installed one when none is named, and the repair stage runs on its folder', async () => {
    const req = await firstRequest(undefined);
    expect(req.stages[0]).toMatchObject({ stage: 'repair', modelDir: expect.stringMatching(/models[/\\]inpaint-test$/) });
    expect(req.stages[1]).toMatchObject({ stage: 'enhance' });
  });

  it("is left out for 'none': the repair stage runs without a pack", async () => {
    const req = await firstRequest('none');
    expect(req.stages[0]!.stage).toBe('repair');
    expect(req.stages[0]).not.toHaveProperty('modelDir');
  });
});
