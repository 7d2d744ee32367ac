/**
 * Choosing the tiles of a diffusion run from a memory budget: the largest VAE and UNet tiles whose estimated peak
 * memory fits, never above the pack's defaults (the pack author's tested sizes).
 *
 * The estimates are for SD 2.1's networks in float32 (a pack with fp16 weights needs less, so they err on the safe
 * side) and include the self-attention matrices, which grow with the square of the tile's area:
 * - VAE encoder, T×T pixels: ~2 kB per pixel of activations (128-channel maps at full resolution, a few alive) plus the
 *   mid-block attention over (T/8)² tokens, one head: 4·((T/8)²)² bytes.
 * - VAE decoder: ~4 kB per pixel (256-channel maps reach full resolution before the last up block) plus the same
 *   attention term.
 * - UNet, t×t latent pixels: ~16 kB per latent pixel (320–1280-channel maps and the skip connections the decoder path
 *   keeps) plus self-attention at full latent resolution, 5 heads: 5·4·(t²)² bytes.
 * An out-of-memory error still gets its smaller-tile retry in the pipeline; this only picks the starting point.
 */
import type { OneStepManifest } from '../../models/manifest';
import type { OneStepTiles } from '../../pipelines/onestep-diffusion';

const VAE_ATTENTION_BYTES = (tile: number): number => 4 * ((tile / 8) ** 2) ** 2;

/** Estimated peak bytes of the SD VAE encoder on a tile×tile image tile. */
export function vaeEncoderBytes(tile: number): number {
  return 2048 * tile * tile + VAE_ATTENTION_BYTES(tile);
}

/** Estimated peak bytes of the SD VAE decoder producing a tile×tile image tile. */
export function vaeDecoderBytes(tile: number): number {
  return 4096 * tile * tile + VAE_ATTENTION_BYTES(tile);
}

/** Estimated peak bytes of the SD 2.1 UNet on a tile×tile latent tile. */
export function unetBytes(tile: number): number {
  const tokens = tile * tile;
  return 16384 * tokens + 5 * 4 * tokens * tokens;
}

/** The largest multiple of `step` in [min, max] with bytes(edge) ≤ budget; `min` when none fits. */
function largestFitting(bytes: (edge: number) => number, budget: number, step: number, min: number, max: number): number {
  let best = min;
  for (let edge = min; edge <= max; edge += step) if (bytes(edge) <= budget) best = edge;
  return best;
}

/** Smallest tiles the budget may choose (the OOM retry can go lower). */
export const MIN_VAE_TILE = 128;
export const MIN_LATENT_TILE = 32;

/**
 * The tiles for a run. `freeBytes` is the memory one model run may use. `explicitLatentTile` (the request's `tile`)
 * sets the UNet tile as given; the VAE tiles always come from the budget. Overlaps are the pack's, capped at half a
 * tile when the budget makes tiles small, and kept to multiples of 8 pixels for the VAE.
 */
export function chooseDiffusionTiles(m: OneStepManifest, freeBytes: number, explicitLatentTile?: number): OneStepTiles {
  if (!(freeBytes > 0)) throw new RangeError(`freeBytes must be positive, got ${freeBytes}`);
  const v = m.diffusion.vaeTile;
  const floor8 = (n: number): number => Math.max(8, Math.floor(n / 8) * 8);
  const encode = largestFitting(vaeEncoderBytes, freeBytes, 8, Math.min(MIN_VAE_TILE, floor8(v.encode)), floor8(v.encode));
  const decode = largestFitting(vaeDecoderBytes, freeBytes, 8, Math.min(MIN_VAE_TILE, floor8(v.decode)), floor8(v.decode));
  const latent = explicitLatentTile ?? largestFitting(unetBytes, freeBytes, 8, Math.min(MIN_LATENT_TILE, m.tile.size), m.tile.size);
  const vaeOverlap = Math.min(v.overlap - (v.overlap % 8), Math.floor(Math.min(encode, decode) / 2 / 8) * 8);
  const latentOverlap = Math.min(m.tile.overlap, Math.floor(latent / 2));
  return { encode, decode, vaeOverlap, latent, latentOverlap };
}
