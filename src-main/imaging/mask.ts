/**
 * Repair masks as files: read a user's mask (white = repair) at the photo's upright size, and write a detected mask
 * for the app's overlay. One byte per pixel, 1 = repair.
 */
import { sharp } from './sharp-instance';
import { ImageError } from './errors';
import { writeAtomic } from './atomic';

export interface MaskPlane {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * Reads `file` as a repair mask: any image format sharp reads, turned upright by its EXIF orientation, flattened to
 * grey; pixels brighter than half are repaired.
 * @throws ImageError NOT_FOUND / NOT_AN_IMAGE naming the file.
 */
export async function readMask(file: string): Promise<MaskPlane> {
  let raw;
  try {
    raw = await sharp(file).rotate().flatten({ background: '#000000' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' || /missing|no such file/i.test(String(err)) ? 'NOT_FOUND' : 'NOT_AN_IMAGE';
    throw new ImageError(code, `cannot read the mask ${file}: ${(err as Error).message}`, { cause: err });
  }
  const { data, info } = raw;
  const out = new Uint8Array(info.width * info.height);
  for (let i = 0; i < out.length; i++) out[i] = data[i * info.channels]! >= 128 ? 1 : 0;
  return { data: out, width: info.width, height: info.height };
}

/** Writes `mask` as a black-and-white PNG (white = repair), atomically. */
export async function writeMask(file: string, mask: MaskPlane): Promise<void> {
  const grey = Buffer.alloc(mask.data.length);
  for (let i = 0; i < grey.length; i++) grey[i] = mask.data[i] ? 255 : 0;
  const png = await sharp(grey, { raw: { width: mask.width, height: mask.height, channels: 1 } }).png().toBuffer();
  await writeAtomic(file, png);
}
