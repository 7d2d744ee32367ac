/**
 * Decoding photos into pixels for the pipelines.
 *
 * Order of checks, so each bad file gets the most useful one-line reason: the file exists → its first bytes are an
 * image format we can read (the extension is not trusted) → the header's pixel count is within the limit (before
 * any pixel is decoded: a 50000×50000 PNG is rejected in milliseconds) → the pixel data decodes without error.
 *
 * Colour rule: pixels are handed to the models in sRGB. A source with an embedded profile (Adobe RGB, Display P3,
 * ProPhoto, a grey or a CMYK profile) is converted from that profile; a CMYK source without one is converted with
 * libvips' default CMYK profile; an untagged RGB source is taken to be sRGB. The source's profile is returned in
 * `source.icc` so the writer can convert the result back into it (see write.ts for the output side of the rule).
 */
import { open, readFile, stat } from 'node:fs/promises';
import type { AlphaPlane, PixelBuffer } from '../pixels/types';
import { ImageError } from './errors';
import { DEFAULT_MAX_INPUT_PIXELS, describeNonImage, inputTooLargeMessage, type InputFormat, SNIFF_BYTES, sniffFormat } from './formats';
import { openHeic } from './heic';
import { oneLine } from '../pixels/one-line';
import { jpegScanLeftover } from './jpeg-check';

/** Scan bytes an honest encoder may leave after the last block (bit padding; a little slack for odd encoders). */
const MAX_SCAN_LEFTOVER = 64;
import { convertsAt16Bits, heicColourToSrgb } from './heic-colour';
import { p3ToSrgb16 } from './profile-convert';
import { profileSpace, to8 } from './samples';
import { sharp } from './sharp-instance';

export { DEFAULT_MAX_INPUT_PIXELS } from './formats';

export interface DecodeOptions {
  /** Refuse images with more pixels than this (checked from the header, before decoding). */
  maxPixels?: number;
  /**
   * Hand 16-bit sources (and 10- or 12-bit AVIF and HEIC) over as 16-bit pixels (`Uint16Array`) instead of reducing
   * them to 8 bits. Only for callers whose pipeline takes both (pixel-sr does); default false.
   */
  keepDepth?: boolean;
}

/** What the source file was, for writing the result (metadata is copied from `path`). */
export interface SourceInfo {
  path: string;
  format: InputFormat;
  /** Stored size, before the EXIF orientation is applied. */
  storedWidth: number;
  storedHeight: number;
  /** EXIF orientation tag of the source (1–8; 1 when absent). The decoded pixels are always upright. */
  orientation: number;
  /**
   * Bits per sample of the source as decoded (8 or 16: 10- and 12-bit AVIF decode to 16; 10- and 12-bit HEIC to 16
   * with `keepDepth`, else to 8).
   */
  bitDepth: 8 | 16;
  /** Bits per sample the file stores (8, 10, 12, 16, …; 1–4 for palette or bilevel images), when the header says. */
  storedBits?: number;
  hasAlpha: boolean;
  hasExif: boolean;
  hasIcc: boolean;
  /** The source's embedded ICC profile, or undefined when it has none. */
  icc?: Buffer;
  /** Colour space of the source's samples as libvips names it ('srgb', 'b-w', 'cmyk', 'rgb16', 'grey16', …). */
  space: string;
  /** Pages (TIFF) or frames (GIF, WebP) in the file; only the first is decoded. */
  pages: number;
}

export interface DecodedImage {
  /**
   * Upright RGB, 3 channels interleaved, in sRGB (embedded profiles are applied): 8-bit, or 16-bit for 16-bit
   * sources when `keepDepth` is asked for.
   */
  rgb: PixelBuffer;
  /**
   * The alpha channel, one sample per pixel, at the depth of `rgb` (16-bit with 16-bit colour, else 8-bit), or null
   * when the source has none.
   */
  alpha: AlphaPlane | null;
  width: number;
  height: number;
  format: InputFormat;
  source: SourceInfo;
  /** Things the user should hear about, one line each ("only the first of 3 pages was enhanced"). */
  warnings: string[];
}


