/**
 * The repair benchmark's damage generator (the project's own): known damage painted onto a clean photo, so the
 * detector, the inpainting and the colour restore can be scored against the truth.
 *   - dust: specks 1–6 px across, bright and dark, slightly irregular, soft-edged
 *   - scratches: 1–3 px wide, 20–100 % of the photo's side long, random angles, a third of them curved
 *   - one crack: an irregular dark line wandering across the photo
 *   - fade (separately): contrast × 0.6, blacks lifted, a warm/magenta cast; other fades for the held-out figures
 * Deterministic for a seed. Works on 8-bit RGB.
 */
import type { PixelBuffer } from '../../../src-main/pixels/types';

// The tests' seeded generator (mulberry32), so every run paints the same damage; re-exported for the bench's callers.
export { rng } from '../../support/random';
import { rng } from '../../support/random';

export interface Damaged {
  image: PixelBuffer;
  /** Per pixel: how much damage covers it, 0–1. */
  alpha: Float32Array;
}

interface Canvas {
  w: number;
  h: number;
  alpha: Float32Array;
  value: Float32Array;
}

/** A soft disc of radius `r` at (cx, cy): coverage 1 inside, falling to 0 over one pixel at the edge. */
function stamp(cv: Canvas, cx: number, cy: number, r: number, value: number, opacity: number): void {
  const x0 = Math.max(0, Math.floor(cx - r - 1)), x1 = Math.min(cv.w - 1, Math.ceil(cx + r + 1));
  const y0 = Math.max(0, Math.floor(cy - r - 1)), y1 = Math.min(cv.h - 1, Math.ceil(cy + r + 1));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      const a = Math.min(1, Math.max(0, r - d + 0.5)) * opacity;
      const i = y * cv.w + x;
      if (a > cv.alpha[i]!) {
        cv.alpha[i] = a;
        cv.value[i] = value;
      }
    }
  }
}

function dust(cv: Canvas, rand: () => number, count: number): void {
  for (let n = 0; n < count; n++) {
    const size = 1 + rand() * 5;
    const cx = rand() * cv.w, cy = rand() * cv.h;
    const value = rand() < 0.5 ? 0.85 + rand() * 0.15 : rand() * 0.15;
    // Two or three overlapping discs make an irregular speck of about `size` px.
    const parts = 1 + Math.floor(rand() * 3);
    for (let k = 0; k < parts; k++) {
      const r = Math.max(0.5, (size / 2) * (0.6 + rand() * 0.4));
      stamp(cv, cx + (rand() - 0.5) * size * 0.4, cy + (rand() - 0.5) * size * 0.4, r, value, 1);
    }
  }
}

/** A path sampled every half pixel: straight, or a quadratic curve bowing up to 15 % of its length. */
function path(rand: () => number, x: number, y: number, len: number, angle: number, curved: boolean): [number, number][] {
  const ex = x + Math.cos(angle) * len, ey = y + Math.sin(angle) * len;
  const bow = curved ? (rand() - 0.5) * 0.3 * len : 0;
  const mx = (x + ex) / 2 - Math.sin(angle) * bow, my = (y + ey) / 2 + Math.cos(angle) * bow;
  const steps = Math.ceil(len * 2);
  const pts: [number, number][] = [];
  for (let s = 0; s <= steps; s++) {
    const t = s / steps;
    pts.push([(1 - t) ** 2 * x + 2 * (1 - t) * t * mx + t * t * ex, (1 - t) ** 2 * y + 2 * (1 - t) * t * my + t * t * ey]);
  }
  return pts;
}

function scratches(cv: Canvas, rand: () => number, count: number): void {
  const side = Math.min(cv.w, cv.h);
  for (let n = 0; n < count; n++) {
    const width = 1 + rand() * 2;
    const len = side * (0.2 + rand() * 0.8);
    const value = rand() < 0.6 ? 0.8 + rand() * 0.2 : rand() * 0.12;
    const opacity = 0.75 + rand() * 0.25;
    for (const [x, y] of path(rand, rand() * cv.w, rand() * cv.h, len, rand() * Math.PI * 2, n % 3 === 0)) {
      stamp(cv, x, y, width / 2, value, opacity);
    }
  }
}

