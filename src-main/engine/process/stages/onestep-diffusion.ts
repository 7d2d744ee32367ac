/**
 * The one-step diffusion stage (OSEDiff) of the chain's `enhance` position:
 *   1. check    — the scale is one the pack allows; prompt settings the pack can serve (before decoding)
 *   2. sessions — the pack's models for this provider/threads, opened once per batch (session cache, as a group)
 *   3. restore  — pipelines/onestep-diffusion.ts at s× (progress per tile; on the CPU, time estimates)
 */
import os from 'node:os';
import { resizeCubic } from '../../../imaging/resize';
import { resizeTo } from '../../../imaging/write';
import { runOneStepDiffusion, type Resizer } from '../../../pipelines/onestep-diffusion';
import type { PromptMode } from '../../../pipelines/options';
import type { PixelBuffer } from '../../../pixels/types';
import { EngineError } from '../../engine-error';
import { ENGINE_ERROR_CODES, type EnhanceStage } from '../../protocol';
import { openOneStepSessions } from '../diffusion-sessions';
import { chooseDiffusionTiles } from '../diffusion-tiles';
import type { LoadedOneStepPack } from '../pack';
import type { StageContext, StageKind, StageOutput } from './stage-kind';

/** The pipeline's stage names as the protocol reports them ('encode'/'decode' already mean the image file there). */
const STAGE_NAMES: Readonly<Record<string, string>> = { encode: 'vae-encode', decode: 'vae-decode' };

/** The resizer the one-step pipeline takes (bicubic as the reference does, else sharp). */
export const resize: Resizer = (pixels, width, height, kernel) =>
  kernel === 'cubic' ? resizeCubic(pixels, width, height) : resizeTo(pixels, width, height);

export const oneStepDiffusionStage: StageKind<LoadedOneStepPack> = {
  serves: 'enhance',
  // Only pixel-sr packs run 16-bit sources at 16 bits (docs/metadata.md, Depth); diffusion results are 8-bit.
  depth: '8-bit',
  enlarges: true,
  prepare(pack, options, scale) {
    const m = pack.manifest;
    if (scale > m.scale) {
      throw new EngineError(ENGINE_ERROR_CODES.BAD_PACK, `model "${m.id}" upscales at most ${m.scale}×; it cannot make ${scale}×`);
    }
    const promptMode = options.promptMode ?? m.diffusion.promptMode;
    if (promptMode === 'tags' && !m.tagger) {
      throw new EngineError('BAD_REQUEST', `model "${m.id}" has no tagger, so prompt mode "tags" is not available; use "none" or "custom"`);
    }
    if (promptMode === 'custom' && !(options.prompt ?? '').trim()) {
      throw new EngineError('BAD_REQUEST', 'prompt mode "custom" needs prompt text');
    }
    return { modelId: m.id, run: (rgb, ctx) => restore(pack, options, promptMode, scale, rgb, ctx) };
  },
};

async function restore(
  pack: LoadedOneStepPack,
  options: EnhanceStage,
  promptMode: PromptMode,
  scale: number,
  rgb: PixelBuffer,
  ctx: StageContext,
): Promise<StageOutput> {
  const { hooks } = ctx;
  const m = pack.manifest;

  // 2. sessions
  hooks.onProgress('load-model', 0, 1);
  const withTagger = promptMode === 'tags';
  const group = await ctx.sessions.getGroup(
    { id: `${pack.dir}\n${withTagger ? 'tagger' : 'no-tagger'}`, provider: ctx.provider, ...(ctx.threads !== undefined ? { threads: ctx.threads } : {}) },
    (openMember) => openOneStepSessions(pack, openMember, { withTagger }),
    hooks.onWarning,
  );
  hooks.onProgress('load-model', 1, 1);

  // 3. restore
  const tiles = chooseDiffusionTiles(m, hooks.freeBytes?.() ?? os.freemem() / 2, options.tile);
  const onCpu = group.provider === 'cpu';
  const restored = await runOneStepDiffusion(rgb, group.models, {
    scale,
    diffusion: group.params,
    promptMode,
    ...(options.prompt !== undefined ? { prompt: options.prompt } : {}),
    colorFix: options.colorFix ?? m.diffusion.colorFix,
    strength: options.strength ?? 1,
    tiles,
    resize,
    onProgress: (p) => hooks.onProgress(STAGE_NAMES[p.stage] ?? p.stage, p.done, p.total),
    onWarning: hooks.onWarning,
    // GPU runs are quick enough that a prediction is noise; on the CPU a big photo can take many minutes.
    ...(onCpu && hooks.onEstimate ? { onEstimate: (e) => hooks.onEstimate!(e.remainingMs, e.basis) } : {}),
  });
  return { rgb: restored, provider: group.provider };
}
