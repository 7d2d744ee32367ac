/**
 * An independent, deliberately plain float64 recomputation of the one-step diffusion pipeline on a generated tiny
 * pack (test/fixtures/tiny-packs.ts), written from the maths in issue #3 rather than from the pipeline's code:
 * whole-image (no tiles), no in-place tricks, no shared helpers beyond the pack's weights. Tests compare the pipeline
 * against it.
 */
import type { PixelBuffer } from '../../src-main/pixels/types';
import type { TinyPackParams } from '../fixtures/tiny-packs';

export interface ReferenceSettings {
  timestep: number;
  alphaBar: number;
  scalingFactor: number;
  colorFix: 'adain' | 'wavelet' | 'none';
  strength: number;
  groupNorm?: boolean;
}

/** numpy 'reflect' index. */
export function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  let k = i;
  for (;;) {
    if (k < 0) k = -k;
    else if (k >= n) k = 2 * (n - 1) - k;
    else return k;
  }
}

/** The bicubic image reflect-padded to multiples of 8, in [-1, 1], planar [3][Hp][Wp]. */
export function paddedInput(up: PixelBuffer): { data: Float64Array; W: number; H: number } {
  const W = Math.ceil(up.width / 8) * 8;
  const H = Math.ceil(up.height / 8) * 8;
  const max = up.data instanceof Uint16Array ? 65535 : 255;
  const data = new Float64Array(3 * W * H);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const v = up.data[(reflect(y, up.height) * up.width + reflect(x, up.width)) * 3 + c]!;
        data[(c * H + y) * W + x] = (v / max) * 2 - 1;
      }
    }
  }
  return { data, W, H };
}

/** The tiny encoder: 8×8 average pool, then 1×1 conv 3→8. Returns all 8 channels [8][H/8][W/8]. */
export function referenceEncoder(p: TinyPackParams, img: Float64Array, W: number, H: number): Float64Array {
  const w = W / 8;
  const h = H / 8;
  const out = new Float64Array(8 * w * h);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const avg = [0, 0, 0];
      for (let c = 0; c < 3; c++) {
        for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) avg[c]! += img[(c * H + i * 8 + y) * W + j * 8 + x]! / 64;
      }
      for (let k = 0; k < 8; k++) {
        let v = p.encB[k]!;
        for (let c = 0; c < 3; c++) v += p.encW[k * 3 + c]! * avg[c]!;
        out[(k * h + i) * w + j] = v;
      }
    }
  }
  return out;
}

/** The tiny UNet: 1×1 conv 4→4 + textW · mean over tokens of the hidden state + tsW · t / 1000. */
export function referenceUnet(p: TinyPackParams, z: Float64Array, n: number, t: number, ehs: ArrayLike<number>): Float64Array {
  const D = p.hiddenSize;
  const tokens = ehs.length / D;
  const mean = new Float64Array(D);
  for (let k = 0; k < tokens; k++) for (let d = 0; d < D; d++) mean[d]! += ehs[k * D + d]! / tokens;
  const out = new Float64Array(4 * n);
  for (let k = 0; k < 4; k++) {
    let bias = p.unetB[k]! + (p.tsW[k]! * t) / 1000;
    for (let d = 0; d < D; d++) bias += p.textW[k * D + d]! * mean[d]!;
    for (let i = 0; i < n; i++) {
      let v = bias;
      for (let c = 0; c < 4; c++) v += p.unetW[k * 4 + c]! * z[c * n + i]!;
      out[k * n + i] = v;
    }
  }
  return out;
}

/** GroupNorm (2 groups over 4 channels) with the pack's affine, over a whole [4][n] latent. */
export function referenceGroupNorm(p: TinyPackParams, z: Float64Array, n: number): Float64Array {
  const out = new Float64Array(z.length);
  const perGroup = 4 / p.gnGroups;
  for (let g = 0; g < p.gnGroups; g++) {
    const from = g * perGroup * n;
    const to = from + perGroup * n;
    let mean = 0;
    for (let i = from; i < to; i++) mean += z[i]! / (to - from);
    let variance = 0;
    for (let i = from; i < to; i++) variance += (z[i]! - mean) ** 2 / (to - from);
    for (let i = from; i < to; i++) {
      const c = Math.floor(i / n);
      out[i] = ((z[i]! - mean) / Math.sqrt(variance + p.gnEps)) * p.gnGamma[c]! + p.gnBeta[c]!;
    }
  }
  return out;
}

/** The tiny decoder: (GroupNorm) → 1×1 conv 4→192 → DepthToSpace 8 (DCR). Returns [3][8h][8w]. */
export function referenceDecoder(p: TinyPackParams, latent: Float64Array, w: number, h: number, groupNorm: boolean): Float64Array {
  const z = groupNorm ? referenceGroupNorm(p, latent, w * h) : latent;
  const W = w * 8;
  const H = h * 8;
  const out = new Float64Array(3 * W * H);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const k = ((y % 8) * 8 + (x % 8)) * 3 + c;
        const at = Math.floor(y / 8) * w + Math.floor(x / 8);
        let v = p.decB[k]!;
        for (let ch = 0; ch < 4; ch++) v += p.decW[k * 4 + ch]! * z[ch * w * h + at]!;
        out[(c * H + y) * W + x] = v;
      }
    }
  }
  return out;
}

