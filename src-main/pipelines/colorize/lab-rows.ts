/**
 * Fast CIELAB (D65) for whole rows of 8- or 16-bit sRGB pixels, on the same constants as repair/lab.ts (whose
 * per-colour functions build the tables here): sRGB decoding by table, encoding by a finely sampled table with linear
 * interpolation (error under 1e-7, far below a 16-bit step), so a 24 MP photo is not three million Math.pow calls.
 *
 * Lightness is kept exactly: the colourised pixel has the original's luminance Y, and a chroma outside the sRGB gamut
 * is shortened along its hue until it fits instead of being clipped per channel, which would change L* and lose the
 * original's detail.
 */
import { decodeSrgb, encodeSrgb } from '../repair/lab';

const EPS = 216 / 24389;
const KAPPA = 24389 / 27;
/** D65 white (the XYZ of sRGB white), as in repair/lab.ts. */
const XN = 0.95047;
const ZN = 1.08883;

const decodeTables = new Map<number, Float32Array>();

/** Linear value of every code of a `bits`-deep sRGB sample (8 or 16). */
export function decodeTable(bits: 8 | 16): Float32Array {
  let t = decodeTables.get(bits);
  if (!t) {
    const max = bits === 8 ? 255 : 65535;
    t = new Float32Array(max + 1);
    for (let i = 0; i <= max; i++) t[i] = decodeSrgb(i / max);
    decodeTables.set(bits, t);
  }
  return t;
}

const ENCODE_STEPS = 65536;
let encodeTable: Float32Array | undefined;

/** sRGB encoding of a linear value in 0–1 (clamped), by table. */
export function encodeLinear(v: number): number {
  if (!encodeTable) {
    encodeTable = new Float32Array(ENCODE_STEPS + 2);
    for (let i = 0; i <= ENCODE_STEPS; i++) encodeTable[i] = encodeSrgb(i / ENCODE_STEPS);
    encodeTable[ENCODE_STEPS + 1] = 1;
  }
  if (!(v > 0)) return 0;
  if (v >= 1) return 1;
  const x = v * ENCODE_STEPS;
  const i = Math.floor(x);
  return encodeTable[i]! + (x - i) * (encodeTable[i + 1]! - encodeTable[i]!);
}

const f = (t: number): number => (t > EPS ? Math.cbrt(t) : (KAPPA * t + 16) / 116);
const finv = (t: number): number => (t > 6 / 29 ? t * t * t : (116 * t - 16) / KAPPA);

/** Relative luminance Y of linear sRGB (the Y row of the sRGB → XYZ matrix). */
export function luminance(r: number, g: number, b: number): number {
  return 0.2126729 * r + 0.7151522 * g + 0.072175 * b;
}

/** L*, a*, b* of a linear sRGB colour into `out`. */
export function linearToLab(r: number, g: number, b: number, out: Float64Array | Float32Array): void {
  const fx = f((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / XN);
  const fy = f(luminance(r, g, b));
  const fz = f((0.0193339 * r + 0.119192 * g + 0.9503041 * b) / ZN);
  out[0] = 116 * fy - 16;
  out[1] = 500 * (fx - fy);
  out[2] = 200 * (fy - fz);
}

/** Linear sRGB of luminance Y (fy = f(Y)) and chroma (a*, b*), into `out`; true when all three lie in 0–1. */
function labToLinear(Y: number, fy: number, a: number, b: number, out: Float64Array | Float32Array): boolean {
  const x = XN * finv(fy + a / 500);
  const z = ZN * finv(fy - b / 200);
  const R = 3.2404542 * x - 1.5371385 * Y - 0.4985314 * z;
  const G = -0.969266 * x + 1.8760108 * Y + 0.041556 * z;
  const B = 0.0556434 * x - 0.2040259 * Y + 1.0572252 * z;
  out[0] = R;
  out[1] = G;
  out[2] = B;
  return R >= 0 && R <= 1 && G >= 0 && G <= 1 && B >= 0 && B <= 1;
}

/** Steps of the chroma search for an out-of-gamut colour: the chroma kept is within 1/4096 of the gamut's edge. */
const GAMUT_STEPS = 12;

/**
 * Linear sRGB of the colour with luminance `Y` and chroma (a*, b*), written to out[0..2]. A chroma outside the sRGB
 * gamut at that lightness is shortened along its own hue (a*, b* scaled together, found by bisection) to the gamut's
 * edge, so L* and the hue stay exact and only the saturation gives.
 */
export function labKeepingY(Y: number, a: number, b: number, out: Float64Array | Float32Array): void {
  const fy = f(Y);
  if (labToLinear(Y, fy, a, b, out)) return;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < GAMUT_STEPS; i++) {
    const mid = (lo + hi) / 2;
    if (labToLinear(Y, fy, a * mid, b * mid, out)) lo = mid;
    else hi = mid;
  }
  labToLinear(Y, fy, a * lo, b * lo, out);
}
