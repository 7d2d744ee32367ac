/**
 * HEIC (HEVC-coded HEIF, as iPhones write) decoding through libheif-js, libheif and libde265 built for WebAssembly:
 * the bundled sharp/libvips build reads AVIF but has no HEVC decoder.
 *
 * Orientation: the primary image is decoded with libheif's default options, which apply the file's `clap`, `irot`
 * (anticlockwise quarter turns) and `imir` transforms in the order the file lists them, so the pixels come out
 * upright and the handle's size is the upright size. HEIF keeps rotation in those properties: an EXIF Orientation
 * tag inside a HEIC is informative only and must not be applied again (libheif does not; neither does this module).
 * The size is read from the image handle before any pixel is decoded, so the caller can refuse an oversized file.
 *
 * Depth: {@link HeicHeader.decode} gives 8 bits per sample (libheif rounds 10- and 12-bit data down itself);
 * {@link HeicHeader.decode16} keeps a 10- or 12-bit file's precision, scaled to the full 16-bit range
 * ({@link scaleTo16}). libheif's high-depth output cannot tell the stored depth: an 8-bit file asked for 16 bits
 * comes back labelled 10-bit, so the caller decides from the header (sharp's `bitsPerSample`) which to call.
 *
 * Colour: libheif turns the coded YCbCr into RGB with the matrix and range of the file's `nclx` colour box (or its
 * defaults) but does no colour management: the RGB it returns is in the file's colour space, which is described
 * either by an ICC profile (`colr` of type `prof`, as iPhones write: Display P3) or by `nclx` code points (primaries
 * and transfer curve, H.273). heic-colour.ts converts it to sRGB — see there for what is handled.
 */
import { readFile } from 'node:fs/promises';
import { oneLine } from '../pixels/one-line';
import { ImageError } from './errors';
import { type NclxColour, readPrimaryNclx } from './heic-colour';

/** The few parts of libheif-js' Emscripten module this file uses (the package ships no types for its entry points). */
interface HeifError {
  code: unknown;
  message: string;
}
interface HeifPlane {
  id: unknown;
  width: number;
  height: number;
  /** Bytes per row. */
  stride: number;
  data: Uint8Array;
  /** Bits per sample of the values in `data` (8 for the 8-bit chromas; 10, 12, … in 16-bit slots for the others). */
  bits_per_pixel: number;
}
interface HeifDecoded {
  code?: unknown;
  message?: string;
  image: unknown;
  channels: HeifPlane[];
}
interface LibHeif {
  heif_get_version(): string;
  heif_context_alloc(): unknown;
  heif_context_free(ctx: unknown): void;
  heif_context_read_from_memory(ctx: unknown, data: Uint8Array): HeifError;
  heif_js_context_get_primary_image_handle(ctx: unknown): unknown;
  heif_image_handle_get_width(handle: unknown): number;
  heif_image_handle_get_height(handle: unknown): number;
  heif_image_handle_has_alpha_channel(handle: unknown): number;
  heif_image_handle_release(handle: unknown): void;
  heif_js_decode_image2(handle: unknown, colorspace: unknown, chroma: unknown): Promise<HeifDecoded | null>;
  heif_image_release(image: unknown): void;
  heif_error_code: { heif_error_Ok: unknown };
  heif_colorspace: { heif_colorspace_RGB: unknown };
  heif_chroma: { heif_chroma_interleaved_RGBA: unknown; heif_chroma_interleaved_RRGGBBAA_LE: unknown };
  heif_channel: { heif_channel_interleaved: unknown };
}

let loaded: Promise<LibHeif> | undefined;

/** Loads libheif-js once, on first use (about 2 MB of JavaScript with the WebAssembly inlined; most runs need none). */
function libheif(): Promise<LibHeif> {
  // The "wasm-bundle" entry carries the .wasm inline; the plain "wasm" entry reads it relative to the working folder.
  loaded ??= import('libheif-js/wasm-bundle.js').then((m) => (m as { default: unknown }).default as LibHeif);
  return loaded;
}

/** An opened HEIC file: its primary image's upright size, read before decoding any pixel. */
export interface HeicHeader {
  width: number;
  height: number;
  hasAlpha: boolean;
  /** The primary image's `nclx` colour box, when it has one (read from the file's boxes, not from libheif). */
  nclx: NclxColour | undefined;
  /**
   * Decodes the pixels as interleaved 8-bit RGBA, upright (alpha 255 when the image has none), and frees the
   * decoder. Call exactly once, this or {@link decode16}.
   */
  decode(): Promise<Uint8Array>;
  /**
   * Decodes the pixels as interleaved 16-bit RGBA, upright, scaled to 0–65535 from the depth libheif decoded at
   * ({@link scaleTo16}), and frees the decoder. Only for files that store more than 8 bits: an 8-bit file would
   * come back widened through 10 bits, with no precision gained. Call exactly once, this or {@link decode}.
   */
  decode16(): Promise<Uint16Array>;
  /** Frees the decoder without decoding (when the size is refused). */
  close(): void;
}

