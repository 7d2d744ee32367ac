/**
 * Small WebP previews for the library (before/after), written into the thumbnail cache.
 */
import { oneLine } from '../pixels/one-line';
import { ImageError } from './errors';
import { writeAtomic } from './atomic';
import { sharp } from './sharp-instance';

export interface ThumbnailInfo {
  width: number;
  height: number;
  bytes: number;
}

/**
 * Writes an upright WebP thumbnail of `path` that fits in `size`×`size` (never enlarged) to `outPath`, atomically (a
 * killed process leaves either the old file or the new one, plus at most a `.revive-tmp-` file the cache clean-up
 * removes). Only for files already inside the input pixel limit or Revive's own results (the library's before and
 * after), so sharp's 268 MP input guard is off: a 4× result of a 24 MP photo is 384 MP, and shrink-on-load keeps it cheap.
 * @throws ImageError CORRUPT when the source cannot be decoded, WRITE_FAILED when the cache cannot be written.
 */
export async function makeThumbnail(path: string, outPath: string, size: number): Promise<ThumbnailInfo> {
  if (!Number.isInteger(size) || size < 8 || size > 2048) {
    throw new RangeError(`thumbnail size must be a whole number of pixels from 8 to 2048, got ${size}`);
  }
  let out: { data: Buffer; info: { width: number; height: number } };
  try {
    out = await sharp(path, { failOn: 'error', autoOrient: true, limitInputPixels: false })
      .resize(size, size, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75, effort: 2 })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new ImageError('CORRUPT', `${path}: cannot make a thumbnail — ${oneLine((err as Error).message.replace(/^Vips\w*:\s*/, ''))}`, { cause: err });
  }
  await writeAtomic(outPath, out.data);
  return { width: out.info.width, height: out.info.height, bytes: out.data.length };
}
