/**
 * High-quality resampling of in-memory pixels: the 2×/3× outputs are made from the model's 4× by a Lanczos-3
 * downscale, and the alpha channel is upscaled the same way to meet the restored colour. The diffusion pipeline's
 * input enlargement is bicubic ({@link resizeCubic}), as OSEDiff was trained on bicubic-upscaled inputs.
 */
import type { PixelBuffer } from '../pixels/types';
import { sharp } from './sharp-instance';

function requireSize(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
}

/** Resampling kernels offered here (sharp's names): Lanczos-3 by default, bicubic (Catmull-Rom) for model inputs. */
export type ResizeKernel = 'lanczos3' | 'cubic';

/** Resamples interleaved pixels with `channels` bands (1 to 4) to exactly `width`×`height` (Lanczos-3 by default). */
async function resample<T extends Uint8Array | Uint16Array>(
  data: T,
  from: { width: number; height: number; channels: 1 | 2 | 3 | 4 },
  width: number,
  height: number,
  kernel: ResizeKernel = 'lanczos3',
): Promise<T> {
  requireSize('width', width);
  requireSize('height', height);
  const expected = from.width * from.height * from.channels;
  if (data.length !== expected) {
    throw new RangeError(`pixel buffer has ${data.length} samples, expected ${expected} for ${from.width}×${from.height}×${from.channels}`);
  }
  const is16 = data instanceof Uint16Array;
  if (width === from.width && height === from.height) return data.slice() as T;
  // sharp converts its output to 8-bit sRGB unless told otherwise: name the colour space that keeps both the band
  // count (grey stays one band) and the depth (16-bit stays 16-bit, unscaled).
  const grey = from.channels <= 2;
  const space = grey ? (is16 ? 'grey16' : 'b-w') : is16 ? 'rgb16' : 'srgb';
  const out = await sharp(data, { raw: { width: from.width, height: from.height, channels: from.channels }, limitInputPixels: false })
    .resize(width, height, { fit: 'fill', kernel })
    .toColourspace(space)
    .raw({ depth: is16 ? 'ushort' : 'uchar' })
    .toBuffer();
  return (is16
    ? new Uint16Array(out.buffer, out.byteOffset, out.byteLength / 2).slice()
    : new Uint8Array(out.buffer, out.byteOffset, out.byteLength)) as T;
}

/**
 * Resizes an image to exactly `width`×`height` (aspect ratio is the caller's business) with Lanczos-3, keeping its
 * channel count and bit depth.
 */
export async function resizeTo(pixels: PixelBuffer, width: number, height: number): Promise<PixelBuffer> {
  const data = await resample(pixels.data, pixels, width, height);
  return { data, width, height, channels: pixels.channels };
}

/** Resizes a single-channel 8- or 16-bit plane (an alpha channel) to `width`×`height` with Lanczos-3, keeping its depth. */
export async function resizePlane<T extends Uint8Array | Uint16Array>(
  plane: T,
  from: { width: number; height: number },
  width: number,
  height: number,
): Promise<T> {
  return resample(plane, { ...from, channels: 1 }, width, height);
}

/**
 * Resizes an image to exactly `width`×`height` with the bicubic kernel, keeping its channel count and bit depth —
 * the enlargement that feeds the diffusion pipeline (and its tagger input).
 */
export async function resizeCubic(pixels: PixelBuffer, width: number, height: number): Promise<PixelBuffer> {
  const data = await resample(pixels.data, pixels, width, height, 'cubic');
  return { data, width, height, channels: pixels.channels };
}
