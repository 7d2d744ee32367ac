/**
 * Separable resampling on the centred grid: output pixel i of an axis scaled by s samples the input at
 * (i + 0.5)/s − 0.5, the convention of PIL's `Image.resize` and torch's `align_corners=False`. OSEDiff's reference
 * enlarges its input with PIL's bicubic, so the model must see exactly that grid; libvips' upscaling (sharp) puts an
 * impulse half an output pixel right and down instead, which is why Revive resamples here.
 *
 * As PIL does, a downscale stretches the kernel by the scale (so it also low-passes), and at the borders the taps that
 * fall outside the image are dropped and the rest renormalised (no padding). Rows are streamed: the horizontal pass is
 * kept only for the few input rows the current output row needs, so memory is the input plus the output plus a few
 * rows, whatever the size.
 */

/** Kernels on the centred grid: bicubic with a = −0.5 (PIL's BICUBIC, Catmull-Rom) and Lanczos-3. */
export type CentredKernel = 'cubic' | 'lanczos3';

const SUPPORT: Record<CentredKernel, number> = { cubic: 2, lanczos3: 3 };

function cubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

function lanczos3(x: number): number {
  return Math.abs(x) < 3 ? sinc(x) * sinc(x / 3) : 0;
}

/** The taps of one axis: for output i, `count[i]` weights from input index `first[i]`, at `weights[i * stride]`. */
export interface AxisTaps {
  first: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  stride: number;
}

/** Centred-grid taps for resampling an axis of `inSize` samples to `outSize`. */
export function axisTaps(inSize: number, outSize: number, kernel: CentredKernel): AxisTaps {
  const f = kernel === 'cubic' ? cubic : lanczos3;
  const scale = inSize / outSize;
  const stretch = Math.max(scale, 1);
  const support = SUPPORT[kernel] * stretch;
  const stride = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * stride);
  const row = new Float64Array(stride);
  for (let i = 0; i < outSize; i++) {
    // Centre of output pixel i in input coordinates where input pixel j covers [j, j + 1).
    const centre = (i + 0.5) * scale;
    const lo = Math.max(Math.floor(centre - support + 0.5), 0);
    const hi = Math.min(Math.floor(centre + support + 0.5), inSize);
    let sum = 0;
    for (let j = lo; j < hi; j++) {
      const w = f((j + 0.5 - centre) / stretch);
      row[j - lo] = w;
      sum += w;
    }
    for (let k = 0; k < hi - lo; k++) weights[i * stride + k] = row[k]! / sum;
    first[i] = lo;
    count[i] = hi - lo;
  }
  return { first, count, weights, stride };
}

type Samples = Uint8Array | Uint16Array | Float32Array;

/**
 * One input row resampled horizontally into `out` (outWidth × channels floats). Written per element type so each
 * copy of the inner loop sees one array type (a loop shared by Uint8Array and Float32Array runs several times slower).
 */
function makeHorizontal<S extends Samples>(): (src: S, row: number, inWidth: number, c: number, taps: AxisTaps, out: Float32Array) => void {
  return (src, row, inWidth, c, taps, out) => {
    const base = row * inWidth * c;
    const outWidth = taps.first.length;
    const { first, count, weights, stride } = taps;
    for (let x = 0; x < outWidth; x++) {
      const n = count[x]!;
      const wo = x * stride;
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        let p = base + first[x]! * c + ch;
        for (let k = 0; k < n; k++, p += c) acc += weights[wo + k]! * src[p]!;
        out[x * c + ch] = acc;
      }
    }
  };
}
const horizontal8 = makeHorizontal<Uint8Array>();
const horizontal16 = makeHorizontal<Uint16Array>();
const horizontalF = makeHorizontal<Float32Array>();

/**
 * Resamples interleaved samples (`channels` per pixel) from `from` to `width`×`height` on the centred grid. Integer
 * samples are rounded and clamped to their type's range; float samples are left unclamped.
 */
export function resampleCentred<T extends Samples>(
  src: T,
  from: { width: number; height: number; channels: number },
  width: number,
  height: number,
  kernel: CentredKernel,
): T {
  const c = from.channels;
  const ctor = src.constructor as new (n: number) => T;
  const out = new ctor(width * height * c);
  const max = src instanceof Uint8Array ? 255 : src instanceof Uint16Array ? 65535 : Infinity;
  const horizontal = (src instanceof Uint8Array ? horizontal8 : src instanceof Uint16Array ? horizontal16 : horizontalF) as (
    s: T, row: number, inWidth: number, c: number, taps: AxisTaps, out: Float32Array,
  ) => void;
  const hTaps = axisTaps(from.width, width, kernel);
  const vTaps = axisTaps(from.height, height, kernel);
  // Ring of horizontally resampled input rows: an output row needs at most `vTaps.stride` consecutive ones, and the
  // window only moves down.
  const ringSize = vTaps.stride;
  const ring = Array.from({ length: ringSize }, () => new Float32Array(width * c));
  const held = new Int32Array(ringSize).fill(-1);
  const rowLen = width * c;
  const acc = new Float64Array(rowLen);
  for (let y = 0; y < height; y++) {
    const first = vTaps.first[y]!;
    const n = vTaps.count[y]!;
    acc.fill(0);
    for (let k = 0; k < n; k++) {
      const r = first + k;
      const slot = r % ringSize;
      if (held[slot] !== r) {
        horizontal(src, r, from.width, c, hTaps, ring[slot]!);
        held[slot] = r;
      }
      const w = vTaps.weights[y * vTaps.stride + k]!;
      const row = ring[slot]!;
      for (let i = 0; i < rowLen; i++) acc[i]! += w * row[i]!;
    }
    const o = y * rowLen;
    if (max === Infinity) {
      for (let i = 0; i < rowLen; i++) out[o + i] = acc[i]!;
    } else {
      for (let i = 0; i < rowLen; i++) {
        const v = Math.round(acc[i]!);
        out[o + i] = v < 0 ? 0 : v > max ? max : v;
      }
    }
  }
  return out;
}
