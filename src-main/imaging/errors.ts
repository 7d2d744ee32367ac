/**
 * Errors from reading and writing image files. Each carries a stable `code` so callers (the engine process, the CLI,
 * the job queue) can report one line per file and decide what to do without parsing messages.
 */
import { CodedError } from '../pixels/coded-error';
import { escapeControl } from '../pixels/one-line';

export const IMAGE_ERROR_CODES = [
  /** The path does not exist (or is not a regular file). */
  'NOT_FOUND',
  /** The bytes are not an image at all (an HTML page saved as .jpg, a text file, an empty file). */
  'NOT_AN_IMAGE',
  /** An image, but in a format Revive cannot decode or encode (BMP, PSD, …); the message names it. */
  'UNSUPPORTED_FORMAT',
  /** A known format whose data is truncated or undecodable. */
  'CORRUPT',
  /** More pixels than the configured limit (guards against decompression bombs), checked before decoding. */
  'TOO_LARGE',
  /** The output would exceed what the chosen format can store (WebP 16383 px per side, …). */
  'OUTPUT_TOO_LARGE',
  /** Writing the output failed (disk full, permission denied, …). */
  'WRITE_FAILED',
] as const;

export type ImageErrorCode = (typeof IMAGE_ERROR_CODES)[number];

/**
 * A per-file imaging failure with a machine-readable code and a one-line, human-readable message. Control characters
 * in the message (a newline or an escape sequence in a file name) are written JSON-style, so the line stays one line.
 */
export class ImageError extends CodedError<ImageErrorCode> {
  constructor(code: ImageErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, escapeControl(message), options);
    this.name = 'ImageError';
  }
}

/** True for an {@link ImageError}, optionally with the given code. */
export function isImageError(err: unknown, code?: ImageErrorCode): err is ImageError {
  return err instanceof ImageError && (code === undefined || err.code === code);
}
