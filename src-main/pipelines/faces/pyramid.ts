/**
 * The image pyramid the detector samples its windows from: level 0 is the photo itself (8- or 16-bit, untouched),
 * each further level halves both sides by 2×2 averaging (RGB, in the photo's own sample type). A window is read from the
 * finest level that is still at least as coarse as the window needs, so resampling never reads more than ~4 source
 * pixels per output pixel, whatever the photo's size.
 */
import type { PixelBuffer } from '../../pixels/types';

export interface PyramidLevel {
  data: Uint8Array | Uint16Array | Float32Array;
  width: number;
  height: number;
  channels: number;
  /** Multiply a sample by this to get 0–255. */
  toByte: number;
  /** This level's pixel = 2^level pixels of the photo. */
  factor: number;
}

/** One level per halving until the longer side would drop below `minSide`. */
export function buildPyramid(image: PixelBuffer, minSide: number): PyramidLevel[] {
  const levels: PyramidLevel[] = [
    {
      data: image.data,
      width: image.width,
      height: image.height,
      channels: image.channels,
      toByte: image.data instanceof Uint16Array ? 255 / 65535 : 1,
      factor: 1,
    },
  ];
  let last = levels[0]!;
  while (Math.max(last.width, last.height) / 2 >= minSide && Math.min(last.width, last.height) >= 2) {
    last = halve(last);
    levels.push(last);
  }
  return levels;
}

function halve(src: PyramidLevel): PyramidLevel {
  const width = Math.floor(src.width / 2);
  const height = Math.floor(src.height / 2);
  // Same sample type as the photo: a detector gains nothing from the half-step a float would keep, and a 24 MP
  // photo's first level is 18 MB as bytes rather than 72 MB as floats.
  const out = src.data instanceof Float32Array ? new Float32Array(width * height * 3) : src.data instanceof Uint16Array ? new Uint16Array(width * height * 3) : new Uint8Array(width * height * 3);
  const round = out instanceof Float32Array ? 0 : 2;
  const d = src.data;
  const c = src.channels;
  const rowStride = src.width * c;
  let o = 0;
  for (let y = 0; y < height; y++) {
    // p walks the top-left sample of each 2×2 block; q the one below it. Integer samples round to nearest (+2, /4).
    for (let x = 0, p = 2 * y * rowStride, q = p + rowStride; x < width; x++, p += 2 * c, q += 2 * c, o += 3) {
      out[o] = (d[p]! + d[p + c]! + d[q]! + d[q + c]! + round) / 4;
      out[o + 1] = (d[p + 1]! + d[p + c + 1]! + d[q + 1]! + d[q + c + 1]! + round) / 4;
      out[o + 2] = (d[p + 2]! + d[p + c + 2]! + d[q + 2]! + d[q + c + 2]! + round) / 4;
    }
  }
  return { data: out, width, height, channels: 3, toByte: src.toByte, factor: src.factor * 2 };
}

/** The finest level whose pixels are at least `scale` / 2 photo pixels wide (so it is never upsampled by > 2×). */
export function levelFor(levels: readonly PyramidLevel[], scale: number): PyramidLevel {
  let best = levels[0]!;
  for (const l of levels) if (l.factor <= Math.max(1, scale)) best = l;
  return best;
}
