/**
 * OSEDiff one-step diffusion restoration on a Stable Diffusion ONNX pack, in numbered stages:
 *
 *   1. check      — pixels, scale, settings and the models' tensor names/shapes, with the offending values named
 *   2. geometry   — small inputs are enlarged so the short side is ≥ ⌊512/s⌋ (and brought back to s× at the end)
 *   3. upscale    — bicubic ×s (one resize from the original); the image is reflect-padded to a multiple of 8 and
 *                   mapped [0,1] → [-1,1] per tile, never as a whole-image copy
 *   4. encode     — VAE encoder over overlapping tiles (raised-cosine blending); the latent MEAN (first 4 of the
 *                   8 mean‖logvar channels) × the VAE scaling factor
 *   5. prompt     — `tags` (tagger on the upscaled image at 384², ImageNet mean/std → thresholds → "t1, t2, …, text,"),
 *                   `none` (the empty prompt, cached or shipped), `custom` (the user's text) → text-encoder state
 *   6. unet       — ε at t = timestep over latent tiles, blended with centred Gaussian weights (σ = 0.1 × tile)
 *   7. x0         — (z − √(1−ᾱ)·ε) / √ᾱ in float32, then ÷ scaling factor for the decoder
 *   8. decode     — VAE decoder over overlapping tiles; clamp [-1, 1] → [0, 1]; padding cropped as rows arrive
 *   9. colour fix — adain | wavelet | none against the bicubic input, in float, then clamp
 *  10. finish     — strength blend with the bicubic input, quantise (in place of the bicubic image), resize back
 *                   to s × the original when stage 2 enlarged it
 *
 * This module runs the stages in order; they live in onestep-geometry.ts (1–2), onestep-latents.ts (3–4, 6–8),
 * onestep-prompt.ts (5) and onestep-finish.ts (9–10), with the options in onestep-options.ts.
 *
 * Where this deliberately differs from the authors' test script: the latent mean instead of a sample (deterministic),
 * one bicubic resize from the original instead of two and no Lanczos rescale to a multiple of 8 (reflect padding,
 * cropped), colour fix in float before quantisation, Gaussian weights centred in both axes, and small inputs are
 * resized back to s× (the reference computes that resize and drops it).
 *
 * Memory: the only full-size float buffer is the decoded image (3 planes of the upscaled size), plus one float plane
 * while the colour fix runs (it works a channel at a time; wavelet needs a second); the latents are 1/64 of a plane
 * each; the bicubic image (integers) is reused for the output. Measured: test/bench/diffusion-bench.ts.
 *
 * Out of memory in a model stage → that stage is redone with half-size tiles (down to a minimum), with a warning.
 * Same input, settings, provider and thread count → byte-identical output (no randomness anywhere).
 */
import { RunEstimator, SD21_COSTS } from './diffusion-estimate';
import { planStage, VAE_FACTOR, type ModelStage, type StageRunOptions } from './latent-tiles';
import { colorFixPlanes, blendWithInput, quantisePlanes } from './onestep-finish';
import { checkInputs, oneStepGeometry, type OneStepGeometry } from './onestep-geometry';
import { decodeLatent, decoderLatent, encodeLatent, predictNoise, upscaleInput } from './onestep-latents';
import type { OneStepModels } from './onestep-models';
import type { OneStepOptions } from './onestep-options';
import { promptEmbedding } from './onestep-prompt';
import { throwIfAborted, type PixelBuffer } from '../pixels/types';

// The pipeline's public vocabulary lives in its stage modules; callers import it from here.
export { RunEstimator, SD21_COSTS, type DiffusionEstimate, type StageCosts } from './diffusion-estimate';
export { latentRegion, planStage, type ModelStage, type Size, type StageRunOptions } from './latent-tiles';
export {
  checkOneStepModels,
  checkTextEncoder,
  SD_TENSORS,
  type DiffusionParams,
  type OneStepModels,
  type PromptSource,
  type TaggerModel,
} from './onestep-models';
export type { OneStepOptions, OneStepTiles, Resizer } from './onestep-options';
export { checkInputs, oneStepGeometry, PROCESS_SIZE, type OneStepGeometry } from './onestep-geometry';
export { decodeLatent, decoderLatent, encodeLatent, paddedRegion, predictNoise, UNET_SIGMA_FRACTION, upscaleInput } from './onestep-latents';
export { IMAGENET_MEAN, IMAGENET_STD, promptEmbedding, tagImage, taggerInput } from './onestep-prompt';
export { blendWithInput, colorFixPlanes, quantisePlanes } from './onestep-finish';

