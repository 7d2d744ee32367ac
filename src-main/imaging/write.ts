/**
 * Encoding pixels into image files, and writing them (atomically, with the original's metadata: {@link writeImage}).
 *
 * Colour rule (the output side; read.ts has the input side): the pipelines work in sRGB. When the original carried an
 * RGB or grey ICC profile (Adobe RGB, Display P3, ProPhoto, a grey gamma profile), the result is converted from sRGB
 * back into that profile and carries it, so it looks like the original in every colour-managed viewer and keeps its
 * gamut (grey stays grey, one channel). A CMYK original (or one with a profile of another kind) comes out as sRGB
 * with an sRGB profile: the restored pixels are RGB, and PNG, WebP and AVIF cannot hold CMYK. An untagged original
 * comes out tagged sRGB, which is what it was taken to be.
 *
 * Depth: 16-bit pixels are written at 16 bits per sample to PNG and TIFF (untagged when the colour is sRGB, see
 * encode16) and at 10 bits to AVIF (12 when the source AVIF stored 12: 10-bit is AV1's Main/High profile, which every
 * AVIF decoder reads; 12-bit needs the Professional profile); JPEG and WebP hold 8 bits, so they get the pixels
 * rounded. Alpha is kept at the colour's depth, except in JPEG, where it is flattened onto white.
 */
import { oneLine } from '../pixels/one-line';
import { randomBytes } from 'node:crypto';
import { rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AlphaPlane, PixelBuffer } from '../pixels/types';
import { atomicTempPath, ICC_TEMP_SUFFIX, writeAtomic } from './atomic';
import { checkOutputSize, type OutputFormat } from './formats';

export { checkOutputSize, MAX_OUTPUT_SIDE, tooLargeMessage } from './formats';
import { copyMetadata, type MetadataMode, type Provenance } from './metadata';
import { srgbToP3_16 } from './profile-convert';
import { profileSpace, to8 } from './samples';
import { sharp, type Sharp } from './sharp-instance';

export { atomicTempPath, writeAtomic, type WriteAtomicOptions } from './atomic';
export { resizePlane, resizeTo } from './resize';

/** Default quality per lossy format (PNG and TIFF are lossless and ignore quality). */
export const DEFAULT_QUALITY: Readonly<Record<OutputFormat, number>> = { jpg: 92, png: 100, webp: 90, tiff: 100, avif: 70 };

/** JPEG quality from which chroma is kept at full resolution (4:4:4): at high quality, 4:2:0 blurs colour edges. */
export const JPEG_FULL_CHROMA_FROM_QUALITY = 90;

export interface EncodeOptions {
  format: OutputFormat;
  /** 1–100 for JPEG, WebP and AVIF; ignored by PNG and TIFF. Defaults per format ({@link DEFAULT_QUALITY}). */
  quality?: number;
  /**
   * Copy EXIF/XMP/IPTC from this file with sharp (best effort: no EXIF in TIFF, no IPTC outside JPEG). Prefer
   * {@link writeImage}, which copies everything with ExifTool.
   */
  keepMetadataFrom?: string;
  /** The original's ICC profile: the sRGB pixels are converted into it and it is embedded (see the colour rule). */
  iccProfile?: Buffer;
  /** Bits per sample of an AVIF made from 16-bit pixels: 10 (default) or 12. 8-bit pixels make 8-bit AVIF. */
  avifBits?: AvifBits;
  /**
   * Where to stage the file holding `iccProfile` while encoding (writeImage: beside the output's temp file, see
   * atomic.ts ICC_TEMP_SUFFIX); a random name in the system temp folder when omitted.
   */
  iccTempPath?: string;
}

/** Bit depths of AVIF output for 16-bit pixels. */
export type AvifBits = 10 | 12;

/** True for a profile the result may be converted back into: RGB or grey data ('RGB ' / 'GRAY' at byte 16). */
export function canConvertBackInto(icc: Uint8Array): boolean {
  if (icc.length < 128) return false;
  const space = profileSpace(icc);
  return space === 'RGB ' || space === 'GRAY';
}

/** Formats that store more than 8 bits per sample (PNG and TIFF: 16; AVIF: 10 or 12). */
const HIGH_DEPTH_FORMATS: ReadonlySet<OutputFormat> = new Set(['png', 'tiff', 'avif']);

