/**
 * Encoding pixels into image files. Writing them (atomically) lives in atomic.ts, re-exported here.
 *
 * Metadata (for now): with `keepMetadataFrom`, EXIF, XMP and IPTC are copied from the source file by sharp; pixels are
 * sRGB and the output carries an sRGB ICC profile; the EXIF orientation is 1 because the pixels are upright. TIFF
 * output carries no EXIF (libvips cannot write it there). Full metadata handling is a later step (imaging/metadata).
 */
import type { PixelBuffer } from '../pipelines/types';
import { ImageError } from './errors';
import type { OutputFormat } from './formats';
import { sharp, type Sharp } from './sharp-instance';

export { atomicTempPath, writeAtomic, type WriteAtomicOptions } from './atomic';
export { resizePlane, resizeTo } from './resize';

/** Largest side each output format can store (libwebp: 16383; JPEG: 16-bit size fields; libvips caps HEIF/AVIF at 16384). */
export const MAX_OUTPUT_SIDE: Readonly<Record<OutputFormat, number>> = {
  jpg: 65535,
  png: 2 ** 31 - 1,
  webp: 16383,
  tiff: 2 ** 32 - 1,
  avif: 16384,
};

/** Default quality per lossy format (PNG and TIFF are lossless and ignore quality). */
export const DEFAULT_QUALITY: Readonly<Record<OutputFormat, number>> = { jpg: 92, png: 100, webp: 90, tiff: 100, avif: 70 };

/** JPEG quality from which chroma is kept at full resolution (4:4:4): at high quality, 4:2:0 blurs colour edges. */
export const JPEG_FULL_CHROMA_FROM_QUALITY = 90;

/**
 * Throws OUTPUT_TOO_LARGE when a `width`×`height` image cannot be stored as `format`. Call it before running a model
 * so a long run does not end in an unwritable result.
 */
export function checkOutputSize(format: OutputFormat, width: number, height: number): void {
  const max = MAX_OUTPUT_SIDE[format];
  if (width > max || height > max) {
    throw new ImageError(
      'OUTPUT_TOO_LARGE',
      `the result would be ${width}×${height}, but ${format.toUpperCase()} stores at most ${max} pixels per side; choose a smaller scale or another format (PNG, TIFF)`,
    );
  }
}

export interface EncodeOptions {
  format: OutputFormat;
  /** 1–100 for JPEG, WebP and AVIF; ignored by PNG and TIFF. Defaults per format ({@link DEFAULT_QUALITY}). */
  quality?: number;
  /** Copy EXIF/XMP/IPTC from this file (the original photo). */
  keepMetadataFrom?: string;
}

/** Blends RGB over white by `alpha`, for formats without transparency (JPEG). */
function flattenOnWhite(rgb: Uint8Array, alpha: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length);
  for (let i = 0; i < alpha.length; i++) {
    const a = alpha[i]! / 255;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round(rgb[i * 3 + c]! * a + 255 * (1 - a));
  }
  return out;
}

/** Interleaves RGB and alpha planes into RGBA. */
function joinAlpha(rgb: Uint8Array, alpha: Uint8Array): Uint8Array {
  const out = new Uint8Array(alpha.length * 4);
  for (let i = 0; i < alpha.length; i++) {
    out[i * 4] = rgb[i * 3]!;
    out[i * 4 + 1] = rgb[i * 3 + 1]!;
    out[i * 4 + 2] = rgb[i * 3 + 2]!;
    out[i * 4 + 3] = alpha[i]!;
  }
  return out;
}

function applyFormat(img: Sharp, format: OutputFormat, quality: number): Sharp {
  switch (format) {
    case 'jpg':
      return img.jpeg({ quality, chromaSubsampling: quality >= JPEG_FULL_CHROMA_FROM_QUALITY ? '4:4:4' : '4:2:0' });
    case 'png':
      return img.png({ compressionLevel: 6 });
    case 'webp':
      return img.webp({ quality });
    case 'tiff':
      return img.tiff({ compression: 'lzw', predictor: 'horizontal' });
    case 'avif':
      return img.avif({ quality });
  }
}

/**
 * Encodes 8-bit RGB pixels (plus an optional alpha plane) as `format`. JPEG has no transparency, so alpha is
 * flattened onto white there. With `keepMetadataFrom`, the source's EXIF/XMP/IPTC are carried over (see module doc).
 *
 * @throws ImageError OUTPUT_TOO_LARGE when the format cannot hold the size; RangeError for mismatched buffers.
 */
export async function encodeImage(pixels: PixelBuffer, alpha: Uint8Array | null, options: EncodeOptions): Promise<Buffer> {
  const { width, height } = pixels;
  const quality = options.quality ?? DEFAULT_QUALITY[options.format];
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new RangeError(`quality must be an integer from 1 to 100, got ${quality}`);
  }
  if (pixels.channels !== 3) throw new RangeError(`encodeImage takes RGB pixels (3 channels), got ${pixels.channels}`);
  if (!(pixels.data instanceof Uint8Array)) throw new RangeError('encodeImage takes 8-bit pixels for now (Uint8Array)');
  if (pixels.data.length !== width * height * 3) {
    throw new RangeError(`pixel buffer has ${pixels.data.length} bytes, expected ${width * height * 3} for ${width}×${height} RGB`);
  }
  if (alpha && alpha.length !== width * height) {
    throw new RangeError(`alpha plane has ${alpha.length} bytes, expected ${width * height} for ${width}×${height}`);
  }
  checkOutputSize(options.format, width, height);

  let rgb: Uint8Array = pixels.data;
  let a = alpha;
  if (a && options.format === 'jpg') {
    rgb = flattenOnWhite(rgb, a);
    a = null;
  }
  const channels = a ? 4 : 3;
  const raw = a ? joinAlpha(rgb, a) : rgb;

  let img: Sharp;
  if (options.keepMetadataFrom) {
    // sharp copies metadata only from a pipeline's own input, so the source file is that input: shrunk to one pixel
    // (cheap, shrink-on-load), extended to the output size and fully covered by the new pixels ('source' blend).
    // autoOrient drops the EXIF orientation, so the upright pixels are not rotated again by viewers.
    img = sharp(options.keepMetadataFrom, { autoOrient: true, limitInputPixels: false, failOn: 'none' })
      .resize(1, 1, { fit: 'fill' })
      .extend({ right: width - 1, bottom: height - 1, extendWith: 'copy' })
      .composite([{ input: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), raw: { width, height, channels }, blend: 'source', left: 0, top: 0 }])
      .keepMetadata()
      .withIccProfile('srgb');
    // Compositing always adds an alpha channel; drop it when the result has none.
    if (!a) img = img.removeAlpha();
  } else {
    img = sharp(raw, { raw: { width, height, channels } });
  }
  return applyFormat(img, options.format, quality).toBuffer();
}