/** Reads the first bytes of a file, turning a missing file or a folder into NOT_FOUND. */
async function readHead(path: string): Promise<{ head: Uint8Array; size: number }> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new ImageError('NOT_FOUND', `${path}: not a file (it is a folder or a device)`);
    size = st.size;
  } catch (err) {
    if (err instanceof ImageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ImageError('NOT_FOUND', `${path}: no such file`, { cause: err });
    throw new ImageError('NOT_FOUND', `${path}: cannot be read (${code ?? String(err)})`, { cause: err });
  }
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(Math.min(SNIFF_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    return { head, size };
  } finally {
    await handle.close();
  }
}

/** A baseline JPEG holding more data than its header's size can take: the header lies about the size (jpeg-check.ts). */
async function checkJpegSize(path: string, width: number, height: number): Promise<void> {
  const leftover = jpegScanLeftover(await readFile(path));
  if (leftover !== undefined && leftover > MAX_SCAN_LEFTOVER) {
    throw new ImageError('CORRUPT', `${path}: damaged JPEG header — it says ${width}×${height} but the data goes on for ${leftover} more bytes (a larger image)`);
  }
}

/** sharp's message without its "Vips…:" prefix, as one clean line (libvips lists several; the first says what failed). */
function reason(err: unknown): string {
  return oneLine(err instanceof Error ? err.message.replace(/^Vips\w*:\s*/, '') : String(err), 'no detail from the decoder');
}

/**
 * Decodes an image file into upright sRGB pixels (8-bit; 16-bit with `keepDepth`) plus its alpha channel, and
 * warnings for what was not kept (other pages or frames, CMYK, reduced depth).
 *
 * @throws ImageError NOT_FOUND, NOT_AN_IMAGE, UNSUPPORTED_FORMAT (naming the detected format), TOO_LARGE (from the
 *   header, before decoding) or CORRUPT (truncated or undecodable data).
 */
export async function decodeImage(path: string, options: DecodeOptions = {}): Promise<DecodedImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  if (!(maxPixels > 0)) throw new RangeError(`maxPixels must be positive, got ${maxPixels}`);

  // 1. What the bytes say the file is.
  const { head, size } = await readHead(path);
  const sniffed = sniffFormat(head);
  if (sniffed.kind === 'unknown') {
    throw new ImageError('NOT_AN_IMAGE', `${path}: not an image — ${describeNonImage(head, size)}`);
  }
  if (sniffed.kind === 'unsupported') {
    throw new ImageError('UNSUPPORTED_FORMAT', `${path}: ${sniffed.format} images are not supported (use JPEG, PNG, WebP, TIFF, GIF, AVIF or HEIC)`);
  }
  const format = sniffed.format;
  if (format === 'heic') return decodeHeic(path, maxPixels, options.keepDepth === true);

  // 2. Header only: size, orientation, depth. The limit is ours to enforce here, so sharp's own is lifted.
  let meta;
  try {
    meta = await sharp(path, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ImageError('CORRUPT', `${path}: damaged ${format.toUpperCase()} header — ${reason(err)}`, { cause: err });
  }
  const pixels = meta.width * meta.height;
  if (pixels > maxPixels) {
    throw new ImageError('TOO_LARGE', inputTooLargeMessage(path, meta.width, meta.height, maxPixels));
  }

  // 3. Pixels: upright, sRGB, 8- or 16-bit. failOn 'error' rejects truncated data but tolerates harmless warnings
  // that old scanners' files often trigger. Only the first page/frame is read (sharp's default).
  const sixteen = options.keepDepth === true && is16(meta.depth);
  // sharp converts a 16-bit RGB image's embedded profile into Display P3, not sRGB (profile-convert.ts): such an
  // image is decoded at 16 bits whatever is asked, moved from P3 to sRGB, and only then reduced to 8 bits if asked.
  const viaP3 = meta.space === 'rgb16' && meta.icc !== undefined && profileSpace(meta.icc) === 'RGB ';
  const decode16 = sixteen || viaP3;
  if (format === 'jpeg') await checkJpegSize(path, meta.width, meta.height);
  const decodeRaw = (failOn: 'error' | 'warning') =>
    sharp(path, { limitInputPixels: maxPixels, failOn, autoOrient: true })
      .toColourspace(decode16 ? 'rgb16' : 'srgb')
      .raw({ depth: decode16 ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
  let raw;
  try {
    raw = await decodeRaw(format === 'jpeg' ? 'warning' : 'error').catch((err: unknown) => {
      // A JPEG whose data ends before the size its header claims is padded with grey by libjpeg, with only a
      // warning: that is a lying (or truncated) header, not a photo. Other JPEG warnings are harmless.
      if (format === 'jpeg' && !/premature end of data segment/i.test(String(err))) return decodeRaw('error');
      throw err;
    });
  } catch (err) {
    throw new ImageError('CORRUPT', `${path}: cannot decode the ${format.toUpperCase()} data — ${reason(err)}`, { cause: err });
  }
  const { width, height, channels } = raw.info;
  if (channels !== 3 && channels !== 4) {
    throw new ImageError('UNSUPPORTED_FORMAT', `${path}: ${channels}-channel images are not supported`);
  }
  let rgb: Uint8Array | Uint16Array;
  let alpha: AlphaPlane | null = null;
  if (decode16) {
    const data = new Uint16Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength / 2);
    const split = channels === 4 ? splitAlpha16(data, width, height) : { rgb: data.slice(), alpha: null };
    const rgb16 = viaP3 ? await p3ToSrgb16(split.rgb, width, height) : split.rgb;
    const alpha16 = split.alpha;
    ({ rgb, alpha } = sixteen ? { rgb: rgb16, alpha: alpha16 } : { rgb: to8(rgb16), alpha: alpha16 && to8(alpha16) });
  } else {
    const data = new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
    ({ rgb, alpha } = channels === 4 ? splitAlpha(data, width, height) : { rgb: data, alpha: null });
  }

  const pages = meta.pages ?? 1;
  const warnings: string[] = [];
  if (pages > 1) {
    const what = format === 'tiff' ? `pages (multi-page TIFF)` : `frames (animated ${format.toUpperCase()})`;
    warnings.push(`${path}: has ${pages} ${what}; only the first was enhanced`);
  }
  if (meta.space === 'cmyk') {
    warnings.push(`${path}: CMYK image converted to RGB ${meta.icc ? 'with its embedded profile' : 'with a generic CMYK profile (it has none)'}; the result is RGB`);
  }
  if (is16(meta.depth) && !sixteen) warnings.push(`${path}: 16-bit image reduced to 8 bits for this model`);

  return {
    rgb: { data: rgb, width, height, channels: 3 },
    alpha,
    width,
    height,
    format,
    warnings,
    source: {
      path,
      format,
      storedWidth: meta.width,
      storedHeight: meta.height,
      orientation: meta.orientation ?? 1,
      bitDepth: is16(meta.depth) ? 16 : 8,
      ...(meta.bitsPerSample !== undefined ? { storedBits: meta.bitsPerSample } : {}),
      hasAlpha: meta.hasAlpha,
      hasExif: meta.exif !== undefined,
      hasIcc: meta.icc !== undefined,
      ...(meta.icc ? { icc: meta.icc } : {}),
      space: meta.space ?? 'srgb',
      pages,
    },
  };
}

/**
 * HEIC through libheif-js (sharp's build has no HEVC decoder): size checked from the image handle before decoding,
 * pixels upright (libheif applies the irot/imir transforms; an EXIF Orientation inside a HEIC is not applied again),
 * converted from the embedded ICC profile or the nclx colour box (see heicColourToSrgb), whose profile is handed on
 * in `source.icc` like any other format's.
 *
 * Depth: a file storing more than 8 bits (10-bit HEIC from cameras and phones; sharp's header reader gives the
 * depth, libheif's output cannot tell it) is decoded at 16 bits with `keepDepth`, scaled from its stored range to
 * 0–65535 (heic.ts, scaleTo16), alpha likewise; otherwise at 8 bits, with a warning when bits were dropped. A
 * 10/12-bit HEIC with a grey ICC profile is decoded at 8 bits (heic-colour.ts, convertsAt16Bits) and says so.
 */
async function decodeHeic(path: string, maxPixels: number, keepDepth: boolean): Promise<DecodedImage> {
  const heic = await openHeic(path);
  const { width, height } = heic;
  if (width * height > maxPixels) {
    heic.close();
    throw new ImageError('TOO_LARGE', inputTooLargeMessage(path, width, height, maxPixels));
  }
  // Exif, the colour profile and the stored depth come from sharp's header reader, which parses HEIF boxes (hvcC,
  // pixi) even without a decoder.
  const warnings: string[] = [];
  let meta;
  try {
    meta = await sharp(path, { limitInputPixels: false }).metadata();
  } catch (err) {
    warnings.push(`${path}: HEIC metadata could not be read (${reason(err)}); an ICC profile in it was not applied and it was decoded at 8 bits`);
  }
  const storedBits = meta?.bitsPerSample;
  const deep = storedBits !== undefined && storedBits > 8;
  const greyProfile = deep && keepDepth && !convertsAt16Bits(meta?.icc);
  const sixteen = deep && keepDepth && !greyProfile;
  if (greyProfile) warnings.push(`${path}: ${storedBits}-bit HEIC with a grey ICC profile reduced to 8 bits (the profile is applied at 8 bits only)`);
  else if (deep && !keepDepth) warnings.push(`${path}: ${storedBits}-bit image reduced to 8 bits for this model`);

  const decoded: { rgb: Uint8Array | Uint16Array; alpha: AlphaPlane } = sixteen
    ? splitAlpha16(await heic.decode16(), width, height)
    : splitAlpha(await heic.decode(), width, height);
  const colour = await heicColourToSrgb(decoded.rgb, width, height, { icc: meta?.icc, nclx: heic.nclx });
  if (colour.warning) warnings.push(`${path}: ${colour.warning}`);
  const alpha = decoded.alpha;
  return {
    rgb: { data: colour.rgb, width, height, channels: 3 },
    alpha: heic.hasAlpha ? alpha : null,
    width,
    height,
    format: 'heic',
    warnings,
    source: {
      path,
      format: 'heic',
      storedWidth: width,
      storedHeight: height,
      // libheif has already turned the pixels upright; the EXIF tag of a HEIC is informative only (see HEIF spec).
      orientation: 1,
      bitDepth: sixteen ? 16 : 8,
      ...(storedBits !== undefined ? { storedBits } : {}),
      hasAlpha: heic.hasAlpha,
      hasExif: meta?.exif !== undefined,
      hasIcc: colour.profile !== undefined,
      ...(colour.profile ? { icc: colour.profile } : {}),
      space: colour.space,
      pages: 1,
    },
  };
}

function is16(depth: string | undefined): boolean {
  return depth === 'ushort' || depth === 'short';
}

/** Splits interleaved 16-bit RGBA into 16-bit RGB and a 16-bit alpha plane. */
export function splitAlpha16(rgba: Uint16Array, width: number, height: number): { rgb: Uint16Array; alpha: Uint16Array } {
  const n = width * height;
  if (rgba.length !== n * 4) throw new RangeError(`RGBA buffer has ${rgba.length} samples, expected ${n * 4} for ${width}×${height}`);
  const rgb = new Uint16Array(n * 3);
  const alpha = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    rgb[i * 3] = rgba[i * 4]!;
    rgb[i * 3 + 1] = rgba[i * 4 + 1]!;
    rgb[i * 3 + 2] = rgba[i * 4 + 2]!;
    alpha[i] = rgba[i * 4 + 3]!;
  }
  return { rgb, alpha };
}

/** Splits interleaved RGBA into RGB and a separate alpha plane. */
export function splitAlpha(rgba: Uint8Array, width: number, height: number): { rgb: Uint8Array; alpha: Uint8Array } {
  const n = width * height;
  if (rgba.length !== n * 4) throw new RangeError(`RGBA buffer has ${rgba.length} bytes, expected ${n * 4} for ${width}×${height}`);
  const rgb = new Uint8Array(n * 3);
  const alpha = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    rgb[i * 3] = rgba[i * 4]!;
    rgb[i * 3 + 1] = rgba[i * 4 + 1]!;
    rgb[i * 3 + 2] = rgba[i * 4 + 2]!;
    alpha[i] = rgba[i * 4 + 3]!;
  }
  return { rgb, alpha };
}
