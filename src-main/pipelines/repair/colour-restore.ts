/**
 * Stage 3 of repair — colour restore of a faded print or scan. Dyes fade layer by layer, so fading is modelled per
 * channel (each channel's contrast lowered and its black lifted by its own amount: that difference is the cast):
 *   1. sample  — a regular grid of at most ~250 k pixels, as encoded RGB and as CIELAB
 *   2. decide  — monochrome (black-and-white, sepia, cyanotype: the colours lie on one tint) or colour
 *   3. levels  — robust black and white points per channel (0.5th / 99.5th percentiles of the samples)
 *   4. colour: each channel stretched from its own black point, by a common gain that takes the channels' mean range to
 *              a print's usual range (contrast back, blacks down) times the channel's own share (its range against the
 *              mean: the neutral balance — black and white points made neutral), that share bounded because a real
 *              photo's channels differ in range too (a sunset, a lake) and a fade does not change them by factors
 *      monochrome: only CIELAB lightness stretched between its black and white points; a*, b* kept, so the print's
 *              tint stays and none is invented
 *   5. apply   — through per-channel tables (colour) or per pixel through Lab (monochrome), at the photo's depth (16-bit
 *                stays 16-bit), blended with the photo by `strength`
 */
import type { PixelBuffer } from '../../pixels/types';
import { decodeSrgb, encodeSrgb, labToLinearSrgb, linearSrgbToLab } from './lab';

const BINS = 4096;
const LOW = 0.005;
const HIGH = 0.995;
/** Where L*'s restored black and white points land (monochrome): a well-exposed print's, not the very ends. */
const TARGET_BLACK = 4;
const TARGET_WHITE = 97;
/** The same for each channel of a colour photo, in encoded 0–1 values (about L* 2 and 96). */
const CHANNEL_BLACK = 0.02;
const CHANNEL_WHITE = 0.95;
/** Mean distance (a*, b* units) of the samples from their mean tint below which a photo counts as monochrome. */
const MONO_SPREAD = 4;
/** The most contrast the restore adds: × 2.5 undoes a fade to 40 %. */
const MAX_GAIN = 2.5;
/**
 * How far one channel's stretch may differ from the common one (either way). Fading moves the channels' gains by tens
 * of percent; a photo whose channels differ by more (a blue-less sunset) is showing its subject, not a cast.
 */
const MAX_CHANNEL_SHARE = 1.35;
/** The narrowest channel range (0–1) taken at face value: a flat channel is not stretched into noise. */
const MIN_RANGE = 0.02;

/** Black and white points of each channel, encoded 0–1. */
export interface ChannelLevels {
  lo: [number, number, number];
  hi: [number, number, number];
}

export interface ColourAnalysis {
  monochrome: boolean;
  /** L* black and white points (what a monochrome photo is stretched by). */
  black: number;
  white: number;
  /** Per-channel black and white points (what a colour photo is stretched by); null for a monochrome one. */
  levels: ChannelLevels | null;
}

/** Step 1: every `step`-th pixel of every `step`-th row, as encoded RGB (0–1) and as Lab triples. */
function sample(img: PixelBuffer): { rgb: Float32Array; lab: Float32Array } {
  const { width: W, height: H, channels: c } = img;
  const scale = 1 / (img.data instanceof Uint16Array ? 65535 : 255);
  const step = Math.max(1, Math.ceil(Math.sqrt((W * H) / 250_000)));
  const size = Math.ceil(W / step) * Math.ceil(H / step) * 3;
  const rgb = new Float32Array(size), lab = new Float32Array(size);
  let o = 0;
  for (let y = 0; y < H; y += step) {
    for (let x = 0; x < W; x += step) {
      const i = (y * W + x) * c;
      const r = img.data[i]! * scale, g = img.data[i + 1]! * scale, b = img.data[i + 2]! * scale;
      rgb[o] = r;
      rgb[o + 1] = g;
      rgb[o + 2] = b;
      lab.set(linearSrgbToLab(decodeSrgb(r), decodeSrgb(g), decodeSrgb(b)), o);
      o += 3;
    }
  }
  return { rgb: rgb.subarray(0, o), lab: lab.subarray(0, o) };
}

/** The `q` and `1 − q` quantiles of every `stride`-th value from `offset`, all of them within 0–`top`. */
function levelsOf(values: Float32Array, offset: number, stride: number, top: number): [number, number] {
  const hist = new Uint32Array(BINS);
  let n = 0;
  for (let i = offset; i < values.length; i += stride, n++) hist[Math.min(BINS - 1, Math.max(0, Math.floor((values[i]! / top) * BINS)))]!++;
  const at = (q: number): number => {
    let acc = 0;
    for (let k = 0; k < BINS; k++) {
      acc += hist[k]!;
      if (acc >= q * n) return ((k + 0.5) / BINS) * top;
    }
    return top;
  };
  return n === 0 ? [0, top] : [at(LOW), at(HIGH)];
}