/**
 * Widens N-bit samples (N = `bits`, 1–16) held in 16-bit little-endian slots, as libheif's `_LE` chromas give
 * them, to the full 16-bit range. Rule: v · 65535 / (2^N − 1), rounded to the nearest integer, so black stays 0,
 * the N-bit maximum becomes 65535 and every level keeps the same place on the scale (a shift, v << (16 − N), would
 * leave white at 65472 for 10 bits and squeeze every value by 2^N / (2^N − 1)).
 * @throws RangeError when `bits` is outside 1–16, the byte count is odd, or a value exceeds 2^N − 1.
 */
export function scaleTo16(bytes: Uint8Array, bits: number): Uint16Array {
  if (!Number.isInteger(bits) || bits < 1 || bits > 16) throw new RangeError(`sample depth must be 1–16 bits, got ${bits}`);
  if (bytes.length % 2 !== 0) throw new RangeError(`16-bit samples need an even byte count, got ${bytes.length}`);
  const max = 2 ** bits - 1;
  const table = new Uint16Array(max + 1);
  for (let v = 0; v <= max; v++) table[v] = Math.round((v * 65535) / max);
  const out = new Uint16Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) {
    // Read byte by byte: the data is little-endian whatever the host's order.
    const v = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
    if (v > max) throw new RangeError(`sample ${i} is ${v}, above the ${bits}-bit maximum ${max}`);
    out[i] = table[v]!;
  }
  return out;
}

/**
 * Opens a HEIC file's primary image.
 * @throws ImageError CORRUPT when libheif cannot parse the file or finds no primary image.
 */
export async function openHeic(path: string): Promise<HeicHeader> {
  const lib = await libheif();
  const bytes = await readFile(path);
  const ctx = lib.heif_context_alloc();
  let handle: unknown = null;
  const free = (): void => {
    if (handle) lib.heif_image_handle_release(handle);
    handle = null;
    lib.heif_context_free(ctx);
  };
  try {
    const err = lib.heif_context_read_from_memory(ctx, bytes);
    if (err.code !== lib.heif_error_code.heif_error_Ok) {
      throw new ImageError('CORRUPT', `${path}: damaged HEIC file — ${oneLine(err.message)}`);
    }
    const got = lib.heif_js_context_get_primary_image_handle(ctx) as { code?: unknown; message?: string } | null;
    if (!got || got.code !== undefined) {
      throw new ImageError('CORRUPT', `${path}: damaged HEIC file — no primary image (${got?.message ? oneLine(got.message) : 'none'})`);
    }
    handle = got;
  } catch (err) {
    free();
    throw err;
  }

  let used = false;
  /** Decodes the primary image as one interleaved RGBA plane of `chroma`; returns its rows packed tightly. */
  const decodePlane = async (chroma: unknown, bytesPerPixel: number): Promise<{ data: Uint8Array; bits: number }> => {
    if (used) throw new Error('HeicHeader: decode() or decode16() called twice');
    used = true;
    try {
      const width = lib.heif_image_handle_get_width(handle);
      const height = lib.heif_image_handle_get_height(handle);
      const img = await lib.heif_js_decode_image2(handle, lib.heif_colorspace.heif_colorspace_RGB, chroma);
      if (!img || img.code !== undefined) {
        throw new ImageError('CORRUPT', `${path}: cannot decode the HEIC data — ${img?.message ? oneLine(img.message) : 'libheif returned nothing'}`);
      }
      try {
        const plane = img.channels.find((c) => c.id === lib.heif_channel.heif_channel_interleaved);
        if (!plane || plane.width !== width || plane.height !== height) {
          throw new ImageError('CORRUPT', `${path}: cannot decode the HEIC data — no ${width}×${height} RGBA plane`);
        }
        // Rows may be padded (stride > width × bytes per pixel): copy them out tightly.
        const row = width * bytesPerPixel;
        const data = new Uint8Array(row * height);
        for (let y = 0; y < height; y++) data.set(plane.data.subarray(y * plane.stride, y * plane.stride + row), y * row);
        return { data, bits: plane.bits_per_pixel };
      } finally {
        lib.heif_image_release(img.image);
      }
    } finally {
      free();
    }
  };

  return {
    width: lib.heif_image_handle_get_width(handle),
    height: lib.heif_image_handle_get_height(handle),
    hasAlpha: lib.heif_image_handle_has_alpha_channel(handle) !== 0,
    nclx: readPrimaryNclx(bytes),
    close: free,
    async decode(): Promise<Uint8Array> {
      return (await decodePlane(lib.heif_chroma.heif_chroma_interleaved_RGBA, 4)).data;
    },
    async decode16(): Promise<Uint16Array> {
      // Little-endian 16-bit slots holding values 0 … 2^N − 1, N the plane's bits_per_pixel: the stored depth for a
      // 10- or 12-bit file. Measured against heif-convert's 16-bit PNG shifted right by 16 − N: the same codes, or
      // one apart where its libheif (Debian's 1.15) rounds the YCbCr → RGB conversion differently.
      const { data, bits } = await decodePlane(lib.heif_chroma.heif_chroma_interleaved_RRGGBBAA_LE, 8);
      if (bits <= 8 || bits > 16) {
        throw new ImageError('CORRUPT', `${path}: cannot decode the HEIC data — libheif gave ${bits}-bit samples where 9–16 were asked for`);
      }
      return scaleTo16(data, bits);
    },
  };
}
