/**
 * Choosing the tile size for a pixel-sr run: the user's explicit choice, else the largest tile the memory budget
 * allows, never above the pack's default (the pack author's tested size).
 */
import { tileSizeForBudget } from '../../tiling/plan';

export interface PackTiling {
  size: number;
  overlap: number;
  pad: number;
  multiple: number;
}

export interface TileChoice {
  tile: number;
  overlap: number;
  pad: number;
  multiple: number;
}

/** Smallest tile the budget may pick: below this, padding dominates and seams multiply. */
export const MIN_BUDGET_TILE = 64;

/**
 * Estimated peak bytes per model-input pixel of a Real-ESRGAN-like network at `scale`: float32 feature maps of
 * 64 channels at 1×, 2× and 4× resolution (area factors 1, 4, 16), two alive at a time (a layer's input and output).
 * For RRDBNet ×4 this is 4 · 64 · 21 · 2 ≈ 10.8 kB, i.e. about 2.8 GB for a 512² tile — the order of what
 * Real-ESRGAN users report for that tile size.
 */
export function pixelSrBytesPerInputPixel(scale: number): number {
  let area = 1;
  for (let s = 2; s <= scale; s *= 2) area += s * s;
  return 4 * 64 * area * 2;
}

/**
 * The tiling for one run. `freeBytes` is the memory the model may use (the caller takes a share of free memory).
 * An explicit tile is used as given (the planner rejects sizes that break the pack's `multiple`); the overlap shrinks
 * with small tiles so that a step between tiles remains.
 */
export function chooseTiling(pack: PackTiling, scale: number, opts: { explicit?: number; freeBytes: number }): TileChoice {
  const tile =
    opts.explicit ??
    tileSizeForBudget({
      bytesBudget: opts.freeBytes,
      bytesPerInputPixel: pixelSrBytesPerInputPixel(scale),
      multiple: pack.multiple,
      min: Math.min(MIN_BUDGET_TILE, pack.size),
      max: pack.size,
      pad: pack.pad,
    });
  const overlap = Math.min(pack.overlap, Math.floor(tile / 4 / pack.multiple) * pack.multiple);
  return { tile, overlap, pad: pack.pad, multiple: pack.multiple };
}