/** Mean distance of the samples' a*, b* from their mean: how far the colours stray from a single tint. */
function tintSpread(lab: Float32Array, n: number): number {
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += lab[i * 3 + 1]!;
    mb += lab[i * 3 + 2]!;
  }
  ma /= n;
  mb /= n;
  let d = 0;
  for (let i = 0; i < n; i++) d += Math.hypot(lab[i * 3 + 1]! - ma, lab[i * 3 + 2]! - mb);
  return d / n;
}

/** Steps 1–3's figures. */
export function analyseColour(img: PixelBuffer): ColourAnalysis {
  const { rgb, lab } = sample(img);
  const n = lab.length / 3;
  const [black, white] = levelsOf(lab, 0, 3, 100);
  const monochrome = n === 0 || tintSpread(lab, n) < MONO_SPREAD;
  if (monochrome) return { monochrome, black, white, levels: null };
  const per = [0, 1, 2].map((c) => levelsOf(rgb, c, 3, 1));
  return { monochrome, black, white, levels: { lo: per.map((p) => p[0]) as ChannelLevels['lo'], hi: per.map((p) => p[1]) as ChannelLevels['hi'] } };
}

/** Step 4 (colour): each channel's stretch, out = CHANNEL_BLACK + (v − lo) × gain, for encoded 0–1 values. */
export function channelGains(levels: ChannelLevels): [number, number, number] {
  const range = [0, 1, 2].map((c) => Math.max(MIN_RANGE, levels.hi[c]! - levels.lo[c]!));
  const mean = (range[0]! + range[1]! + range[2]!) / 3;
  const common = Math.min(MAX_GAIN, Math.max(1, (CHANNEL_WHITE - CHANNEL_BLACK) / mean));
  return range.map((r) => common * Math.min(MAX_CHANNEL_SHARE, Math.max(1 / MAX_CHANNEL_SHARE, mean / r))) as [number, number, number];
}

/** Step 5 for a colour photo: one table per channel over every sample value. */
function restoreChannels(img: PixelBuffer, levels: ChannelLevels, strength: number): PixelBuffer {
  const max = img.data instanceof Uint16Array ? 65535 : 255;
  const gains = channelGains(levels);
  const tables = [0, 1, 2].map((c) => {
    const t = new Float64Array(max + 1);
    for (let v = 0; v <= max; v++) {
      const restored = Math.min(1, Math.max(0, CHANNEL_BLACK + (v / max - levels.lo[c]!) * gains[c]!));
      t[v] = Math.round((v / max + strength * (restored - v / max)) * max);
    }
    return t;
  });
  const out = img.data instanceof Uint16Array ? new Uint16Array(img.data.length) : new Uint8Array(img.data.length);
  const c = img.channels;
  const [tr, tg, tb] = tables as [Float64Array, Float64Array, Float64Array];
  for (let i = 0; i < img.data.length; i += c) {
    out[i] = tr[img.data[i]!]!;
    out[i + 1] = tg[img.data[i + 1]!]!;
    out[i + 2] = tb[img.data[i + 2]!]!;
    if (c === 4) out[i + 3] = img.data[i + 3]!;
  }
  return { ...img, data: out };
}

/** Step 5 for a monochrome photo: L* stretched, a* and b* (the print's own tint) kept. */
function restoreLightness(img: PixelBuffer, analysis: ColourAnalysis, strength: number): PixelBuffer {
  const max = img.data instanceof Uint16Array ? 65535 : 255;
  const decode = new Float32Array(max + 1);
  for (let v = 0; v <= max; v++) decode[v] = decodeSrgb(v / max);
  const gain = Math.min(MAX_GAIN, Math.max(1, (TARGET_WHITE - TARGET_BLACK) / Math.max(1, analysis.white - analysis.black)));
  const out = img.data instanceof Uint16Array ? new Uint16Array(img.data.length) : new Uint8Array(img.data.length);
  const c = img.channels;
  const blend = (v: number, linearNew: number): number => Math.round((v / max + strength * (encodeSrgb(linearNew) - v / max)) * max);
  for (let i = 0; i < img.data.length; i += c) {
    const r = img.data[i]!, g = img.data[i + 1]!, b = img.data[i + 2]!;
    const [L, A, B] = linearSrgbToLab(decode[r]!, decode[g]!, decode[b]!);
    const L2 = Math.min(100, Math.max(0, TARGET_BLACK + (L - analysis.black) * gain));
    const rgb = labToLinearSrgb(L2, A, B);
    out[i] = blend(r, rgb[0]);
    out[i + 1] = blend(g, rgb[1]);
    out[i + 2] = blend(b, rgb[2]);
    if (c === 4) out[i + 3] = img.data[i + 3]!;
  }
  return { ...img, data: out };
}

/** Step 5: `img` restored by `analysis`, blended with it by `strength` (0–1). */
export function restoreColour(img: PixelBuffer, analysis: ColourAnalysis, strength: number): PixelBuffer {
  return analysis.levels ? restoreChannels(img, analysis.levels, strength) : restoreLightness(img, analysis, strength);
}
