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
import { maxValueOf, quantise, reflectIndex } from '../pixels/tensor';
import type { ColorFix, PromptMode } from './options';
import { gaussianWeightFn } from '../tiling/blend';
import { applyColorFix, blendStrength } from './color-fix';
import { RunEstimator, SD21_COSTS, type DiffusionEstimate, type StageCosts } from './diffusion-estimate';
import { cosineWeights, latentRegion, LATENT_UNIT, PIXEL_UNIT, planStage, runTiled, stageHooks, VAE_FACTOR, type ModelStage, type Size, type StageRunOptions } from './latent-tiles';
import { checkOneStepModels, LATENT_CHANNELS, metadataOf, SD_TENSORS, type DiffusionParams, type OneStepModels, type TaggerModel } from './onestep-models';
import { assemblePrompt, selectTags } from './prompt';
import { x0FromEps } from './schedule';
import { throwIfAborted, type FloatTensor, type ModelRunner, type PixelBuffer, type ProgressFn } from '../pixels/types';

// The pipeline's public vocabulary lives in three helper modules; callers import it from here.
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

// ---------------------------------------------------------------------------------------------------------------
// Constants and options

/** The tagger's input normalisation (ImageNet statistics, as RAM / DAPE were trained). */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** OSEDiff's processing size: inputs whose short side is below ⌊512 / s⌋ are enlarged to it first. */
export const PROCESS_SIZE = 512;
/** Gaussian σ as a fraction of the UNet tile edge (the reference's var = 0.01 over a unit tile). */
export const UNET_SIGMA_FRACTION = 0.1;

/** Resampling the pipeline needs from imaging (it never touches image libraries itself). */
export type Resizer = (pixels: PixelBuffer, width: number, height: number, kernel: 'cubic' | 'lanczos3') => Promise<PixelBuffer>;

/** Tile sizes: VAE tiles and overlap in image pixels (multiples of 8), UNet tiles and overlap in latent pixels. */
export interface OneStepTiles {
  encode: number;
  decode: number;
  vaeOverlap: number;
  latent: number;
  latentOverlap: number;
}

export interface OneStepOptions {
  /** Output scale s (1 to 8; OSEDiff: 1, 2 or 4). */
  scale: number;
  diffusion: DiffusionParams;
  promptMode: PromptMode;
  /** The user's text: added after the tags (`tags`) or the whole prompt (`custom`). */
  prompt?: string;
  colorFix: ColorFix;
  /** 0–1: 1 = the model's result only, 0 = the bicubic input. */
  strength: number;
  tiles: OneStepTiles;
  resize: Resizer;
  /** Smallest tiles an out-of-memory retry goes down to: VAE in pixels (default 64), UNet in latent pixels (16). */
  minTiles?: { vae?: number; latent?: number };
  signal?: AbortSignal;
  /**
   * After every tile of 'encode', 'unet', 'decode' (restarts from 0 when a stage is retried with smaller tiles); also
   * 0/1 and 1/1 around 'prompt' and 'color-fix'.
   */
  onProgress?: ProgressFn;
  onWarning?: (message: string) => void;
  /** Called after the first tile of each model stage with the refined estimate of the time left. */
  onEstimate?: (e: DiffusionEstimate) => void;
  /** Cost ratios for extrapolating estimates; default {@link SD21_COSTS}. */
  costs?: StageCosts;
}

// ---------------------------------------------------------------------------------------------------------------
// 1. check

function requireInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${v}`);
}

/** Stage 1: the pixels and the settings; the models' tensors. */
export function checkInputs(input: PixelBuffer, models: OneStepModels, o: OneStepOptions): void {
  if (input.channels !== 3) throw new RangeError(`the diffusion pipeline takes RGB (3 channels), got ${input.channels}; handle alpha separately`);
  requireInt('image width', input.width, 1);
  requireInt('image height', input.height, 1);
  const expected = input.width * input.height * 3;
  if (input.data.length !== expected) {
    throw new RangeError(`image data holds ${input.data.length} values, expected ${input.width}×${input.height}×3 = ${expected}`);
  }
  requireInt('scale', o.scale, 1);
  if (o.scale > 8) throw new RangeError(`scale must be at most 8, got ${o.scale}`);
  if (!(o.strength >= 0 && o.strength <= 1)) throw new RangeError(`strength must be in [0, 1], got ${o.strength}`);
  const d = o.diffusion;
  if (!(d.alphaBar > 0 && d.alphaBar < 1)) throw new RangeError(`alphaBar must be in (0, 1), got ${d.alphaBar}`);
  if (!(d.vaeScalingFactor > 0)) throw new RangeError(`vaeScalingFactor must be positive, got ${d.vaeScalingFactor}`);
  requireInt('timestep', d.timestep, 0);
  const t = o.tiles;
  for (const [name, v] of [['encode tile', t.encode], ['decode tile', t.decode]] as const) {
    requireInt(name, v, VAE_FACTOR);
    if (v % VAE_FACTOR !== 0) throw new RangeError(`${name} must be a multiple of 8 pixels, got ${v}`);
  }
  requireInt('VAE overlap', t.vaeOverlap, 0);
  if (t.vaeOverlap % VAE_FACTOR !== 0) throw new RangeError(`VAE overlap must be a multiple of 8 pixels, got ${t.vaeOverlap}`);
  if (t.vaeOverlap >= Math.min(t.encode, t.decode)) {
    throw new RangeError(`VAE overlap ${t.vaeOverlap} must be smaller than the VAE tiles (encode ${t.encode}, decode ${t.decode})`);
  }
  requireInt('latent tile', t.latent, 1);
  requireInt('latent overlap', t.latentOverlap, 0);
  if (t.latentOverlap >= t.latent) throw new RangeError(`latent overlap ${t.latentOverlap} must be smaller than latent tile ${t.latent}`);
  if (o.promptMode === 'tags' && !models.tagger) {
    throw new RangeError('prompt mode "tags" needs a tagger, and this pack has none; use prompt mode "none" or "custom"');
  }
  if (o.promptMode === 'custom' && !(o.prompt ?? '').trim()) throw new RangeError('prompt mode "custom" needs prompt text');
  checkOneStepModels(models, d);
}

// ---------------------------------------------------------------------------------------------------------------
// 2. geometry

export interface OneStepGeometry {
  /** The input after small-input enlargement (the input's own size when none was needed). */
  source: Size;
  enlarged: boolean;
  /** source × s: the size the models work at (and the colour-fix reference). */
  upscaled: Size;
  /** upscaled, reflect-padded up to multiples of 8. */
  padded: Size;
  latent: Size;
  /** s × the original input. */
  output: Size;
}

/**
 * Stage 2: the sizes of a run. An input whose short side is below ⌊512 / s⌋ is enlarged (aspect kept) so the short
 * side is exactly that; the result is later resized back to s × the original.
 */
export function oneStepGeometry(width: number, height: number, scale: number): OneStepGeometry {
  requireInt('width', width, 1);
  requireInt('height', height, 1);
  requireInt('scale', scale, 1);
  const minShort = Math.floor(PROCESS_SIZE / scale);
  const short = Math.min(width, height);
  let source: Size = { width, height };
  if (short < minShort) {
    const f = minShort / short;
    source = width <= height
      ? { width: minShort, height: Math.max(minShort, Math.round(height * f)) }
      : { width: Math.max(minShort, Math.round(width * f)), height: minShort };
  }
  const upscaled = { width: source.width * scale, height: source.height * scale };
  const padded = { width: Math.ceil(upscaled.width / VAE_FACTOR) * VAE_FACTOR, height: Math.ceil(upscaled.height / VAE_FACTOR) * VAE_FACTOR };
  return {
    source,
    enlarged: source.width !== width || source.height !== height,
    upscaled,
    padded,
    latent: { width: padded.width / VAE_FACTOR, height: padded.height / VAE_FACTOR },
    output: { width: width * scale, height: height * scale },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 3. upscale and the padded model input

/** Stage 3a: the bicubic enlargement to the working size, as a buffer the pipeline may overwrite. */
export async function upscaleInput(input: PixelBuffer, g: OneStepGeometry, resize: Resizer): Promise<PixelBuffer> {
  const up = await resize(input, g.upscaled.width, g.upscaled.height, 'cubic');
  if (up.width !== g.upscaled.width || up.height !== g.upscaled.height || up.channels !== 3) {
    throw new Error(`resize returned ${up.width}×${up.height}×${up.channels}, expected ${g.upscaled.width}×${g.upscaled.height}×3`);
  }
  // The output is written into this buffer at the end: never into the caller's pixels.
  return up.data === input.data ? { ...up, data: up.data.slice() } : up;
}

/**
 * Stage 3b: `rect` (possibly reaching beyond the padded image) of the image reflect-padded to `padded`, as NCHW
 * float32 in [-1, 1]. Pixels beyond the upscaled image are mirrored (numpy/torch 'reflect': the edge pixel is not
 * repeated); pixels beyond the padded image (tile context) mirror the padded image in turn.
 */
export function paddedRegion(up: PixelBuffer, padded: Size, rect: { x: number; y: number; w: number; h: number }): FloatTensor {
  const xs = new Int32Array(rect.w);
  for (let i = 0; i < rect.w; i++) xs[i] = reflectIndex(reflectIndex(rect.x + i, padded.width), up.width);
  const out = new Float32Array(3 * rect.w * rect.h);
  const scale = 2 / maxValueOf(up.data);
  const plane = rect.w * rect.h;
  for (let j = 0; j < rect.h; j++) {
    const row = reflectIndex(reflectIndex(rect.y + j, padded.height), up.height) * up.width;
    for (let i = 0; i < rect.w; i++) {
      const p = (row + xs[i]!) * 3;
      const q = j * rect.w + i;
      out[q] = up.data[p]! * scale - 1;
      out[plane + q] = up.data[p + 1]! * scale - 1;
      out[2 * plane + q] = up.data[p + 2]! * scale - 1;
    }
  }
  return { data: out, dims: [1, 3, rect.h, rect.w] };
}

// ---------------------------------------------------------------------------------------------------------------
// 4. encode

/**
 * Stage 4: the VAE encoder over tiles of the padded image (`tile`/`overlap` in pixels, multiples of 8), blended
 * with raised-cosine weights. Returns the latent mean × scaling factor, planar [4, h/8, w/8].
 */
export async function encodeLatent(
  up: PixelBuffer,
  g: OneStepGeometry,
  runner: ModelRunner,
  o: StageRunOptions & { tile: number; overlap: number; scalingFactor: number },
): Promise<Float32Array> {
  const { input, output } = SD_TENSORS.vaeEncoder;
  const { width: lw, height: lh } = g.latent;
  const latent = new Float32Array(LATENT_CHANNELS * lw * lh);
  const sf = o.scalingFactor;
  const plane = lw * lh;
  await runTiled(
    {
      stage: 'encode',
      grid: g.latent,
      tile: o.tile / VAE_FACTOR,
      overlap: o.overlap / VAE_FACTOR,
      outScale: 1,
      channels: LATENT_CHANNELS,
      weights: cosineWeights,
      run: async (t) => {
        const rect = {
          x: (t.source.x - t.mirror.left) * VAE_FACTOR,
          y: (t.source.y - t.mirror.top) * VAE_FACTOR,
          w: t.input.w * VAE_FACTOR,
          h: t.input.h * VAE_FACTOR,
        };
        const out = await runner.run({ [input]: paddedRegion(up, g.padded, rect) });
        return requireOutput('VAE encoder', out, output);
      },
      onRow: (y, row) => {
        for (let k = 0; k < LATENT_CHANNELS; k++) {
          const dst = k * plane + y * lw;
          for (let x = 0; x < lw; x++) latent[dst + x] = row[k * lw + x]! * sf;
        }
      },
      ...stageHooks(o),
    },
    Math.max(1, Math.round((o.minTile ?? 64) / VAE_FACTOR)),
    PIXEL_UNIT,
    o.onWarning,
  );
  return latent;
}

function requireOutput(what: string, out: Record<string, FloatTensor>, name: string): FloatTensor {
  const t = out[name];
  if (!t) throw new Error(`${what} returned no "${name}" (it returned: ${Object.keys(out).join(', ')})`);
  return t;
}

// ---------------------------------------------------------------------------------------------------------------
// 5. prompt

/** The tagger's input: an RGB image of inputSize² as [1, 3, S, S], normalised with ImageNet mean and std. */
export function taggerInput(img: PixelBuffer): FloatTensor {
  const { width: w, height: h } = img;
  const plane = w * h;
  const out = new Float32Array(3 * plane);
  const max = maxValueOf(img.data);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[c * plane + i] = (img.data[i * img.channels + c]! / max - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
  }
  return { data: out, dims: [1, 3, h, w] };
}

/** Tags for an image: the tagger on the image resized to its input size, then the per-tag thresholds. */
export async function tagImage(up: PixelBuffer, tagger: TaggerModel, resize: Resizer): Promise<string[]> {
  const small = await resize(up, tagger.inputSize, tagger.inputSize, 'cubic');
  const inputName = tagger.runner.inputNames[0]!;
  const outputName = tagger.runner.outputNames[0]!;
  const out = requireOutput('tagger', await tagger.runner.run({ [inputName]: taggerInput(small) }), outputName);
  if (out.data.length !== tagger.tags.length) {
    throw new RangeError(`tagger returned ${out.data.length} logits ([${out.dims.join(', ')}]) for ${tagger.tags.length} tags`);
  }
  return selectTags(out.data, tagger.tags, tagger.thresholds);
}

/** Stage 5: the prompt text for the mode, and its text-encoder hidden state [1, maxTokens, hiddenSize]. */
export async function promptEmbedding(
  up: PixelBuffer,
  models: OneStepModels,
  o: Pick<OneStepOptions, 'promptMode' | 'prompt' | 'resize' | 'diffusion'>,
): Promise<{ prompt: string; tags: string[]; embedding: FloatTensor }> {
  const tags = o.promptMode === 'tags' ? await tagImage(up, models.tagger!, o.resize) : [];
  const prompt = assemblePrompt(o.promptMode, { tags, ...(o.prompt !== undefined ? { userText: o.prompt } : {}) });
  const embedding = await models.prompts.embed(prompt);
  const want = [1, o.diffusion.maxTokens, o.diffusion.hiddenSize];
  if (embedding.dims.length !== 3 || embedding.dims.some((d, i) => d !== want[i])) {
    throw new RangeError(
      `prompt embedding is [${embedding.dims.join(', ')}] but the manifest says [${want.join(', ')}] (diffusion.maxTokens, diffusion.hiddenSize)`,
    );
  }
  return { prompt, tags, embedding };
}

// ---------------------------------------------------------------------------------------------------------------
// 6. unet

/**
 * Stage 6: ε = UNet(z, t, hidden state) over latent tiles (`tile`/`overlap` in latent pixels), blended with Gaussian
 * weights centred on each tile (σ = 0.1 × its edge per axis). Returns ε planar [4, h, w].
 */
export async function predictNoise(
  z: Float32Array,
  size: Size,
  embedding: FloatTensor,
  runner: ModelRunner,
  o: StageRunOptions & { tile: number; overlap: number; timestep: number },
): Promise<Float32Array<ArrayBuffer>> {
  const names = SD_TENSORS.unet;
  const { width: lw, height: lh } = size;
  const eps = new Float32Array(LATENT_CHANNELS * lw * lh);
  const plane = lw * lh;
  // A timestep declared as a scalar takes dims []; the usual export declares [1]. The runner casts the type.
  const tsMeta = metadataOf(runner.inputMetadata, names.timestep);
  const timestep: FloatTensor = { data: Float32Array.of(o.timestep), dims: tsMeta && tsMeta.shape.length === 0 ? [] : [1] };
  await runTiled(
    {
      stage: 'unet',
      grid: size,
      tile: o.tile,
      overlap: o.overlap,
      outScale: 1,
      channels: LATENT_CHANNELS,
      weights: () => gaussianWeightFn(UNET_SIGMA_FRACTION),
      run: async (t) => {
        const out = await runner.run({
          [names.sample]: latentRegion(z, LATENT_CHANNELS, size, t),
          [names.timestep]: timestep,
          [names.hidden]: embedding,
        });
        return requireOutput('UNet', out, names.output);
      },
      onRow: (y, row) => {
        for (let k = 0; k < LATENT_CHANNELS; k++) eps.set(row.subarray(k * lw, (k + 1) * lw), k * plane + y * lw);
      },
      ...stageHooks(o),
    },
    o.minTile ?? 16,
    LATENT_UNIT,
    o.onWarning,
  );
  return eps;
}

// ---------------------------------------------------------------------------------------------------------------
// 7. x0

/** Stage 7: x0 = (z − √(1−ᾱ)·ε)/√ᾱ, divided by the scaling factor for the decoder; written over `eps`. */
export function decoderLatent(z: Float32Array, eps: Float32Array<ArrayBuffer>, alphaBar: number, scalingFactor: number): Float32Array<ArrayBuffer> {
  x0FromEps(z, eps, alphaBar, eps);
  const x0 = eps;
  const inv = Math.fround(1 / scalingFactor);
  for (let i = 0; i < x0.length; i++) x0[i] = x0[i]! * inv;
  return x0;
}

// ---------------------------------------------------------------------------------------------------------------
// 8. decode

/**
 * Stage 8: the VAE decoder over latent tiles (`tile`/`overlap` in output pixels, multiples of 8), blended with
 * raised-cosine weights; each finished row is clamped to [-1, 1], mapped to [0, 1] and cropped to `crop`.
 * Returns planar [3, crop.height, crop.width].
 */
export async function decodeLatent(
  latent: Float32Array,
  size: Size,
  crop: Size,
  runner: ModelRunner,
  o: StageRunOptions & { tile: number; overlap: number },
): Promise<Float32Array<ArrayBuffer>> {
  const { input, output } = SD_TENSORS.vaeDecoder;
  const W = crop.width;
  const H = crop.height;
  const fullW = size.width * VAE_FACTOR;
  if (W > fullW || H > size.height * VAE_FACTOR) throw new RangeError(`crop ${W}×${H} is larger than the decoded ${fullW}×${size.height * VAE_FACTOR}`);
  const planes = new Float32Array(3 * W * H);
  const plane = W * H;
  await runTiled(
    {
      stage: 'decode',
      grid: size,
      tile: o.tile / VAE_FACTOR,
      overlap: o.overlap / VAE_FACTOR,
      outScale: VAE_FACTOR,
      channels: 3,
      weights: cosineWeights,
      run: async (t) => requireOutput('VAE decoder', await runner.run({ [input]: latentRegion(latent, LATENT_CHANNELS, size, t) }), output),
      onRow: (y, row) => {
        if (y >= H) return; // padding rows
        for (let k = 0; k < 3; k++) {
          const src = k * fullW;
          const dst = k * plane + y * W;
          for (let x = 0; x < W; x++) {
            const v = row[src + x]!;
            planes[dst + x] = ((v < -1 ? -1 : v > 1 ? 1 : v) + 1) * 0.5;
          }
        }
      },
      ...stageHooks(o),
    },
    Math.max(1, Math.round((o.minTile ?? 64) / VAE_FACTOR)),
    PIXEL_UNIT,
    o.onWarning,
  );
  return planes;
}

// ---------------------------------------------------------------------------------------------------------------
// 9. colour fix

/** One channel of an interleaved integer image as floats in [0, 1], into `out`. */
function channelPlane(img: PixelBuffer, c: number, out: Float32Array): Float32Array {
  const inv = 1 / maxValueOf(img.data);
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) out[i] = img.data[i * img.channels + c]! * inv;
  return out;
}

/**
 * Stage 9: colour fix of the decoded planes (in place) against the bicubic image, one channel at a time (the
 * statistics and wavelet bands are per channel), then clamp to [0, 1].
 */
export function colorFixPlanes(kind: ColorFix, planes: Float32Array<ArrayBuffer>, style: PixelBuffer): void {
  const { width: W, height: H } = style;
  const plane = W * H;
  if (planes.length !== 3 * plane) throw new RangeError(`colour fix: ${planes.length} values for a ${W}×${H} RGB image`);
  if (kind !== 'none') {
    const stylePlane = new Float32Array(plane);
    for (let c = 0; c < 3; c++) {
      const content = planes.subarray(c * plane, (c + 1) * plane);
      applyColorFix(kind, content, channelPlane(style, c, stylePlane), 1, H, W, content);
    }
  }
  for (let i = 0; i < planes.length; i++) {
    const v = planes[i]!;
    planes[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 10. strength and quantisation

/** Stage 10a: strength blend with the bicubic image (in place, row by row; strength 1 leaves the planes untouched). */
export function blendWithInput(planes: Float32Array<ArrayBuffer>, up: PixelBuffer, strength: number): void {
  if (strength === 1) return;
  const { width: W, height: H } = up;
  const plane = W * H;
  const inv = 1 / maxValueOf(up.data);
  const inputRow = new Float32Array(W);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) inputRow[x] = up.data[(y * W + x) * 3 + c]! * inv;
      const row = planes.subarray(c * plane + y * W, c * plane + (y + 1) * W);
      blendStrength(row, inputRow, strength, row);
    }
  }
}

/** Stage 10b: planar [0, 1] floats → the interleaved integer image `out` (rounded, clamped). */
export function quantisePlanes(planes: Float32Array, out: PixelBuffer): void {
  const plane = out.width * out.height;
  if (planes.length !== 3 * plane || out.channels !== 3) throw new RangeError(`quantise: ${planes.length} values for ${out.width}×${out.height}×${out.channels}`);
  const max = maxValueOf(out.data);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out.data[i * 3 + c] = quantise(planes[c * plane + i]!, max);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The whole run

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