/** A crack: a random walk whose heading drifts, with a width that varies between 1 and 2.5 px. */
function crack(cv: Canvas, rand: () => number): void {
  let x = rand() * cv.w * 0.2, y = cv.h * (0.3 + rand() * 0.4);
  let heading = (rand() - 0.5) * 0.6;
  const steps = Math.round(cv.w * 1.6);
  for (let s = 0; s < steps; s++) {
    heading += (rand() - 0.5) * 0.5;
    heading = Math.max(-1.2, Math.min(1.2, heading));
    x += Math.cos(heading) * 0.5;
    y += Math.sin(heading) * 0.5;
    if (x < 0 || y < 0 || x >= cv.w || y >= cv.h) break;
    stamp(cv, x, y, 0.5 + rand() * 0.75, 0.06, 0.9);
  }
}

/** Dust, scratches and a crack over `clean` (8-bit RGB), with counts that scale with the photo's area. */
export function damage(clean: PixelBuffer, seed: number): Damaged {
  const { width: w, height: h } = clean;
  const cv: Canvas = { w, h, alpha: new Float32Array(w * h), value: new Float32Array(w * h) };
  const rand = rng(seed);
  const mp = (w * h) / 1e6;
  dust(cv, rand, Math.round(60 * mp));
  scratches(cv, rand, Math.max(3, Math.round(3 * mp)));
  crack(cv, rand);
  const out = new Uint8Array(clean.data.length);
  const c = clean.channels;
  for (let i = 0; i < w * h; i++) {
    const a = cv.alpha[i]!, v = cv.value[i]! * 255;
    for (let ch = 0; ch < c; ch++) {
      const o = clean.data[i * c + ch]!;
      out[i * c + ch] = ch < 3 ? Math.round(o * (1 - a) + v * a) : o;
    }
  }
  return { image: { ...clean, data: out }, alpha: cv.alpha };
}

/** A fade: per channel, contrast × `contrast` about the middle, then a gain and a lift (together the cast). */
export interface FadeParams {
  contrast: number;
  gain: [number, number, number];
  lift: [number, number, number];
}

/** The benchmark's own fade (the issue's): contrast × 0.6, blacks lifted, a warm magenta cast. */
export const BENCH_FADE: FadeParams = { contrast: 0.6, gain: [1.0, 0.9, 0.8], lift: [0.12, 0.08, 0.07] };

/**
 * Fades with other figures, to show the colour restore is not fitted to the benchmark's: weaker and stronger
 * contrast loss, and casts of other hues.
 */
export const OTHER_FADES: Readonly<Record<string, FadeParams>> = {
  '× 0.5, cyan': { contrast: 0.5, gain: [0.85, 1, 1], lift: [0.05, 0.12, 0.12] },
  '× 0.7, yellow': { contrast: 0.7, gain: [1, 0.95, 0.8], lift: [0.1, 0.1, 0.02] },
  '× 0.8, green': { contrast: 0.8, gain: [0.9, 1, 0.9], lift: [0.06, 0.1, 0.06] },
};

/** Fading as old prints show it (the benchmark's fade unless told otherwise). */
export function fade(clean: PixelBuffer, f: FadeParams = BENCH_FADE): PixelBuffer {
  const out = new Uint8Array(clean.data.length);
  const c = clean.channels;
  for (let i = 0; i < clean.data.length; i++) {
    const ch = i % c;
    if (ch >= 3) {
      out[i] = clean.data[i]!;
      continue;
    }
    const v = 0.5 + (clean.data[i]! / 255 - 0.5) * f.contrast;
    out[i] = Math.round(Math.min(1, Math.max(0, f.lift[ch]! + v * f.gain[ch]!)) * 255);
  }
  return { ...clean, data: out };
}
