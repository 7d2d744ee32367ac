/**
 * The one-step diffusion pipeline's options and the resampling it borrows from imaging (onestep-diffusion.ts runs
 * the stages; the stage modules take the parts they need).
 */
import type { DiffusionEstimate, StageCosts } from './diffusion-estimate';
import type { DiffusionParams } from './onestep-models';
import type { ColorFix, PromptMode } from './options';
import type { PixelBuffer, ProgressFn } from '../pixels/types';

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