/** Interleaves 16-bit RGB and an alpha plane (8-bit alpha is widened exactly, v × 257) into 16-bit RGBA. */
function joinAlpha16(rgb: Uint16Array, alpha: AlphaPlane): Uint16Array {
  const widen = alpha instanceof Uint8Array ? 257 : 1;
  const out = new Uint16Array(alpha.length * 4);
  for (let i = 0; i < alpha.length; i++) {
    out[i * 4] = rgb[i * 3]!;
    out[i * 4 + 1] = rgb[i * 3 + 1]!;
    out[i * 4 + 2] = rgb[i * 3 + 2]!;
    out[i * 4 + 3] = alpha[i]! * widen;
  }
  return out;
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

function applyFormat(img: Sharp, format: OutputFormat, quality: number, avifBits: 8 | AvifBits = 8): Sharp {
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
      return img.avif({ quality, bitdepth: avifBits });
  }
}

/**
 * Encodes RGB pixels (8- or 16-bit, sRGB) plus an optional alpha plane as `format`, following the colour and depth
 * rules in the module doc. JPEG has no transparency, so alpha is flattened onto white there. With
 * `keepMetadataFrom`, sharp carries the source's EXIF/XMP/IPTC over (see {@link EncodeOptions}).
 *
 * @throws ImageError OUTPUT_TOO_LARGE when the format cannot hold the size; RangeError for mismatched buffers.
 */
export async function encodeImage(pixels: PixelBuffer, alpha: AlphaPlane | null, options: EncodeOptions): Promise<Buffer> {
  const { width, height } = pixels;
  const quality = options.quality ?? DEFAULT_QUALITY[options.format];
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new RangeError(`quality must be an integer from 1 to 100, got ${quality}`);
  }
  if (pixels.channels !== 3) throw new RangeError(`encodeImage takes RGB pixels (3 channels), got ${pixels.channels}`);
  if (pixels.data.length !== width * height * 3) {
    const unit = pixels.data instanceof Uint16Array ? 'samples' : 'bytes';
    throw new RangeError(`pixel buffer has ${pixels.data.length} ${unit}, expected ${width * height * 3} for ${width}×${height} RGB`);
  }
  if (alpha && alpha.length !== width * height) {
    throw new RangeError(`alpha plane has ${alpha.length} samples, expected ${width * height} for ${width}×${height}`);
  }
  checkOutputSize(options.format, width, height);

  // 16 bits only where the format stores them (and not through the sharp metadata path, which works in 8 bits).
  const keep16 = pixels.data instanceof Uint16Array && HIGH_DEPTH_FORMATS.has(options.format) && !options.keepMetadataFrom;
  if (keep16) return encode16(pixels.data as Uint16Array, width, height, alpha, options, quality);
  let rgb: Uint8Array = pixels.data instanceof Uint16Array ? to8(pixels.data) : pixels.data;
  let a: Uint8Array | null = alpha instanceof Uint16Array ? to8(alpha) : alpha;
  if (a && options.format === 'jpg') {
    rgb = flattenOnWhite(rgb, a);
    a = null;
  }
  const channels = a ? 4 : 3;
  const raw = a ? joinAlpha(rgb, a) : rgb;

  return withProfileFile(options.iccProfile, options.iccTempPath, async (profile) => {
    let img: Sharp;
    if (options.keepMetadataFrom) {
      // sharp copies metadata only from a pipeline's own input, so the source file is that input: shrunk to one
      // pixel (cheap, shrink-on-load), extended to the output size and fully covered by the new pixels ('source'
      // blend). autoOrient drops the EXIF orientation, so the upright pixels are not rotated again by viewers.
      img = sharp(options.keepMetadataFrom, { autoOrient: true, limitInputPixels: false, failOn: 'none' })
        .resize(1, 1, { fit: 'fill' })
        .extend({ right: width - 1, bottom: height - 1, extendWith: 'copy' })
        .composite([{ input: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), raw: { width, height, channels }, limitInputPixels: false, blend: 'source', left: 0, top: 0 }])
        .keepMetadata()
        .withIccProfile(profile);
      // Compositing always adds an alpha channel; drop it when the result has none.
      if (!a) img = img.removeAlpha();
    } else {
      img = sharp(raw, { raw: { width, height, channels }, limitInputPixels: false }).withIccProfile(profile);
    }
    return applyFormat(img, options.format, quality).toBuffer();
  });
}

