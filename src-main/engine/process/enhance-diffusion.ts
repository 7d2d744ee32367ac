/**
 * One whole image through a one-step diffusion pack in the engine process, in numbered stages (the pixel-sr path in
 * enhance-image.ts hands over here after its own check that the output is not the original):
 *   1. check    — the scale is one the pack allows; prompt settings the pack can serve
 *   2. decode   — imaging: upright 8-bit RGB + alpha; pixel limit checked before decoding
 *   3. size     — the output format can hold s × the input (checked before the long run)
 *   4. sessions — the pack's models for this provider/threads, opened once per batch (session cache, as a group)
 *   5. restore  — pipelines/onestep-diffusion.ts at s× (progress per tile; on the CPU, time estimates)
 *   6. alpha    — upscaled separately with Lanczos to meet the result
 *   7. encode   — converted back into the original's colour profile
 *   8. write    — atomically, the temp file named after the request id, the original's metadata copied first
 */
import os from 'node:os';
import { resizeCubic } from '../../imaging/resize';
import { resizeTo } from '../../imaging/write';
import { runOneStepDiffusion, type Resizer } from '../../pipelines/onestep-diffusion';
import { openOneStepSessions } from './diffusion-sessions';
import { chooseDiffusionTiles } from './diffusion-tiles';
import { EngineError } from '../engine-error';
import type { EnhanceHooks } from './enhance-image';
import type { LoadedOneStepPack } from './pack';
import { decodeForRequest, writeForRequest } from './request-io';
import { ENGINE_ERROR_CODES, type DoneEvent, type EnhanceRequest } from '../protocol';
import type { SessionCache } from './session-cache';

/** The pipeline's stage names as the protocol reports them ('encode'/'decode' already mean the image file there). */
const STAGE_NAMES: Readonly<Record<string, string>> = { encode: 'vae-encode', decode: 'vae-decode' };

const resize: Resizer = (pixels, width, height, kernel) =>
  kernel === 'cubic' ? resizeCubic(pixels, width, height) : resizeTo(pixels, width, height);

/** Runs one enhance request with a diffusion pack; throws ImageError / EngineError (or the runtime's error). */
export async function enhanceWithDiffusion(
  req: EnhanceRequest,
  pack: LoadedOneStepPack,
  sessions: SessionCache,
  hooks: EnhanceHooks,
  started: number,
): Promise<Omit<DoneEvent, 'type' | 'id'>> {
  const m = pack.manifest;

  // 1. check
  if (req.scale > m.scale) {
    throw new EngineError(ENGINE_ERROR_CODES.BAD_PACK, `model "${m.id}" upscales at most ${m.scale}×; it cannot make ${req.scale}×`);
  }
  const promptMode = req.promptMode ?? m.diffusion.promptMode;
  if (promptMode === 'tags' && !m.tagger) {
    throw new EngineError('BAD_REQUEST', `model "${m.id}" has no tagger, so prompt mode "tags" is not available; use "none" or "custom"`);
  }
  if (promptMode === 'custom' && !(req.prompt ?? '').trim()) {
    throw new EngineError('BAD_REQUEST', 'prompt mode "custom" needs prompt text');
  }

  // 2. decode + 3. size (before any model work)
  const decoded = await decodeForRequest(req, hooks, { keepDepth: false });
  const { image, outW, outH } = decoded;

  // 4. sessions
  hooks.onProgress('load-model', 0, 1);
  const withTagger = promptMode === 'tags';
  const group = await sessions.getGroup(
    { id: `${pack.dir}\n${withTagger ? 'tagger' : 'no-tagger'}`, provider: req.provider, ...(req.threads !== undefined ? { threads: req.threads } : {}) },
    (openMember) => openOneStepSessions(pack, openMember, { withTagger }),
    hooks.onWarning,
  );
  hooks.onProgress('load-model', 1, 1);

  // 5. restore
  const tiles = chooseDiffusionTiles(m, hooks.freeBytes?.() ?? os.freemem() / 2, req.tile);
  const onCpu = group.provider === 'cpu';
  const restored = await runOneStepDiffusion(image.rgb, group.models, {
    scale: req.scale,
    diffusion: group.params,
    promptMode,
    ...(req.prompt !== undefined ? { prompt: req.prompt } : {}),
    colorFix: req.colorFix ?? m.diffusion.colorFix,
    strength: (req.strength ?? 100) / 100,
    tiles,
    resize,
    onProgress: (p) => hooks.onProgress(STAGE_NAMES[p.stage] ?? p.stage, p.done, p.total),
    onWarning: hooks.onWarning,
    // GPU runs are quick enough that a prediction is noise; on the CPU a big photo can take many minutes.
    ...(onCpu && hooks.onEstimate ? { onEstimate: (e) => hooks.onEstimate!(e.remainingMs, e.basis) } : {}),
  });

  // 6. alpha + 7. encode + 8. write
  await writeForRequest(req, hooks, decoded, restored, m.id);

  return { width: outW, height: outH, ms: Math.round(performance.now() - started), provider: group.provider };
}
