/**
 * The colouriser's input: the photo's lightness as a grey RGB image at the model's square size (the DDColor layout,
 * which resizes to a square whatever the aspect, and whose chroma is stretched back the same way).
 *
 * Bounded memory for any photo: luminance Y is averaged over whole bins of kx × ky pixels, streaming the rows once
 * (kx = ⌊W / size⌋, ky = ⌊H / size⌋, at least 1, so the binned plane is under twice the model's size on each axis),
 * then resampled bilinearly on the centred grid to size × size and sRGB-encoded: the grey with the same L* as the
 * averaged light.
 */
import type { PixelBuffer } from '../../pixels/types';
import { decodeTable, encodeLinear, luminance } from './lab-rows';

/** Y averaged over kx × ky bins: a plane of ⌈W/kx⌉ × ⌈H/ky⌉ (edge bins average the pixels they hold). */
function binnedLuminance(rgb: PixelBuffer, size: number): { plane: Float32Array; width: number; height: number } {
  const { width: W, height: H, channels, data } = rgb;
  const kx = Math.max(1, Math.floor(W / size));
  const ky = Math.max(1, Math.floor(H / size));
  const bw = Math.ceil(W / kx);
  const bh = Math.ceil(H / ky);
  const sum = new Float64Array(bw * bh);
  const count = new Uint32Array(bw * bh);
  const lut = decodeTable(data instanceof Uint16Array ? 16 : 8);
  for (let y = 0; y < H; y++) {
    const row = Math.floor(y / ky) * bw;
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * channels;
      const bin = row + Math.floor(x / kx);
      sum[bin]! += luminance(lut[data[i]!]!, lut[data[i + 1]!]!, lut[data[i + 2]!]!);
      count[bin]!++;
    }
  }
  const plane = new Float32Array(bw * bh);
  for (let i = 0; i < plane.length; i++) plane[i] = sum[i]! / count[i]!;
  return { plane, width: bw, height: bh };
}

/** Source coordinate and weight of each of `n` target samples over `from` samples (centred grid, edges clamped). */
export function bilinearTaps(from: number, n: number): { i0: Int32Array; i1: Int32Array; w: Float32Array } {
  const i0 = new Int32Array(n);
  const i1 = new Int32Array(n);
  const w = new Float32Array(n);
  const ratio = from / n;
  for (let t = 0; t < n; t++) {
    const s = Math.min(Math.max((t + 0.5) * ratio - 0.5, 0), from - 1);
    const lo = Math.floor(s);
    i0[t] = lo;
    i1[t] = Math.min(lo + 1, from - 1);
    w[t] = s - lo;
  }
  return { i0, i1, w };
}

/**
 * The model's input tensor data, NCHW [1, 3, size, size]: the grey of each resampled pixel's lightness (0–1 sRGB)
 * mapped onto `range`, the same in all three channels.
 */
export function greyInput(rgb: PixelBuffer, size: number, range: readonly [number, number]): Float32Array {
  const b = binnedLuminance(rgb, size);
  const tx = bilinearTaps(b.width, size);
  const ty = bilinearTaps(b.height, size);
  const out = new Float32Array(3 * size * size);
  const plane = size * size;
  const [lo, hi] = range;
  for (let y = 0; y < size; y++) {
    const r0 = ty.i0[y]! * b.width;
    const r1 = ty.i1[y]! * b.width;
    const wy = ty.w[y]!;
    for (let x = 0; x < size; x++) {
      const x0 = tx.i0[x]!;
      const x1 = tx.i1[x]!;
      const wx = tx.w[x]!;
      const top = b.plane[r0 + x0]! + wx * (b.plane[r0 + x1]! - b.plane[r0 + x0]!);
      const bottom = b.plane[r1 + x0]! + wx * (b.plane[r1 + x1]! - b.plane[r1 + x0]!);
      const g = lo + (hi - lo) * encodeLinear(top + wy * (bottom - top));
      const i = y * size + x;
      out[i] = g;
      out[plane + i] = g;
      out[2 * plane + i] = g;
    }
  }
  return out;
}
