/**
 * Where the detector looks: square windows at several sizes, each one shrunk to the model's 256 px input.
 *
 * BlazeFace (full-range, 256 px) finds faces whose width is between about 6 % and 70 % of its input (measured on
 * the opencv-doc fixtures, scores ≥ 0.75 throughout). A 30 px face in a 6000 px photo is far below that when the
 * whole photo is shrunk to 256 px, so the photo is also covered by smaller windows: sizes grow by
 * {@link LEVEL_RATIO} from the smallest that still sees a face of `minFace` px up to the whole photo. Each level is
 * trusted with faces of {@link MIN_FACE_FRACTION} to {@link levelMaxFraction} of its side, and its windows overlap
 * by that largest face, so every face lies wholly inside at least one window of the level that suits its size.
 */

/** Smallest face width, as a fraction of the window side, that the detector is asked to find. */
export const MIN_FACE_FRACTION = 0.075;
/** Window sizes grow by this factor from level to level. */
export const LEVEL_RATIO = 3;
/** Largest face width (fraction of the side) a level below the top is trusted with; a margin over the next level's smallest. */
export const levelMaxFraction = (): number => MIN_FACE_FRACTION * LEVEL_RATIO * 1.25;

export interface DetectWindow {
  x: number;
  y: number;
  /** Side of the square window in image pixels. */
  size: number;
}

/** Window start positions along one axis of `length` px for windows of `size` px moving by at most `step`. */
function starts(length: number, size: number, step: number): number[] {
  if (length <= size) return [(length - size) / 2]; // centred; the part outside the image is padding
  const n = Math.ceil((length - size) / step) + 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.round(((length - size) * i) / (n - 1)));
  return out;
}

/** The window sides for an image whose longer side is `longSide`, smallest first; the last is the whole image. */
export function windowSizes(longSide: number, minFace: number): number[] {
  const sizes: number[] = [];
  let size = Math.max(64, minFace / MIN_FACE_FRACTION);
  // Every level up to the whole photo; one within 20 % of the photo's side is the whole photo's level.
  while (size < longSide * 0.8) {
    sizes.push(size);
    size *= LEVEL_RATIO;
  }
  sizes.push(longSide);
  return sizes;
}

/** The windows for a `width` × `height` image, largest first, down to the size that sees faces of `minFace` px. */
export function planWindows(width: number, height: number, minFace: number): DetectWindow[] {
  const out: DetectWindow[] = [];
  for (const size of windowSizes(Math.max(width, height), minFace).reverse()) {
    const step = size * (1 - levelMaxFraction());
    for (const y of starts(height, size, step)) for (const x of starts(width, size, step)) out.push({ x, y, size });
  }
  return out;
}
