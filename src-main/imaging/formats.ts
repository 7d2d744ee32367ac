/**
 * Image formats: which ones Revive reads and writes, their file extensions, and recognising a file's real format
 * from its first bytes (a file's extension is only a hint — "photo.jpg" may be a web page or a BMP).
 *
 * Pure and free of sharp so the CLI can filter and name files without loading the native image library.
 */
import { ImageError } from './errors';

/** Formats Revive decodes: what the bundled sharp/libvips build can read, plus HEIC (HEVC-coded HEIF) through libheif-js. */
export const INPUT_FORMATS = ['jpeg', 'png', 'webp', 'tiff', 'gif', 'avif', 'heic'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** Formats Revive encodes. */
export const OUTPUT_FORMATS = ['jpg', 'png', 'webp', 'tiff', 'avif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** File extensions (lower case, no dot) of the formats Revive reads; folder expansion picks only these. */
export const INPUT_EXTENSIONS: Readonly<Record<string, InputFormat>> = {
  jpg: 'jpeg',
  jpeg: 'jpeg',
  jpe: 'jpeg',
  jfif: 'jpeg',
  png: 'png',
  webp: 'webp',
  tif: 'tiff',
  tiff: 'tiff',
  gif: 'gif',
  avif: 'avif',
  heic: 'heic',
  heif: 'heic',
};

/** The extension written for each output format. */
export const OUTPUT_EXTENSION: Readonly<Record<OutputFormat, string>> = {
  jpg: 'jpg',
  png: 'png',
  webp: 'webp',
  tiff: 'tiff',
  avif: 'avif',
};

/**
 * The output format that keeps an input's format ("same"); formats Revive cannot write map to a stand-in (HEIC → JPEG,
 * as phones do when sharing) or to undefined (GIF).
 */
export function outputFormatFor(input: InputFormat): OutputFormat | undefined {
  switch (input) {
    case 'jpeg':
      return 'jpg';
    case 'png':
    case 'webp':
    case 'tiff':
    case 'avif':
      return input;
    case 'heic':
      return 'jpg';
    case 'gif':
      return undefined;
  }
}

/**
 * Default pixel limit for inputs: 200 megapixels, above any consumer camera, far below what would exhaust memory
 * once upscaled; it guards against decompression bombs (a tiny file claiming 50 000 × 50 000). Users may set another
 * (job setting `maxMegapixels`, CLI `--max-megapixels`, app setting `queue.maxInputMegapixels`).
 */
export const DEFAULT_MAX_INPUT_PIXELS = 200_000_000;

/** "photo.png: 50000×50000 (2500.0 MP) exceeds the limit of 200.0 MP; …" for TOO_LARGE errors. */
export function inputTooLargeMessage(path: string, width: number, height: number, maxPixels: number): string {
  const mp = (pixels: number): string => `${(pixels / 1e6).toFixed(1)} MP`;
  return `${path}: ${width}×${height} (${mp(width * height)}) exceeds the limit of ${mp(maxPixels)} (a guard against damaged or hostile files; raise it with --max-megapixels or the queue.maxInputMegapixels setting)`;
}

/** Largest side each output format can store (libwebp: 16383; JPEG: 16-bit size fields; libvips caps HEIF/AVIF at 16384). */
export const MAX_OUTPUT_SIDE: Readonly<Record<OutputFormat, number>> = {
  jpg: 65535,
  png: 2 ** 31 - 1,
  webp: 16383,
  tiff: 2 ** 32 - 1,
  avif: 16384,
};

/** True when a `width`×`height` image can be stored as `format`. */
export function outputFits(format: OutputFormat, width: number, height: number): boolean {
  const max = MAX_OUTPUT_SIDE[format];
  return width <= max && height <= max;
}

/**
 * The formats, other than `format`, that can hold a `width`×`height` result, best first: JPEG for a lossy choice
 * (WebP, AVIF: a lossy photo stays a lossy photo of similar size), then the lossless PNG and TIFF.
 */
export function formatsThatFit(format: OutputFormat, width: number, height: number): OutputFormat[] {
  const order: readonly OutputFormat[] = format === 'jpg' ? ['png', 'tiff'] : ['jpg', 'png', 'tiff'];
  return order.filter((f) => f !== format && outputFits(f, width, height));
}

/**
 * Throws OUTPUT_TOO_LARGE when a `width`×`height` image cannot be stored as `format`. Call it before running a model
 * so a long run does not end in an unwritable result.
 */
export function checkOutputSize(format: OutputFormat, width: number, height: number): void {
  if (!outputFits(format, width, height)) throw new ImageError('OUTPUT_TOO_LARGE', tooLargeMessage(format, width, height));
}

/** "the result would be W×H, but WEBP stores at most 16383 pixels per side; …" with the formats that would fit. */
export function tooLargeMessage(format: OutputFormat, width: number, height: number): string {
  const fits = formatsThatFit(format, width, height).map((f) => f.toUpperCase());
  const instead = fits.length ? `another format (${fits.join(', ')})` : 'another format';
  return `the result would be ${width}×${height}, but ${format.toUpperCase()} stores at most ${MAX_OUTPUT_SIDE[format]} pixels per side; choose a smaller scale or ${instead}`;
}

/** Lower-case extension without the dot ("" when there is none). */
export function extensionOf(file: string): string {
  const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** What the first bytes of a file say it is. */
export type Sniffed =
  | { kind: 'supported'; format: InputFormat }
  | { kind: 'unsupported'; format: string }
  | { kind: 'unknown' };

/** How many leading bytes {@link sniffFormat} needs. */
export const SNIFF_BYTES = 64;

const ascii = (b: Uint8Array, at: number, text: string): boolean => {
  if (b.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return false;
  return true;
};
const bytes = (b: Uint8Array, at: number, seq: readonly number[]): boolean =>
  b.length >= at + seq.length && seq.every((v, i) => b[at + i] === v);

/** HEIF brands whose pictures are AV1 (AVIF) rather than HEVC (HEIC). */
const AVIF_BRANDS = new Set(['avif', 'avis']);
const BMP_HEADER_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);

/** The ISO-BMFF (HEIF family) brands listed in an `ftyp` box: major brand and compatible brands. */
function ftypBrands(b: Uint8Array): string[] {
  const size = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  const end = Math.min(size, b.length);
  const brands = [String.fromCharCode(...b.subarray(8, 12))];
  for (let at = 16; at + 4 <= end; at += 4) brands.push(String.fromCharCode(...b.subarray(at, at + 4)));
  return brands;
}

/**
 * Recognises an image format from a file's first {@link SNIFF_BYTES} bytes. Formats the bundled decoder cannot read
 * are named (so the user learns "BMP is not supported", not "not an image"); text and unknown binaries are `unknown`.
 */
export function sniffFormat(head: Uint8Array): Sniffed {
  const b = head;
  if (bytes(b, 0, [0xff, 0xd8, 0xff])) return { kind: 'supported', format: 'jpeg' };
  if (bytes(b, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'supported', format: 'png' };
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return { kind: 'supported', format: 'webp' };
  if (ascii(b, 0, 'II*\0') || ascii(b, 0, 'MM\0*') || ascii(b, 0, 'II+\0') || ascii(b, 0, 'MM\0+')) {
    return { kind: 'supported', format: 'tiff' };
  }
  if (ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a')) return { kind: 'supported', format: 'gif' };
  if (ascii(b, 4, 'ftyp') && b.length >= 12) {
    const brands = ftypBrands(b);
    if (brands.some((x) => AVIF_BRANDS.has(x))) return { kind: 'supported', format: 'avif' };
    if (brands.some((x) => HEIC_BRANDS.has(x))) return { kind: 'supported', format: 'heic' };
    if (ascii(b, 8, 'jp2 ')) return { kind: 'unsupported', format: 'JPEG 2000' };
    if (ascii(b, 8, 'jxl ')) return { kind: 'unsupported', format: 'JPEG XL' };
    return { kind: 'unknown' };
  }
  // "BM" plus a known DIB header size, so a text file that happens to start with "BM" is not taken for a bitmap.
  if (ascii(b, 0, 'BM') && b.length >= 18 && BMP_HEADER_SIZES.has(b[14]! | (b[15]! << 8))) {
    return { kind: 'unsupported', format: 'BMP' };
  }
  if (ascii(b, 0, '8BPS')) return { kind: 'unsupported', format: 'PSD (Photoshop)' };
  if (bytes(b, 0, [0x00, 0x00, 0x01, 0x00])) return { kind: 'unsupported', format: 'ICO' };
  if (bytes(b, 0, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || bytes(b, 0, [0xff, 0x4f, 0xff, 0x51])) {
    return { kind: 'unsupported', format: 'JPEG 2000' };
  }
  if (bytes(b, 0, [0xff, 0x0a]) || bytes(b, 0, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) {
    return { kind: 'unsupported', format: 'JPEG XL' };
  }
  if (ascii(b, 0, '%PDF')) return { kind: 'unsupported', format: 'PDF' };
  if (b.length >= 2 && b[0] === 0x50 && b[1]! >= 0x31 && b[1]! <= 0x36 && (b[2] === 0x0a || b[2] === 0x20 || b[2] === 0x0d)) {
    return { kind: 'unsupported', format: 'Netpbm (PPM/PGM)' };
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(b).trimStart().toLowerCase();
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) {
    return { kind: 'unsupported', format: 'SVG (vector graphics)' };
  }
  return { kind: 'unknown' };
}

/** A short human description of bytes that are not an image, for error messages ("an HTML page", "empty"). */
export function describeNonImage(head: Uint8Array, size: number): string {
  if (size === 0) return 'the file is empty (0 bytes)';
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head).trimStart().toLowerCase();
  if (text.startsWith('<!doctype html') || text.startsWith('<html')) return 'it is an HTML page';
  if (text.startsWith('<')) return 'it looks like an XML/HTML text file';
  if (text.startsWith('{') || text.startsWith('[')) return 'it looks like a JSON text file';
  if (ascii(head, 0, 'PK\x03\x04')) return 'it is a ZIP archive';
  return 'its first bytes match no known image format';
}