/** PNG/TIFF at 16 bits per sample, AVIF at 10 or 12. */
async function encode16(
  rgb: Uint16Array,
  width: number,
  height: number,
  alpha: AlphaPlane | null,
  options: EncodeOptions,
  quality: number,
): Promise<Buffer> {
  const bits = options.avifBits ?? 10;
  const tagged = options.iccProfile !== undefined && canConvertBackInto(options.iccProfile);
  // sRGB results are written untagged (which means sRGB): sharp would take raw 16-bit pixels for Display P3 and
  // "convert" them (measured: dark values moved by up to ~1.5 %; profile-convert.ts). Into another profile, the
  // pixels go from sRGB to P3 first, which sharp then converts from correctly.
  const pixels = tagged ? await srgbToP3_16(rgb, width, height) : rgb;
  const data = alpha ? joinAlpha16(pixels, alpha) : pixels;
  const img = sharp(data, { raw: { width, height, channels: alpha ? 4 : 3 }, limitInputPixels: false }).toColourspace('rgb16');
  if (!tagged) return applyFormat(img, options.format, quality, bits).toBuffer();
  return withProfileFile(options.iccProfile, options.iccTempPath, (profile) => applyFormat(img.withIccProfile(profile), options.format, quality, bits).toBuffer());
}

/**
 * Runs `use` with what sharp's withIccProfile takes: 'srgb', or the path of a temp file holding `icc` (sharp reads
 * profiles from files only), removed afterwards.
 */
async function withProfileFile<T>(icc: Buffer | undefined, at: string | undefined, use: (profile: string) => Promise<T>): Promise<T> {
  if (!icc || !canConvertBackInto(icc)) return use('srgb');
  const file = at ?? path.join(os.tmpdir(), `revive-icc-${process.pid}-${randomBytes(6).toString('hex')}.icc`);
  await writeFile(file, icc);
  try {
    return await use(file);
  } finally {
    await rm(file, { force: true });
  }
}

export interface WriteImageOptions {
  format: OutputFormat;
  /** 1–100 for JPEG, WebP and AVIF; default per format. */
  quality?: number;
  /** The original photo: its metadata is copied (per `metadata`) and, with `keepFileTimes`, its file times. */
  source?: string;
  /** The original's ICC profile, to convert the result back into (see the colour rule in the module doc). */
  iccProfile?: Buffer;
  /** Bits per sample of an AVIF made from 16-bit pixels (default 10). */
  avifBits?: AvifBits;
  /** 'all' (default), 'no-gps' or 'none'. */
  metadata?: MetadataMode;
  /** Recorded in the output's EXIF Software/ProcessingSoftware and XMP history. */
  provenance?: Provenance;
  /** Give the output the original's access and modification times. */
  keepFileTimes?: boolean;
  /** Names the temp file (see atomic.ts), so whoever kills the writer can remove it. */
  tempTag?: string;
}

export interface WriteImageResult {
  /** Size of the written file in bytes (before metadata was added). */
  encodedBytes: number;
  /** Problems worked around, one line each (metadata that could not be copied). */
  warnings: string[];
}

/**
 * Encodes `pixels` as `options.format` and writes them to `finalPath` atomically; the original's metadata is copied
 * onto the temp file with ExifTool (imaging/metadata.ts) before it is renamed into place, so no reader ever sees a
 * file without its metadata or half written.
 *
 * A metadata copy that fails does not lose the result: the photo is written without the copied tags and the failure
 * is returned as a warning naming ExifTool's message.
 *
 * @throws ImageError OUTPUT_TOO_LARGE, WRITE_FAILED; RangeError for mismatched buffers.
 */
export async function writeImage(
  finalPath: string,
  pixels: PixelBuffer,
  alpha: AlphaPlane | null,
  options: WriteImageOptions,
): Promise<WriteImageResult> {
  const tag = options.tempTag ?? randomBytes(6).toString('hex');
  const bytes = await encodeImage(pixels, alpha, {
    format: options.format,
    iccTempPath: `${atomicTempPath(finalPath, tag)}${ICC_TEMP_SUFFIX}`,
    ...(options.quality !== undefined ? { quality: options.quality } : {}),
    ...(options.iccProfile ? { iccProfile: options.iccProfile } : {}),
    ...(options.avifBits !== undefined ? { avifBits: options.avifBits } : {}),
  });
  const warnings: string[] = [];
  const source = options.source;
  await writeAtomic(finalPath, bytes, {
    tempTag: tag,
    beforeRename: async (temp) => {
      if (!source) return;
      const mode = options.metadata ?? 'all';
      if (mode !== 'none') {
        try {
          const found = await copyMetadata(temp, {
            source,
            format: options.format,
            width: pixels.width,
            height: pixels.height,
            mode,
            ...(options.provenance ? { provenance: options.provenance } : {}),
          });
          for (const w of found) warnings.push(`${finalPath}: metadata: ${w}`);
        } catch (err) {
          const why = oneLine(err instanceof Error ? err.message : String(err));
          warnings.push(`${finalPath}: written without the original's metadata — ExifTool: ${why}`);
        }
      }
      if (options.keepFileTimes) {
        const st = await stat(source);
        await utimes(temp, st.atime, st.mtime);
      }
    },
  });
  return { encodedBytes: bytes.length, warnings };
}
