/**
 * Pixel ⇄ tensor conversion for one region at a time.
 *
 * Images travel as interleaved (HWC) 8- or 16-bit integers; models take planar float32 NCHW in [0, 1]. Converting
 * only the region a tile needs keeps memory at tile size; nothing here ever converts a whole image. No onnxruntime
 * import: these are plain array loops, shared with the tiling code.
 */
import type { FloatTensor } from './types';
import type { Rect, Sides } from './rect';

export type PixelData = Uint8Array | Uint16Array;

/** An interleaved integer image (a PixelBuffer without the 3|4 restriction on channels). */
export interface HwcImage {
  data: PixelData;
  width: number;
  height: number;
  channels: number;
}

/** Full-scale value of the integer type: 255 for 8-bit, 65535 for 16-bit. */
export function maxValueOf(data: PixelData): number {
  return data instanceof Uint16Array ? 65535 : 255;
}

/**
 * Reflects an out-of-range index into [0, n) the way numpy's `reflect` pad mode does (the edge pixel is not
 * repeated: -1 → 1, n → n - 2), repeating the reflection for pads larger than the image.
 */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((i % period) + period) % period; // also turns -0 into 0
  return m < n ? m : period - m;
}

/** Float in [0, 1] → integer in [0, max], rounded to nearest; out-of-range values clamp, NaN becomes 0. */
export function quantise(v: number, max: number): number {
  if (!(v > 0)) return 0;
  if (v >= 1) return max;
  return Math.floor(v * max + 0.5);
}

/**
 * Reads the padded region `source` grown by `mirror` (reflected beyond the image border) as a float32 NCHW tensor
 * [1, channels, h, w] in [0, 1]. `channels` picks the first N image channels (default: all), so RGB can be taken
 * from RGBA without copying the image.
 */
export function regionToNchw(img: HwcImage, source: Rect, mirror: Sides, channels = img.channels): FloatTensor {
  checkRegion(img, source);
  if (!Number.isInteger(channels) || channels < 1 || channels > img.channels) {
    throw new RangeError(`channels must be 1..${img.channels}, got ${channels}`);
  }
  const w = source.w + mirror.left + mirror.right;
  const h = source.h + mirror.top + mirror.bottom;
  // Source column/row of every model-input column/row: mirror indices resolved once, not per pixel.
  const xs = new Int32Array(w);
  for (let i = 0; i < w; i++) xs[i] = reflectIndex(source.x - mirror.left + i, img.width);
  const ys = new Int32Array(h);
  for (let j = 0; j < h; j++) ys[j] = reflectIndex(source.y - mirror.top + j, img.height);

  const out = new Float32Array(channels * h * w);
  const scale = 1 / maxValueOf(img.data);
  const { data, width: imgW, channels: imgC } = img;
  for (let j = 0; j < h; j++) {
    const rowBase = ys[j]! * imgW;
    for (let i = 0; i < w; i++) {
      const p = (rowBase + xs[i]!) * imgC;
      const q = j * w + i;
      for (let c = 0; c < channels; c++) out[c * h * w + q] = data[p + c]! * scale;
    }
  }
  return { data: out, dims: [1, channels, h, w] };
}

/**
 * Writes the `crop` of a float32 NCHW tensor [1, C, H, W] into an interleaved integer image at (`at.x`, `at.y`),
 * rounding and clamping to the image's integer range. C must equal the image's channel count.
 */
export function nchwToHwc(src: FloatTensor, crop: Rect, out: HwcImage, at: { x: number; y: number }): void {
  const [n, c, h, w] = src.dims;
  if (src.dims.length !== 4 || n !== 1 || c === undefined || h === undefined || w === undefined) {
    throw new RangeError(`expected a [1, C, H, W] tensor, got [${src.dims.join(', ')}]`);
  }
  if (c !== out.channels) throw new RangeError(`tensor has ${c} channels, image has ${out.channels}`);
  checkRegion({ width: w, height: h }, crop, 'tensor');
  checkRegion(out, { x: at.x, y: at.y, w: crop.w, h: crop.h }, 'output image');
  const max = maxValueOf(out.data);
  const plane = h * w;
  for (let j = 0; j < crop.h; j++) {
    const srcRow = (crop.y + j) * w + crop.x;
    const dstRow = ((at.y + j) * out.width + at.x) * c;
    for (let i = 0; i < crop.w; i++) {
      for (let k = 0; k < c; k++) out.data[dstRow + i * c + k] = quantise(src.data[k * plane + srcRow + i]!, max);
    }
  }
}

/**
 * Converts one planar float row (channel k's `width` values at offset k × width) to interleaved integers written at
 * `outOffset` of `out` — the form in which the blend accumulator hands out finished rows.
 */
export function planarRowToHwc(row: Float32Array, channels: number, width: number, out: PixelData, outOffset: number): void {
  if (row.length < channels * width) {
    throw new RangeError(`row holds ${row.length} values, need ${channels} × ${width}`);
  }
  if (outOffset < 0 || outOffset + channels * width > out.length) {
    throw new RangeError(`row of ${channels * width} values at ${outOffset} does not fit an output of ${out.length}`);
  }
  const max = maxValueOf(out);
  for (let i = 0; i < width; i++) {
    const o = outOffset + i * channels;
    for (let k = 0; k < channels; k++) out[o + k] = quantise(row[k * width + i]!, max);
  }
}

function checkRegion(img: { width: number; height: number }, r: Rect, what = 'image'): void {
  const ok = [r.x, r.y, r.w, r.h].every(Number.isInteger) && r.x >= 0 && r.y >= 0 && r.w > 0 && r.h > 0
    && r.x + r.w <= img.width && r.y + r.h <= img.height;
  if (!ok) {
    throw new RangeError(`region (${r.x}, ${r.y}) ${r.w}×${r.h} is not inside the ${img.width}×${img.height} ${what}`);
  }
}
