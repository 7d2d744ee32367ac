/**
 * Reading an image's format and size from its header, without decoding pixels: what the job queue needs to plan an
 * item (output format for "same", pixel count for the ETA and the disk-space estimate) while the engine is busy.
 */
import { open, stat } from 'node:fs/promises';
import { oneLine } from '../pixels/one-line';
import { ImageError } from './errors';
import { describeNonImage, type InputFormat, SNIFF_BYTES, sniffFormat } from './formats';
import { sharp } from './sharp-instance';

export interface ImageProbe {
  format: InputFormat;
  /** Upright size (EXIF orientation applied). */
  width: number;
  height: number;
  /** File size in bytes. */
  bytes: number;
  /** The header's alpha channel and sample depth, for the result's size in memory (imaging/output-capacity.ts). */
  hasAlpha?: boolean;
  bitsPerSample?: 8 | 16;
}

/**
 * Probes a file's header.
 * @throws ImageError NOT_FOUND, NOT_AN_IMAGE, UNSUPPORTED_FORMAT (naming it) or CORRUPT (unreadable header).
 */
export async function probeImage(path: string): Promise<ImageProbe> {
  let bytes: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new ImageError('NOT_FOUND', `${path}: not a file`);
    bytes = st.size;
  } catch (err) {
    if (err instanceof ImageError) throw err;
    throw new ImageError('NOT_FOUND', `${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      cause: err,
    });
  }
  const head = new Uint8Array(Math.min(SNIFF_BYTES, bytes));
  const handle = await open(path, 'r');
  try {
    await handle.read(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }
  const sniffed = sniffFormat(head);
  if (sniffed.kind === 'unknown') throw new ImageError('NOT_AN_IMAGE', `${path}: not an image — ${describeNonImage(head, bytes)}`);
  if (sniffed.kind === 'unsupported') {
    throw new ImageError('UNSUPPORTED_FORMAT', `${path}: ${sniffed.format} images are not supported`);
  }
  let meta;
  try {
    meta = await sharp(path, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ImageError('CORRUPT', `${path}: damaged ${sniffed.format.toUpperCase()} header — ${oneLine((err as Error).message.replace(/^Vips\w*:\s*/, ''))}`, {
      cause: err,
    });
  }
  // Orientations 5–8 swap width and height once applied.
  const swap = (meta.orientation ?? 1) >= 5;
  return {
    format: sniffed.format,
    width: swap ? meta.height : meta.width,
    height: swap ? meta.width : meta.height,
    bytes,
    hasAlpha: meta.hasAlpha === true,
    bitsPerSample: meta.depth === 'ushort' || meta.depth === 'short' ? 16 : 8,
  };
}
