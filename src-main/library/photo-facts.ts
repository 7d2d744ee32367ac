/**
 * The few metadata facts the library indexes, read with exifr: when the photo was taken, with which camera, and
 * whether it carries a GPS position (so the user can find photos that would reveal a location before sharing).
 * exifr reads JPEG, TIFF, PNG and HEIF/AVIF; WebP and GIF sources get empty facts.
 */
import exifr from 'exifr';

export interface PhotoFacts {
  /** EXIF DateTimeOriginal (or CreateDate) as written by the camera, "YYYY-MM-DD HH:MM:SS", local to the camera. */
  dateTaken: string | null;
  /** "Make Model", without the make repeated when the model already names it. */
  camera: string | null;
  hasGps: boolean;
}

export const NO_FACTS: PhotoFacts = { dateTaken: null, camera: null, hasGps: false };

/** Why metadata could not be read, alongside the (empty) facts. */
export interface PhotoFactsResult {
  facts: PhotoFacts;
  /** Set when the file's metadata could not be parsed; the photo is still processed. */
  warning: string | null;
}

const PICK = ['DateTimeOriginal', 'CreateDate', 'Make', 'Model', 'GPSLatitude', 'GPSLongitude'];

/** "1987:06:05 14:03:02" → "1987-06-05 14:03:02"; anything unrecognisable → null (never a guessed date). */
export function normaliseExifDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4})[:-](\d{2})[:-](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  if (y === '0000' || mo === '00' || d === '00') return null;
  return `${y}-${mo}-${d} ${h}:${mi}:${s}`;
}

/** Joins make and model the way people name cameras. */
export function cameraName(make: unknown, model: unknown): string | null {
  const mk = typeof make === 'string' ? make.trim() : '';
  const md = typeof model === 'string' ? model.trim() : '';
  if (!mk && !md) return null;
  if (!md) return mk;
  if (!mk || md.toLowerCase().startsWith(mk.toLowerCase().split(' ')[0]!)) return md;
  return `${mk} ${md}`;
}

/** Reads the facts from a photo file. Files without metadata give empty facts and no warning. */
export async function readPhotoFacts(path: string): Promise<PhotoFactsResult> {
  let tags: Record<string, unknown> | undefined;
  try {
    tags = (await exifr.parse(path, { pick: PICK, reviveValues: false, tiff: true, gps: true, xmp: true })) as
      | Record<string, unknown>
      | undefined;
  } catch (e) {
    const message = (e as Error).message;
    // exifr reads JPEG, TIFF, PNG and HEIF/AVIF; WebP and GIF photos are indexed without date and camera. That is a
    // known limit of the reader, not a problem with the file, so it is not reported per photo.
    if (/unknown file format/i.test(message)) return { facts: NO_FACTS, warning: null };
    return { facts: NO_FACTS, warning: `${path}: metadata not readable (${message})` };
  }
  if (!tags) return { facts: NO_FACTS, warning: null };
  return {
    facts: {
      dateTaken: normaliseExifDate(tags.DateTimeOriginal) ?? normaliseExifDate(tags.CreateDate),
      camera: cameraName(tags.Make, tags.Model),
      hasGps: tags.GPSLatitude !== undefined && tags.GPSLongitude !== undefined,
    },
    warning: null,
  };
}
