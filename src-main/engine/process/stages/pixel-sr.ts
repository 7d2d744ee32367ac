/**
 * The pixel-sr stage (Real-ESRGAN and the like) of the chain's `enhance` position:
 *   1. check   — the scale is one the pack can make (before decoding)
 *   2. session — the cached session for this model/provider/threads, opened on first use
 *   3. upscale — tiled model run at the model's native scale, 8- or 16-bit as decoded
 *   4. resize  — Lanczos down to the requested scale (1× restores without enlarging)
 */
import os from 'node:os';
import { resizeTo } from '../../../imaging/write';
import { runPixelSr } from '../../../pipelines/pixel-sr';
import type { PixelBuffer } from '../../../pixels/types';
import { EngineError } from '../../engine-error';
import { ENGINE_ERROR_CODES, type EnhanceStage } from '../../protocol';
import type { LoadedPixelSrPack } from '../pack';
import { chooseTiling } from '../tile-choice';
import type { StageContext, StageKind, StageOutput } from './stage-kind';

export const pixelSrStage: StageKind<LoadedPixelSrPack> = {
  serves: 'enhance',
  // pixel-sr runs 16-bit sources at 16 bits end to end, so PNG/TIFF results keep their depth.
  depth: 'keep',
  enlarges: true,
  prepare(pack, options, scale) {
    const modelScale = pack.manifest.scale;
    if (scale > modelScale) {
      throw new EngineError(ENGINE_ERROR_CODES.BAD_PACK, `model "${pack.manifest.id}" upscales ${modelScale}×; it cannot make ${scale}×`);
    }
    return { modelId: pack.manifest.id, workingScale: modelScale, run: (rgb, ctx) => upscale(pack, options, scale, rgb, ctx) };
  },
};

async function upscale(pack: LoadedPixelSrPack, options: EnhanceStage, scale: number, rgb: PixelBuffer, ctx: StageContext): Promise<StageOutput> {
  const { hooks } = ctx;
  const m = pack.manifest;

  // 2. session
  hooks.onProgress('load-model', 0, 1);
  let opened;
  try {
    opened = await ctx.sessions.get(
      { modelPath: pack.modelPath, provider: ctx.provider, ...(ctx.threads !== undefined ? { threads: ctx.threads } : {}) },
      hooks.onWarning,
    );
  } catch (err) {
    throw new EngineError(ENGINE_ERROR_CODES.MODEL_ERROR, `cannot open model "${m.id}": ${(err as Error).message}`, { cause: err });
  }
  hooks.onProgress('load-model', 1, 1);

  // 3. upscale
  const tiling = chooseTiling(
    { size: m.tile.size, overlap: m.tile.overlap, pad: m.tile.pad, multiple: m.tile.multiple },
    m.scale,
    { ...(options.tile !== undefined ? { explicit: options.tile } : {}), freeBytes: hooks.freeBytes?.() ?? os.freemem() / 2 },
  );
  const upscaled = await runPixelSr(rgb, opened.runner, {
    scale: m.scale,
    ...tiling,
    inputName: m.model.input,
    outputName: m.model.output,
    onProgress: (p) => hooks.onProgress(p.stage, p.done, p.total),
    onWarning: hooks.onWarning,
  });

  // 4. resize
  const outW = rgb.width * scale;
  const outH = rgb.height * scale;
  if (upscaled.width === outW && upscaled.height === outH) return { rgb: upscaled, provider: opened.provider };
  hooks.onProgress('resize', 0, 1);
  const resized = await resizeTo(upscaled, outW, outH);
  hooks.onProgress('resize', 1, 1);
  return { rgb: resized, provider: opened.provider };
}
