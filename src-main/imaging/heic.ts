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
 * Colour: libheif turns the coded YCbCr into RGB with the matrix and range of the file's `nclx` colour box (or its
 * defaults) but does no colour management: the RGB it returns is in the file's colour space, which is described
 * either by an ICC profile (`colr` of type `prof`, as iPhones write: Display P3) or by `nclx` code points (primaries
 * and transfer curve, H.273). heic-colour.ts converts it to sRGB — see there for what is handled.
 */
import { readFile } from 'node:fs/promises';
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
  stride: number;
  data: Uint8Array;
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
  heif_chroma: { heif_chroma_interleaved_RGBA: unknown };
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
  /** Decodes the pixels (interleaved 8-bit RGBA, upright) and frees the decoder. Call exactly once. */
  decode(): Promise<Uint8Array>;
  /** Frees the decoder without decoding (when the size is refused). */
  close(): void;
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
      throw new ImageError('CORRUPT', `${path}: damaged HEIC file — ${err.message}`);
    }
    const got = lib.heif_js_context_get_primary_image_handle(ctx) as { code?: unknown; message?: string } | null;
    if (!got || got.code !== undefined) {
      throw new ImageError('CORRUPT', `${path}: damaged HEIC file — no primary image (${got?.message ?? 'none'})`);
    }
    handle = got;
  } catch (err) {
    free();
    throw err;
  }
  let used = false;
  return {
    width: lib.heif_image_handle_get_width(handle),
    height: lib.heif_image_handle_get_height(handle),
    hasAlpha: lib.heif_image_handle_has_alpha_channel(handle) !== 0,
    nclx: readPrimaryNclx(bytes),
    close: free,
    async decode(): Promise<Uint8Array> {
      if (used) throw new Error('HeicHeader.decode() called twice');
      used = true;
      try {
        const width = lib.heif_image_handle_get_width(handle);
        const height = lib.heif_image_handle_get_height(handle);
        const img = await lib.heif_js_decode_image2(
          handle,
          lib.heif_colorspace.heif_colorspace_RGB,
          lib.heif_chroma.heif_chroma_interleaved_RGBA,
        );
        if (!img || img.code !== undefined) {
          throw new ImageError('CORRUPT', `${path}: cannot decode the HEIC data — ${img?.message ?? 'libheif returned nothing'}`);
        }
        try {
          const plane = img.channels.find((c) => c.id === lib.heif_channel.heif_channel_interleaved);
          if (!plane || plane.width !== width || plane.height !== height) {
            throw new ImageError('CORRUPT', `${path}: cannot decode the HEIC data — no ${width}×${height} RGBA plane`);
          }
          // Rows may be padded (stride > width × 4): copy them out tightly.
          const rgba = new Uint8Array(width * height * 4);
          for (let y = 0; y < height; y++) {
            rgba.set(plane.data.subarray(y * plane.stride, y * plane.stride + width * 4), y * width * 4);
          }
          return rgba;
        } finally {
          lib.heif_image_release(img.image);
        }
      } finally {
        free();
      }
    },
  };
}
