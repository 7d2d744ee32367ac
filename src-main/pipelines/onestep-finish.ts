/**
 * One-step diffusion stages 9 (colour fix of the decoded planes against the bicubic input, in float) and 10 (strength
 * blend with the bicubic input, then quantisation into integer pixels).
 */
import { maxValueOf, quantise } from '../pixels/tensor';
import { applyColorFix, blendStrength } from './color-fix';
import type { ColorFix } from './options';
import type { PixelBuffer } from '../pixels/types';

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
