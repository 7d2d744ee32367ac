/**
 * Is this photo monochrome? A black-and-white print has no chroma; a toned one (sepia, selenium, cyanotype) has
 * chroma along a single hue — the toner's — whose strength follows the density, so in the a*b* plane its pixels lie
 * on one short line from the neutral axis. A colour photo's chroma points in several directions.
 *
 * Measured on a grid of at most {@link MAX_SAMPLES} pixels (the verdict is a statistic: a 24 MP photo needs no more),
 * leaving out near-black and near-white pixels (L* under 8 or over 95), whose chroma is noise:
 *   - greyscale — 90 % of the samples have chroma C*ab ≤ {@link GREY_CHROMA};
 *   - toned     — the samples' mean tint points along a hue u that toners make ({@link TONER_HUES}: the browns of
 *                 sepia and selenium, the blues of cyanotype and blue toning — not the green of a forest photo); 90 %
 *                 of the samples lie within {@link TONED_SPREAD} of the line through the origin along u (distance
 *                 across it), and 90 % have chroma ≤ {@link TONED_CHROMA} (toners are muted; a photo of one saturated
 *                 colour — a blue sky — is not a toned print);
 *   - colour    — anything else.
 * The thresholds were set on the wallpaper photographs of Debian's plasma-workspace-wallpapers and greyscale, sepia
 * and cyanotype versions of them (test/unit/pipelines/colorize/detect-mono.test.ts, figures in models/README.md).
 */
import type { PixelBuffer } from '../../pixels/types';
import { decodeTable, linearToLab } from './lab-rows';

export const MAX_SAMPLES = 65_536;
/** a*b* units. */
export const GREY_CHROMA = 3;
export const TONED_SPREAD = 3.5;
export const TONED_CHROMA = 30;
/** Hue angles (degrees, a*b* plane) of toned prints: warm browns, and blues. */
export const TONER_HUES: readonly (readonly [number, number])[] = [
  [15, 100],
  [200, 300],
];
const SHARE = 0.9;

export type PhotoColour = 'greyscale' | 'toned' | 'colour';

export interface MonoVerdict {
  photo: PhotoColour;
  /** 90th percentile of the samples' chroma C*ab. */
  chroma90: number;
  /** 90th percentile of the samples' distance across the mean tint's hue line (a*b* units). */
  spread90: number;
  /** Hue angle of the mean tint in degrees (0–360), for a toned print's report. */
  hue: number;
  samples: number;
}

/** True for the photos the colourisation's 'auto' mode colourises. */
export function isMonochrome(v: MonoVerdict): boolean {
  return v.photo !== 'colour';
}

function percentile(values: Float64Array, n: number, share: number): number {
  if (n === 0) return 0;
  const sorted = values.subarray(0, n).sort();
  return sorted[Math.min(n - 1, Math.floor(share * n))]!;
}

/** The samples' a*, b* (L* in range only). */
function sampleChroma(rgb: PixelBuffer): { a: Float64Array; b: Float64Array; n: number } {
  const { width, height, channels, data } = rgb;
  const step = Math.max(1, Math.ceil(Math.sqrt((width * height) / MAX_SAMPLES)));
  const lut = decodeTable(data instanceof Uint16Array ? 16 : 8);
  const cap = Math.ceil(width / step) * Math.ceil(height / step);
  const a = new Float64Array(cap);
  const b = new Float64Array(cap);
  const lab = new Float64Array(3);
  let n = 0;
  // Offset by half a step so a photo's border (often a scanner's edge or a frame) weighs no more than its middle.
  for (let y = Math.floor(step / 2); y < height; y += step) {
    for (let x = Math.floor(step / 2); x < width; x += step) {
      const i = (y * width + x) * channels;
      linearToLab(lut[data[i]!]!, lut[data[i + 1]!]!, lut[data[i + 2]!]!, lab);
      if (lab[0]! < 8 || lab[0]! > 95) continue;
      a[n] = lab[1]!;
      b[n] = lab[2]!;
      n++;
    }
  }
  return { a, b, n };
}

/** The photo's verdict (see the module comment for the rule). */
export function judgeMonochrome(rgb: PixelBuffer): MonoVerdict {
  const { a, b, n } = sampleChroma(rgb);
  let ma = 0;
  let mb = 0;
  const chroma = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
    chroma[i] = Math.hypot(a[i]!, b[i]!);
  }
  ma /= Math.max(1, n);
  mb /= Math.max(1, n);
  const norm = Math.hypot(ma, mb);
  const [ux, uy] = norm > 0 ? [ma / norm, mb / norm] : [1, 0];
  const across = new Float64Array(n);
  for (let i = 0; i < n; i++) across[i] = Math.abs(a[i]! * uy - b[i]! * ux);
  const chroma90 = percentile(chroma, n, SHARE);
  const spread90 = percentile(across, n, SHARE);
  const deg = (Math.atan2(mb, ma) * 180) / Math.PI;
  const hue = norm > 0 ? (deg + 360) % 360 : 0;
  const tonerHue = TONER_HUES.some(([lo, hi]) => hue >= lo && hue <= hi);
  const toned = tonerHue && spread90 <= TONED_SPREAD && chroma90 <= TONED_CHROMA;
  const photo: PhotoColour = chroma90 <= GREY_CHROMA ? 'greyscale' : toned ? 'toned' : 'colour';
  return { photo, chroma90, spread90, hue, samples: n };
}
