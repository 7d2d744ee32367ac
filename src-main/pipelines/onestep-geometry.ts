/**
 * One-step diffusion stages 1 (check: pixels, scale, settings, the models' tensors, with the offending values named)
 * and 2 (geometry: the sizes of a run, small inputs enlarged to OSEDiff's processing size).
 */
import { VAE_FACTOR, type Size } from './latent-tiles';
import { checkOneStepModels, type OneStepModels } from './onestep-models';
import type { OneStepOptions } from './onestep-options';
import type { PixelBuffer } from '../pixels/types';

/** OSEDiff's processing size: inputs whose short side is below ⌊512 / s⌋ are enlarged to it first. */
export const PROCESS_SIZE = 512;

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