/** AdaIN per channel with unbiased variance + 1e-5 (torch's calc_mean_std as the reference uses it). */
export function referenceAdain(content: Float64Array, style: Float64Array, n: number): Float64Array {
  const out = new Float64Array(content.length);
  const stats = (a: Float64Array, from: number): [number, number] => {
    let m = 0;
    for (let i = 0; i < n; i++) m += a[from + i]!;
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (a[from + i]! - m) ** 2;
    return [m, Math.sqrt(v / (n - 1) + 1e-5)];
  };
  for (let c = 0; c < 3; c++) {
    const [mc, sc] = stats(content, c * n);
    const [ms, ss] = stats(style, c * n);
    for (let i = 0; i < n; i++) out[c * n + i] = ((content[c * n + i]! - mc) / sc) * ss + ms;
  }
  return out;
}

/** One level of the wavelet blur: 3×3 kernel [1,2,1]ᵀ[1,2,1]/16 at dilation r, replicate padding, done as a 2-D sum. */
function blur(plane: Float64Array, W: number, H: number, r: number): Float64Array {
  const k = [0.25, 0.5, 0.25];
  const out = new Float64Array(plane.length);
  const clamp = (v: number, n: number): number => (v < 0 ? 0 : v >= n ? n - 1 : v);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let s = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) s += k[dy + 1]! * k[dx + 1]! * plane[clamp(y + dy * r, H) * W + clamp(x + dx * r, W)]!;
      }
      out[y * W + x] = s;
    }
  }
  return out;
}

/** The low band after 5 levels (dilations 1, 2, 4, 8, 16). */
function lowBand(plane: Float64Array, W: number, H: number): Float64Array {
  let low = plane;
  for (let i = 0; i < 5; i++) low = blur(low, W, H, 2 ** i);
  return low;
}

/** Wavelet colour fix: the content's high frequencies (content − low) plus the style's low band, per channel. */
export function referenceWavelet(content: Float64Array, style: Float64Array, W: number, H: number): Float64Array {
  const n = W * H;
  const out = new Float64Array(content.length);
  for (let c = 0; c < 3; c++) {
    const cp = content.subarray(c * n, (c + 1) * n);
    const lowC = lowBand(cp, W, H);
    const lowS = lowBand(style.subarray(c * n, (c + 1) * n), W, H);
    for (let i = 0; i < n; i++) out[c * n + i] = cp[i]! - lowC[i]! + lowS[i]!;
  }
  return out;
}

/**
 * The whole pipeline from the bicubic image `up` and the prompt's hidden state: planar [3][H][W] in [0, 1] after
 * colour fix and strength — what `oneStepPlanes` returns.
 */
export function referencePipeline(p: TinyPackParams, up: PixelBuffer, ehs: ArrayLike<number>, s: ReferenceSettings): Float64Array {
  const { data: img, W: Wp, H: Hp } = paddedInput(up);
  const w = Wp / 8;
  const h = Hp / 8;
  const n = w * h;
  const enc = referenceEncoder(p, img, Wp, Hp);
  const z = new Float64Array(4 * n);
  for (let i = 0; i < 4 * n; i++) z[i] = enc[i]! * s.scalingFactor; // the mean: channels 0–3
  const eps = referenceUnet(p, z, n, s.timestep, ehs);
  const latent = new Float64Array(4 * n);
  for (let i = 0; i < 4 * n; i++) latent[i] = (z[i]! - Math.sqrt(1 - s.alphaBar) * eps[i]!) / Math.sqrt(s.alphaBar) / s.scalingFactor;
  const dec = referenceDecoder(p, latent, w, h, s.groupNorm ?? false);
  const W = up.width;
  const H = up.height;
  const N = W * H;
  const content = new Float64Array(3 * N);
  const style = new Float64Array(3 * N);
  const max = up.data instanceof Uint16Array ? 65535 : 255;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const v = Math.min(1, Math.max(-1, dec[(c * Hp + y) * Wp + x]!));
        content[c * N + y * W + x] = (v + 1) / 2;
        style[c * N + y * W + x] = up.data[(y * W + x) * 3 + c]! / max;
      }
    }
  }
  const fixed = s.colorFix === 'adain' ? referenceAdain(content, style, N) : s.colorFix === 'wavelet' ? referenceWavelet(content, style, W, H) : content;
  const out = new Float64Array(3 * N);
  for (let i = 0; i < 3 * N; i++) {
    const v = Math.min(1, Math.max(0, fixed[i]!));
    out[i] = s.strength * v + (1 - s.strength) * style[i]!;
  }
  return out;
}

/** Largest absolute difference. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}
