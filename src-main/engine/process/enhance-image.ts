/**
 * One whole image in the engine process, in numbered stages:
 *   1. check   — output is not the input; a onestep-diffusion pack continues in enhance-diffusion.ts; the scale
 *                is one the pixel-sr pack can make
 *   2. decode  — imaging: upright 8-bit RGB + alpha; pixel limit checked before decoding
 *   3. size    — the output format can hold the result (checked before the long run)
 *   4. session — the cached session for this model/provider/threads, opened on first use
 *   5. upscale — tiled model run at the model's native scale
 *   6. resize  — Lanczos down to the requested scale (1× restores without enlarging); alpha up to match
 *   7. encode  — converted back into the original's colour profile
 *   8. write   — atomically, the temp file named after the request id so a host that kills us can remove it; the
 *                original's metadata (ExifTool) is copied onto the temp file before the rename
 */
import { realpath } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resizeTo } from '../../imaging/write';
import { runPixelSr } from '../../pipelines/pixel-sr';
import type { PixelBuffer } from '../../pixels/types';
import { EngineError } from '../engine-error';
import { enhanceWithDiffusion } from './enhance-diffusion';
import { isOneStepPack, loadPack } from './pack';
import { decodeForRequest, writeForRequest } from './request-io';
import { ENGINE_ERROR_CODES, type DoneEvent, type EnhanceRequest } from '../protocol';
import type { SessionCache } from './session-cache';
import { chooseTiling } from './tile-choice';

export interface EnhanceHooks {
  onProgress(stage: string, done: number, total: number): void;
  onWarning(message: string): void;
  /** Time left for the model stages, refined as they start (diffusion packs on the CPU). */
  onEstimate?(ms: number, basis: string): void;
  /** Memory the model may use for a tile, in bytes. Default: half of the currently free memory. */
  freeBytes?: () => number;
}

/** Resolves symlinks where the file exists, so "is this the original?" compares real files. */
async function realOrResolved(p: string): Promise<string> {
  return realpath(p).catch(() => path.resolve(p));
}

/** Runs one enhance request to completion; throws ImageError / EngineError (or the runtime's error) on failure. */
export async function enhanceImage(req: EnhanceRequest, sessions: SessionCache, hooks: EnhanceHooks): Promise<Omit<DoneEvent, 'type' | 'id'>> {
  const started = performance.now();

  // 1. check
  if ((await realOrResolved(req.output)) === (await realOrResolved(req.input))) {
    throw new EngineError('OUTPUT_IS_INPUT', `refusing to write ${req.output}: it is the original photo`);
  }
  const loaded = await loadPack(req.modelDir);
  if (isOneStepPack(loaded)) return enhanceWithDiffusion(req, loaded, sessions, hooks, started);
  const pack = loaded;
  const modelScale = pack.manifest.scale;
  if (req.scale > modelScale) {
    throw new EngineError(ENGINE_ERROR_CODES.BAD_PACK, `model "${pack.manifest.id}" upscales ${modelScale}×; it cannot make ${req.scale}×`);
  }

  // 2. decode + 3. size (before any model work)
  // pixel-sr runs 16-bit sources at 16 bits end to end, so PNG/TIFF results keep their depth.
  const decoded = await decodeForRequest(req, hooks, { keepDepth: true });
  const { image, outW, outH } = decoded;

  // 4. session
  hooks.onProgress('load-model', 0, 1);
  let opened;
  try {
    opened = await sessions.get(
      { modelPath: pack.modelPath, provider: req.provider, ...(req.threads !== undefined ? { threads: req.threads } : {}) },
      hooks.onWarning,
    );
  } catch (err) {
    throw new EngineError(ENGINE_ERROR_CODES.MODEL_ERROR, `cannot open model "${pack.manifest.id}": ${(err as Error).message}`, { cause: err });
  }
  hooks.onProgress('load-model', 1, 1);

  // 5. upscale
  const tiling = chooseTiling(
    { size: pack.manifest.tile.size, overlap: pack.manifest.tile.overlap, pad: pack.manifest.tile.pad, multiple: pack.manifest.tile.multiple },
    modelScale,
    { ...(req.tile !== undefined ? { explicit: req.tile } : {}), freeBytes: hooks.freeBytes?.() ?? os.freemem() / 2 },
  );
  const upscaled = await runPixelSr(image.rgb, opened.runner, {
    scale: modelScale,
    ...tiling,
    inputName: pack.manifest.model.input,
    outputName: pack.manifest.model.output,
    onProgress: (p) => hooks.onProgress(p.stage, p.done, p.total),
    onWarning: hooks.onWarning,
  });

  // 6. resize
  let rgb: PixelBuffer = upscaled;
  if (upscaled.width !== outW || upscaled.height !== outH) {
    hooks.onProgress('resize', 0, 1);
    rgb = await resizeTo(upscaled, outW, outH);
    hooks.onProgress('resize', 1, 1);
  }

  // 7. encode + 8. write
  await writeForRequest(req, hooks, decoded, rgb, pack.manifest.id);

  return { width: outW, height: outH, ms: Math.round(performance.now() - started), provider: opened.provider };
}
