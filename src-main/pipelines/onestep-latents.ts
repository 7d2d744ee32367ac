/**
 * One-step diffusion stages over latents: 3 (the bicubic upscale and the padded model input), 4 (VAE encoder), 6
 * (UNet noise prediction), 7 (x0 from ε) and 8 (VAE decoder). Each model stage runs over overlapping tiles and
 * blends them (latent-tiles.ts), retrying with smaller tiles when out of memory.
 */
import { resizeCubic } from '../imaging/resize';
import { maxValueOf, reflectIndex } from '../pixels/tensor';
import { gaussianWeightFn } from '../tiling/blend';
import { cosineWeights, latentRegion, LATENT_UNIT, PIXEL_UNIT, planStage, runTiled, stageHooks, VAE_FACTOR, type Size, type StageRunOptions } from './latent-tiles';
import type { OneStepGeometry } from './onestep-geometry';
import { LATENT_CHANNELS, metadataOf, requireOutput, SD_TENSORS } from './onestep-models';
import type { Resizer } from './onestep-options';
import { x0FromEps } from './schedule';
import { isTileConsistent, resamplePlanes, stageStatsFeeds, statsSize } from './vae-norm';
import type { FloatTensor, ModelRunner, PixelBuffer } from '../pixels/types';

/** Gaussian σ as a fraction of the UNet tile edge (the reference's var = 0.01 over a unit tile). */
export const UNET_SIGMA_FRACTION = 0.1;

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
  const norm = await encoderStatsFeeds(up, g, runner, o);
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
        const out = await runner.run({ [input]: paddedRegion(up, g.padded, rect), ...norm });
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

/**
 * Stage 4a: the statistics the encoder's normalisation layers use in every tile (tile-consistent graphs only): from
 * one run on the whole bicubic image reduced to one tile's area when there are several tiles.
 */
async function encoderStatsFeeds(up: PixelBuffer, g: OneStepGeometry, runner: ModelRunner, o: { tile: number; overlap: number }): Promise<Record<string, FloatTensor>> {
  if (!isTileConsistent(runner)) return {};
  const tiles = planStage(g.latent, o.tile / VAE_FACTOR, o.overlap / VAE_FACTOR, 1).length;
  const small = statsSize(up.width, up.height, o.tile, VAE_FACTOR);
  const reduced = tiles > 1 ? await resizeCubic(up, small.width, small.height) : up;
  return stageStatsFeeds(runner, tiles, () => ({ [SD_TENSORS.vaeEncoder.input]: paddedRegion(reduced, small, { x: 0, y: 0, w: small.width, h: small.height }) }));
}

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

/** Stage 7: x0 = (z − √(1−ᾱ)·ε)/√ᾱ, divided by the scaling factor for the decoder; written over `eps`. */
export function decoderLatent(z: Float32Array, eps: Float32Array<ArrayBuffer>, alphaBar: number, scalingFactor: number): Float32Array<ArrayBuffer> {
  x0FromEps(z, eps, alphaBar, eps);
  const x0 = eps;
  const inv = Math.fround(1 / scalingFactor);
  for (let i = 0; i < x0.length; i++) x0[i] = x0[i]! * inv;
  return x0;
}

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
  const norm = isTileConsistent(runner)
    ? await stageStatsFeeds(runner, planStage(size, o.tile / VAE_FACTOR, o.overlap / VAE_FACTOR, VAE_FACTOR).length, () => {
        const small = statsSize(size.width, size.height, o.tile / VAE_FACTOR, 1);
        return { [input]: resamplePlanes(latent, LATENT_CHANNELS, size, small) };
      })
    : {};
  await runTiled(
    {
      stage: 'decode',
      grid: size,
      tile: o.tile / VAE_FACTOR,
      overlap: o.overlap / VAE_FACTOR,
      outScale: VAE_FACTOR,
      channels: 3,
      weights: cosineWeights,
      run: async (t) => requireOutput('VAE decoder', await runner.run({ [input]: latentRegion(latent, LATENT_CHANNELS, size, t), ...norm }), output),
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
