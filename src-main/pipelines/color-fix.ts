/**
 * Colour correction of a diffusion result against the (bicubic-upscaled) input, as OSEDiff / StableSR do it.
 *
 * Images are planar float32 CHW with values in [0, 1] — the range the reference works in (it colour-fixes PIL images
 * converted to [0, 1] tensors after the decode). The range matters for AdaIN only through its 1e-5 variance epsilon;
 * the wavelet fix is linear and does not care. Results are not clamped: the caller clamps once at the end.
 *
 * "content" is the model output whose detail we keep; "style" is the input whose colours we restore.
 *
 * Memory: everything works one channel plane at a time. AdaIN needs no scratch; the wavelet fix needs one scratch
 * plane (two when `out` is the style buffer) plus ~18 rows, whatever the channel count. Each function takes an optional
 * `out`, which may be the content buffer itself (in place); a view shifted against an input costs a copy of
 * that input. A caller short of memory can pass single-channel planes
 * (C = 1) one at a time.
 */
import type { ColorFix } from './options';

/** Added to the variance before the square root, as the reference does (it keeps flat channels finite). */
export const ADAIN_EPS = 1e-5;
/** Number of wavelet levels; level i blurs with dilation 2^i. */
export const WAVELET_LEVELS = 5;

/** Per-channel mean and unbiased standard deviation √(var + eps), accumulated in float64. */
export interface ChannelStats {
  mean: number;
  std: number;
}

/**
 * Mean and √(unbiased variance + eps) of one plane. A single-pixel plane has no unbiased variance (n − 1 = 0; torch
 * gives NaN there); we take it as 0 so tiny images still come out finite.
 */
export function channelStats(plane: Float32Array, eps = ADAIN_EPS): ChannelStats {
  const n = plane.length;
  if (n === 0) throw new RangeError('channelStats: empty plane');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += plane[i]!;
  const mean = sum / n;
  // Two passes: the one-pass Σx² − nμ² formula loses digits on 24-megapixel planes.
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = plane[i]! - mean;
    sq += d * d;
  }
  const variance = n > 1 ? sq / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance + eps) };
}

/**
 * AdaIN colour fix: each channel of `content` is normalised to zero mean / unit std and given the mean and std of the
 * same channel of `style`: out = (content − μc)/σc · σs + μs.
 */
export function adainColorFix(
  content: Float32Array,
  style: Float32Array,
  C: number,
  H: number,
  W: number,
  out = new Float32Array(content.length),
): Float32Array {
  checkImages('adainColorFix', content, style, out, C, H, W);
  content = detached(out, content);
  style = detached(out, style);
  const plane = H * W;
  for (let c = 0; c < C; c++) {
    const from = c * plane;
    const cs = channelStats(content.subarray(from, from + plane));
    const ss = channelStats(style.subarray(from, from + plane));
    const scale = ss.std / cs.std;
    for (let i = from; i < from + plane; i++) out[i] = (content[i]! - cs.mean) * scale + ss.mean;
  }
  return out;
}

/**
 * Wavelet colour fix: out = high(content) + low(style), where low(x) is x blurred by {@link WAVELET_LEVELS} passes of
 * the kernel [[1,2,1],[2,4,2],[1,2,1]]/16 with dilation 1, 2, 4, 8, 16 and replicate padding, and high(x) = x − low(x)
 * (the reference sums the per-level differences, which telescopes to the same thing).
 */
export function waveletColorFix(
  content: Float32Array,
  style: Float32Array,
  C: number,
  H: number,
  W: number,
  out = new Float32Array(content.length),
): Float32Array {
  checkImages('waveletColorFix', content, style, out, C, H, W);
  content = detached(out, content);
  style = detached(out, style);
  const plane = H * W;
  const scratch = new BlurScratch(W);
  const low = new Float32Array(plane);
  // Writing into the style buffer would destroy it before its low band is taken: keep that band in a second plane.
  const styleLow = sharesMemory(out, style) ? new Float32Array(plane) : null;
  for (let c = 0; c < C; c++) {
    const from = c * plane;
    const contentPlane = content.subarray(from, from + plane);
    const stylePlane = style.subarray(from, from + plane);
    const outPlane = out.subarray(from, from + plane);
    if (styleLow) {
      styleLow.set(stylePlane);
      waveletLowPass(styleLow, H, W, WAVELET_LEVELS, scratch);
    }
    low.set(contentPlane);
    waveletLowPass(low, H, W, WAVELET_LEVELS, scratch);
    for (let i = 0; i < plane; i++) outPlane[i] = contentPlane[i]! - low[i]!;
    if (styleLow) {
      for (let i = 0; i < plane; i++) outPlane[i] = outPlane[i]! + styleLow[i]!;
      continue;
    }
    low.set(stylePlane);
    waveletLowPass(low, H, W, WAVELET_LEVELS, scratch);
    for (let i = 0; i < plane; i++) outPlane[i] = outPlane[i]! + low[i]!;
  }
  return out;
}

