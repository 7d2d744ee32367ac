/**
 * High-quality resampling of in-memory pixels, all on the centred grid ({@link resampleCentred}: PIL and torch
 * `align_corners=False` semantics): the 2×/3× outputs are made from the model's 4× by a Lanczos-3 downscale, and the
 * alpha channel is resized the same way to meet the restored colour. The diffusion pipeline's input enlargement is
 * bicubic a = −0.5 ({@link resizeCubic}), as OSEDiff was trained on PIL-bicubic-upscaled inputs. Enlargements are
 * computed here, not by libvips, whose upscaling grid sits half an output pixel off the centred one; reductions go
 * to libvips, whose reducing grid is the centred one (both are checked by test/unit/imaging/resize-centred.test.ts).
 */
import type { PixelBuffer } from '../pixels/types';
import { resampleCentred, type CentredKernel } from './resample-centred';
import { sharp } from './sharp-instance';

function requireSize(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
}

/** Resampling kernels offered here: Lanczos-3 by default, bicubic (a = −0.5, PIL's) for model inputs. */
export type ResizeKernel = CentredKernel;

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
  if (width === from.width && height === from.height) return data.slice() as T;
  // libvips reduces on the centred grid (only its enlargement is shifted), and ~30× faster than the loop here: the
  // pixel-SR path's 4× → 2×/3× Lanczos of a large photo stays a fraction of a second. Not at 16 bits: there its
  // reduction darkens by ~0.12 % (a constant 40000 comes back 39951), so those take the exact loop.
  if (width <= from.width && height <= from.height && data instanceof Uint8Array) return (await reduceWithVips(data, from, width, height, kernel)) as T;
  // Yield once so a large resize does not run inside the caller's synchronous stretch (progress messages go out first).
  await Promise.resolve();
  return resampleCentred(data, from, width, height, kernel);
}

/** An 8-bit reduction by libvips (same bands out as in). */
async function reduceWithVips(
  data: Uint8Array,
  from: { width: number; height: number; channels: 1 | 2 | 3 | 4 },
  width: number,
  height: number,
  kernel: ResizeKernel,
): Promise<Uint8Array> {
  // sharp converts its output to sRGB unless told otherwise: grey must stay one band.
  const out = await sharp(data, { raw: { width: from.width, height: from.height, channels: from.channels }, limitInputPixels: false })
    .resize(width, height, { fit: 'fill', kernel })
    .toColourspace(from.channels <= 2 ? 'b-w' : 'srgb')
    .raw({ depth: 'uchar' })
    .toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
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
