/**
 * The image pyramid the detector samples its windows from: level 0 is the photo itself (8- or 16-bit, untouched),
 * each further level halves both sides by 2×2 averaging, in float32 on a 0–255 scale. A window is read from the
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
  const out = new Float32Array(width * height * 3);
  const c = src.channels;
  const rowStride = src.width * c;
  const k = src.toByte / 4;
  for (let y = 0; y < height; y++) {
    const r0 = 2 * y * rowStride;
    const r1 = r0 + rowStride;
    let o = y * width * 3;
    for (let x = 0; x < width; x++) {
      const i = 2 * x * c;
      for (let ch = 0; ch < 3; ch++) {
        out[o++] = (src.data[r0 + i + ch]! + src.data[r0 + i + c + ch]! + src.data[r1 + i + ch]! + src.data[r1 + i + c + ch]!) * k;
      }
    }
  }
  return { data: out, width, height, channels: 3, toByte: 1, factor: src.factor * 2 };
}

/** The finest level whose pixels are at least `scale` / 2 photo pixels wide (so it is never upsampled by > 2×). */
export function levelFor(levels: readonly PyramidLevel[], scale: number): PyramidLevel {
  let best = levels[0]!;
  for (const l of levels) if (l.factor <= Math.max(1, scale)) best = l;
  return best;
}