/** Row buffers for the in-place blur, sized for the widest level (dilation 2^(levels−1)). */
export class BlurScratch {
  readonly row: Float32Array;
  readonly top: Float32Array;
  readonly ring: Float32Array;
  constructor(readonly width: number, maxRadius = 2 ** (WAVELET_LEVELS - 1)) {
    this.row = new Float32Array(width);
    this.top = new Float32Array(width);
    this.ring = new Float32Array(width * maxRadius);
  }
}

/** The low band of `levels` wavelet levels, computed in place on one H×W plane. */
export function waveletLowPass(plane: Float32Array, H: number, W: number, levels = WAVELET_LEVELS, scratch?: BlurScratch): Float32Array {
  if (plane.length !== H * W) throw new RangeError(`waveletLowPass: plane has ${plane.length} values, expected ${H}×${W}`);
  const maxRadius = 2 ** Math.max(0, levels - 1);
  const s = scratch && scratch.width === W && scratch.ring.length >= W * maxRadius ? scratch : new BlurScratch(W, maxRadius);
  for (let i = 0; i < levels; i++) dilatedBlurInPlace(plane, H, W, 2 ** i, s);
  return plane;
}

/**
 * One level: the 3×3 kernel [1,2,1]ᵀ[1,2,1]/16 at dilation r with replicate padding. The kernel is separable and so
 * is replicate padding (indices clamp per axis), so it runs as a horizontal then a vertical [¼, ½, ¼] pass, each in
 * place. The vertical pass remembers the last r original rows in a ring (and row 0 for the clamped top edge).
 */
function dilatedBlurInPlace(p: Float32Array, H: number, W: number, r: number, s: BlurScratch): void {
  const { row, top, ring } = s;
  const lastX = W - 1;
  for (let y = 0; y < H; y++) {
    const base = y * W;
    row.set(p.subarray(base, base + W));
    for (let x = 0; x < W; x++) {
      const left = row[x - r < 0 ? 0 : x - r]!;
      const right = row[x + r > lastX ? lastX : x + r]!;
      p[base + x] = 0.25 * left + 0.5 * row[x]! + 0.25 * right;
    }
  }
  top.set(p.subarray(0, W));
  const lastY = H - 1;
  for (let y = 0; y < H; y++) {
    const base = y * W;
    const slot = (y % r) * W;
    // Row y − r was overwritten r steps ago; its original sits in the ring slot we are about to reuse.
    const up = y - r >= 0 ? ring.subarray(slot, slot + W) : top;
    const downBase = (y + r > lastY ? lastY : y + r) * W;
    for (let x = 0; x < W; x++) row[x] = 0.25 * up[x]! + 0.5 * p[base + x]! + 0.25 * p[downBase + x]!;
    ring.set(p.subarray(base, base + W), slot);
    p.set(row, base);
  }
}

/**
 * Strength: out = strength·model + (1 − strength)·input, strength in [0, 1] (1 = the model's result untouched,
 * bit for bit). `out` may be either input.
 */
export function blendStrength(model: Float32Array, input: Float32Array, strength: number, out = new Float32Array(model.length)): Float32Array {
  if (!(strength >= 0 && strength <= 1)) throw new RangeError(`strength must be in [0, 1], got ${strength}`);
  if (input.length !== model.length || out.length !== model.length) {
    throw new RangeError(`blendStrength: lengths differ (model ${model.length}, input ${input.length}, out ${out.length})`);
  }
  const keep = 1 - strength;
  for (let i = 0; i < model.length; i++) out[i] = strength * model[i]! + keep * input[i]!;
  return out;
}

/** Applies the pack's / user's colour-fix choice; `none` copies content into `out` (nothing when out is content). */
export function applyColorFix(
  kind: ColorFix,
  content: Float32Array,
  style: Float32Array,
  C: number,
  H: number,
  W: number,
  out = new Float32Array(content.length),
): Float32Array {
  switch (kind) {
    case 'adain':
      return adainColorFix(content, style, C, H, W, out);
    case 'wavelet':
      return waveletColorFix(content, style, C, H, W, out);
    case 'none':
      checkImages('applyColorFix', content, style, out, C, H, W);
      if (out !== content) out.set(content);
      return out;
  }
}

function checkImages(fn: string, content: Float32Array, style: Float32Array, out: Float32Array, C: number, H: number, W: number): void {
  for (const [name, v] of [['C', C], ['H', H], ['W', W]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${fn}: ${name} must be a positive integer, got ${v}`);
  }
  const n = C * H * W;
  if (content.length !== n || style.length !== n || out.length !== n) {
    throw new RangeError(
      `${fn}: expected ${C}×${H}×${W} = ${n} values, got content ${content.length}, style ${style.length}, out ${out.length}`,
    );
  }
}

/**
 * `input` itself, or a private copy when `out` is a shifted view over it: channel c's writes would otherwise overwrite
 * channel c+1's input before it is read (found by a mutation run). The same array (in place) needs no copy.
 */
function detached(out: Float32Array, input: Float32Array): Float32Array {
  return sharesMemory(out, input) && out.byteOffset !== input.byteOffset ? input.slice() : input;
}

function sharesMemory(a: Float32Array, b: Float32Array): boolean {
  if (a.buffer !== b.buffer) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}
