/**
 * Stage 3 of repair — colour restore of a faded print or scan, in CIELAB (lightness and colour apart, so contrast
 * and cast are corrected without disturbing each other):
 *   1. sample  — a regular grid of at most ~250 k pixels, as Lab
 *   2. decide  — monochrome (black-and-white, sepia, cyanotype: the colours lie on one tint) or colour
 *   3. levels  — robust black and white points of L* (0.5th / 99.5th percentiles) stretched to a print's usual
 *                range: restores contrast and drops lifted blacks
 *   4. balance — (colour only) the least colourful third of the samples are what should be grey; their mean a*, b*
 *                in the darker and in the lighter half give the cast; it is subtracted, and chroma grows with the contrast (fading
 *                took both). A monochrome photo keeps its a*, b*, so its tint stays and none is invented
 *   5. apply   — per pixel through Lab (sRGB decoding from a table over the sample range, so 16-bit stays 16-bit),
 *                blended with the photo by `strength`
 */
import type { PixelBuffer } from '../../pixels/types';
import { decodeSrgb, encodeSrgb, labToLinearSrgb, linearSrgbToLab } from './lab';

const BINS = 4096;
const LOW = 0.005;
const HIGH = 0.995;
/** Where L*'s restored black and white points land: a well-exposed print's, not the very ends. */
const TARGET_BLACK = 4;
const TARGET_WHITE = 97;
/** Mean distance (a*, b* units) of the samples from their mean tint below which a photo counts as monochrome. */
const MONO_SPREAD = 4;
/** Share of the least colourful samples taken to be neutral. */
const NEUTRAL_SHARE = 1 / 3;
/** The most contrast the restore adds: × 2.5 undoes a fade to 40 %. */
const MAX_GAIN = 2.5;

/** The cast at one lightness: a*, b* of what should be grey there. */
export interface CastPoint {
  L: number;
  a: number;
  b: number;
}

export interface ColourAnalysis {
  monochrome: boolean;
  /** L* black and white points. */
  black: number;
  white: number;
  /** The cast in the shadows and in the highlights (none for a monochrome photo: its tint is its own). */
  cast: [CastPoint, CastPoint] | null;
}

/** Step 1: every `step`-th pixel of every `step`-th row, as Lab triples. */
function sampleLab(img: PixelBuffer): Float32Array {
  const { width: W, height: H, channels: c } = img;
  const scale = 1 / (img.data instanceof Uint16Array ? 65535 : 255);
  const step = Math.max(1, Math.ceil(Math.sqrt((W * H) / 250_000)));
  const out = new Float32Array(Math.ceil(W / step) * Math.ceil(H / step) * 3);
  let o = 0;
  for (let y = 0; y < H; y += step) {
    for (let x = 0; x < W; x += step) {
      const i = (y * W + x) * c;
      out.set(linearSrgbToLab(decodeSrgb(img.data[i]! * scale), decodeSrgb(img.data[i + 1]! * scale), decodeSrgb(img.data[i + 2]! * scale)), o);
      o += 3;
    }
  }
  return out.subarray(0, o);
}

function percentile(hist: Uint32Array, total: number, q: number): number {
  let acc = 0;
  for (let i = 0; i < hist.length; i++) {
    acc += hist[i]!;
    if (acc >= q * total) return ((i + 0.5) / hist.length) * 100;
  }
  return 100;
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

/** Step 4's figures: the mean Lab of the least colourful samples below and above their median lightness. */
function castLine(lab: Float32Array, n: number): [CastPoint, CastPoint] {
  const chroma = new Float32Array(n);
  for (let i = 0; i < n; i++) chroma[i] = Math.hypot(lab[i * 3 + 1]!, lab[i * 3 + 2]!);
  const limit = chroma.slice().sort()[Math.floor(n * NEUTRAL_SHARE)]!;
  const neutral: number[] = [];
  for (let i = 0; i < n; i++) if (chroma[i]! <= limit) neutral.push(i);
  const byL = neutral.sort((p, q) => lab[p * 3]! - lab[q * 3]!);
  const half = Math.floor(byL.length / 2);
  const mean = (ids: number[]): CastPoint => {
    const s = [0, 0, 0];
    for (const i of ids) for (let k = 0; k < 3; k++) s[k]! += lab[i * 3 + k]!;
    const m = ids.length || 1;
    return { L: s[0]! / m, a: s[1]! / m, b: s[2]! / m };
  };
  return [mean(byL.slice(0, half)), mean(byL.slice(half))];
}

/** Steps 1–4's figures. */
export function analyseColour(img: PixelBuffer): ColourAnalysis {
  const lab = sampleLab(img);
  const n = lab.length / 3;
  const hist = new Uint32Array(BINS);
  for (let i = 0; i < n; i++) hist[Math.min(BINS - 1, Math.max(0, Math.floor((lab[i * 3]! / 100) * BINS)))]!++;
  const black = percentile(hist, n, LOW), white = percentile(hist, n, HIGH);
  const monochrome = n === 0 || tintSpread(lab, n) < MONO_SPREAD;
  return { monochrome, black, white, cast: monochrome ? null : castLine(lab, n) };
}

/**
 * The cast to remove at lightness L. Measured (benchmark, four faded photos) a single cast — the two points' mean —
 * restores better than the line through them, which over-corrects wherever the "grey" samples were not grey.
 */
function castAt(cast: [CastPoint, CastPoint], _L: number): [number, number] {
  return [(cast[0].a + cast[1].a) / 2, (cast[0].b + cast[1].b) / 2];
}

/** Step 5: `img` restored by `analysis`, blended with it by `strength` (0–1). */
export function restoreColour(img: PixelBuffer, analysis: ColourAnalysis, strength: number): PixelBuffer {
  const max = img.data instanceof Uint16Array ? 65535 : 255;
  const decode = new Float32Array(max + 1);
  for (let v = 0; v <= max; v++) decode[v] = decodeSrgb(v / max);
  const gain = Math.min(MAX_GAIN, Math.max(1, (TARGET_WHITE - TARGET_BLACK) / Math.max(1, analysis.white - analysis.black)));
  const chromaGain = analysis.cast ? gain : 1;
  const out = img.data instanceof Uint16Array ? new Uint16Array(img.data.length) : new Uint8Array(img.data.length);
  const c = img.channels;
  const blend = (v: number, linearNew: number): number => Math.round((v / max + strength * (encodeSrgb(linearNew) - v / max)) * max);
  for (let i = 0; i < img.data.length; i += c) {
    const r = img.data[i]!, g = img.data[i + 1]!, b = img.data[i + 2]!;
    const [L, A, B] = linearSrgbToLab(decode[r]!, decode[g]!, decode[b]!);
    const [ca, cb] = analysis.cast ? castAt(analysis.cast, L) : [0, 0];
    const L2 = Math.min(100, Math.max(0, TARGET_BLACK + (L - analysis.black) * gain));
    const rgb = labToLinearSrgb(L2, (A - ca) * chromaGain, (B - cb) * chromaGain);
    out[i] = blend(r, rgb[0]);
    out[i + 1] = blend(g, rgb[1]);
    out[i + 2] = blend(b, rgb[2]);
    if (c === 4) out[i + 3] = img.data[i + 3]!;
  }
  return { ...img, data: out };
}
