/**
 * Joins the model's chroma with the photo's own lightness, at the photo's full resolution: the a*b* planes (model
 * size) are upsampled bilinearly on the centred grid — as DDColor does with F.interpolate, so the chroma is smooth and
 * has no blocks — one output row at a time, and every pixel keeps its original luminance (L*) exactly; detail lives in
 * lightness, so it never drops to the model's resolution. Extra memory: two rows of the model's size and the column
 * taps, whatever the photo's size.
 *
 * Strength s blends the chroma in Lab: a* = (1 − s)·a*original + s·a*model (b* the same); L* is never touched.
 */
import type { PixelBuffer } from '../../pixels/types';
import { decodeTable, encodeLinear, labKeepingY, linearToLab, luminance } from './lab-rows';
import { bilinearTaps } from './model-input';

/** The model's chroma: a* and b* planes (CIELAB units) of `size` × `size`. */
export interface ChromaPlanes {
  a: Float32Array;
  b: Float32Array;
  size: number;
}

/** One output row's chroma, upsampled: vertical blend of two model rows, then horizontal taps. */
function chromaRow(c: ChromaPlanes, y: number, ty: ReturnType<typeof bilinearTaps>, rowA: Float32Array, rowB: Float32Array): void {
  const r0 = ty.i0[y]! * c.size;
  const r1 = ty.i1[y]! * c.size;
  const w = ty.w[y]!;
  for (let x = 0; x < c.size; x++) {
    rowA[x] = c.a[r0 + x]! + w * (c.a[r1 + x]! - c.a[r0 + x]!);
    rowB[x] = c.b[r0 + x]! + w * (c.b[r1 + x]! - c.b[r0 + x]!);
  }
}

/** The photo with its chroma replaced (blended by `strength`, 0–1) by `chroma`, same size, depth and channels. */
export function combineChroma(rgb: PixelBuffer, chroma: ChromaPlanes, strength: number): PixelBuffer {
  const { width: W, height: H, channels, data } = rgb;
  const deep = data instanceof Uint16Array;
  const max = deep ? 65535 : 255;
  const out = deep ? new Uint16Array(data.length) : new Uint8Array(data.length);
  const lut = decodeTable(deep ? 16 : 8);
  const tx = bilinearTaps(chroma.size, W);
  const ty = bilinearTaps(chroma.size, H);
  const rowA = new Float32Array(chroma.size);
  const rowB = new Float32Array(chroma.size);
  const lab = new Float64Array(3);
  const lin = new Float64Array(3);
  for (let y = 0; y < H; y++) {
    chromaRow(chroma, y, ty, rowA, rowB);
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * channels;
      const R = lut[data[i]!]!;
      const G = lut[data[i + 1]!]!;
      const B = lut[data[i + 2]!]!;
      const x0 = tx.i0[x]!;
      const x1 = tx.i1[x]!;
      const wx = tx.w[x]!;
      let a = rowA[x0]! + wx * (rowA[x1]! - rowA[x0]!);
      let b = rowB[x0]! + wx * (rowB[x1]! - rowB[x0]!);
      if (strength < 1) {
        linearToLab(R, G, B, lab);
        a = lab[1]! + strength * (a - lab[1]!);
        b = lab[2]! + strength * (b - lab[2]!);
      }
      labKeepingY(luminance(R, G, B), a, b, lin);
      out[i] = Math.round(encodeLinear(lin[0]!) * max);
      out[i + 1] = Math.round(encodeLinear(lin[1]!) * max);
      out[i + 2] = Math.round(encodeLinear(lin[2]!) * max);
      if (channels === 4) out[i + 3] = data[i + 3]!;
    }
  }
  return { data: out, width: W, height: H, channels };
}