export interface OneStepPlanes {
  /** Planar [3, H, W] in [0, 1] after colour fix and strength, at the upscaled size. */
  planes: Float32Array<ArrayBuffer>;
  /** The bicubic image (the colour-fix and strength reference), at the same size; the output is written into it. */
  upscaled: PixelBuffer;
  geometry: OneStepGeometry;
  prompt: string;
  tags: string[];
}

/** Stages 1–10a: everything up to quantisation, in float (what the tests compare against independent maths). */
export async function oneStepPlanes(input: PixelBuffer, models: OneStepModels, o: OneStepOptions): Promise<OneStepPlanes> {
  checkInputs(input, models, o); // 1
  const g = oneStepGeometry(input.width, input.height, o.scale); // 2
  const hooks: StageRunOptions = {
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.onWarning ? { onWarning: o.onWarning } : {}),
  };
  const t = o.tiles;
  const estimator = o.onEstimate
    ? new RunEstimator(
        {
          encode: planStage(g.latent, t.encode / VAE_FACTOR, t.vaeOverlap / VAE_FACTOR, 1),
          unet: planStage(g.latent, t.latent, t.latentOverlap, 1),
          decode: planStage(g.latent, t.decode / VAE_FACTOR, t.vaeOverlap / VAE_FACTOR, VAE_FACTOR),
        },
        o.costs ?? SD21_COSTS,
      )
    : undefined;
  const timed = (stage: ModelStage): Pick<StageRunOptions, 'onFirstTile'> =>
    estimator ? { onFirstTile: (ms, tiles) => o.onEstimate!(estimator.firstTile(stage, ms, tiles)) } : {};

  throwIfAborted(o.signal);
  const up = await upscaleInput(input, g, o.resize); // 3
  const d = o.diffusion;
  const z = await encodeLatent(up, g, models.vaeEncoder, {
    ...hooks,
    ...timed('encode'),
    tile: t.encode,
    overlap: t.vaeOverlap,
    scalingFactor: d.vaeScalingFactor,
    ...(o.minTiles?.vae !== undefined ? { minTile: o.minTiles.vae } : {}),
  }); // 4
  throwIfAborted(o.signal);
  o.onProgress?.({ stage: 'prompt', done: 0, total: 1 });
  const { prompt, tags, embedding } = await promptEmbedding(up, models, o); // 5
  o.onProgress?.({ stage: 'prompt', done: 1, total: 1 });
  throwIfAborted(o.signal);
  const eps = await predictNoise(z, g.latent, embedding, models.unet, {
    ...hooks,
    ...timed('unet'),
    tile: t.latent,
    overlap: t.latentOverlap,
    timestep: d.timestep,
    ...(o.minTiles?.latent !== undefined ? { minTile: o.minTiles.latent } : {}),
  }); // 6
  const latent = decoderLatent(z, eps, d.alphaBar, d.vaeScalingFactor); // 7
  throwIfAborted(o.signal);
  const planes = await decodeLatent(latent, g.latent, g.upscaled, models.vaeDecoder, {
    ...hooks,
    ...timed('decode'),
    tile: t.decode,
    overlap: t.vaeOverlap,
    ...(o.minTiles?.vae !== undefined ? { minTile: o.minTiles.vae } : {}),
  }); // 8
  throwIfAborted(o.signal);
  o.onProgress?.({ stage: 'color-fix', done: 0, total: 1 });
  colorFixPlanes(o.colorFix, planes, up); // 9
  blendWithInput(planes, up, o.strength); // 10a
  o.onProgress?.({ stage: 'color-fix', done: 1, total: 1 });
  return { planes, upscaled: up, geometry: g, prompt, tags };
}

/**
 * Restores and upscales an RGB image by `scale` with a one-step diffusion pack. Returns a new RGB buffer of the same
 * bit depth, s × the input's size. Throws AbortedError when `signal` aborts (checked between tiles and stages).
 */
export async function runOneStepDiffusion(input: PixelBuffer, models: OneStepModels, o: OneStepOptions): Promise<PixelBuffer> {
  const r = await oneStepPlanes(input, models, o);
  const out = r.upscaled;
  quantisePlanes(r.planes, out); // 10b: written over the bicubic image, which is no longer needed
  const { output } = r.geometry;
  if (out.width === output.width && out.height === output.height) return out;
  return o.resize(out, output.width, output.height, 'lanczos3'); // 10c: small inputs back to s × the original
}
