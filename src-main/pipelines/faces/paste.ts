/**
 * Paste-back of a restored face into the photo.
 *
 * Residual paste: the photo gets `mask · fidelity · (restored − aligned)`, the model's change to the aligned face,
 * carried back through the inverse transform — not the restored face itself. Where the model changes nothing the
 * photo is untouched bit for bit, and the blur of resampling the face to the template and back never reaches the
 * photo; only what the model did does.
 *
 * The mask is defined on the template, so it turns and scales with the face: 1 in the middle, falling smoothly to 0
 * over {@link FEATHER} of the side before the template's edge, so no seam or box can show.
 *
 * Colour match ('adain'): before the change is taken, the restored face's per-channel mean and standard deviation
 * under the mask are set to those of the aligned face, so a model's colour cast does not reach the photo.
 */
import type { PixelBuffer } from '../../pixels/types';
import { applySimilarity, invertSimilarity, type Similarity } from './align';

/** Width of the mask's smooth fall-off, as a fraction of the template's side. */
export const FEATHER = 0.15;
/** Untouched border inside the template's edge, as a fraction of its side. */
export const MARGIN = 0.03;

export type FaceColorMatch = 'adain' | 'none';

/** The feathered mask weight at template point (u, v) of a `size` template. */
export function maskAt(u: number, v: number, size: number): number {
  const d = Math.min(u, size - u, v, size - v) / size;
  const t = Math.min(Math.max((d - MARGIN) / FEATHER, 0), 1);
  return t * t * (3 - 2 * t);
}

const maskGrids = new Map<number, Float32Array>();

/** The mask at every pixel centre of a `size` template, computed once per size. */
function maskGrid(size: number): Float32Array {
  let g = maskGrids.get(size);
  if (!g) {
    g = new Float32Array(size * size);
    for (let v = 0; v < size; v++) for (let u = 0; u < size; u++) g[v * size + u] = maskAt(u + 0.5, v + 0.5, size);
    maskGrids.set(size, g);
  }
  return g;
}

/** Per-channel mean and standard deviation of an HWC face under the mask. */
function maskedStats(face: Float32Array, size: number): { mean: number[]; std: number[] } {
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  let wsum = 0;
  const grid = maskGrid(size);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const m = grid[v * size + u]!;
      if (m === 0) continue;
      wsum += m;
      const i = (v * size + u) * 3;
      for (let c = 0; c < 3; c++) {
        sum[c]! += m * face[i + c]!;
        sq[c]! += m * face[i + c]! * face[i + c]!;
      }
    }
  }
  const mean = sum.map((s) => s / wsum);
  return { mean, std: sq.map((s, c) => Math.sqrt(Math.max(s / wsum - mean[c]! ** 2, 0))) };
}

/** The restored face with the aligned face's masked colour statistics (a copy). */
export function matchColour(restored: Float32Array, aligned: Float32Array, size: number): Float32Array {
  const r = maskedStats(restored, size);
  const a = maskedStats(aligned, size);
  const out = new Float32Array(restored.length);
  for (let i = 0; i < restored.length; i++) {
    const c = i % 3;
    const gain = r.std[c]! > 1e-6 ? a.std[c]! / r.std[c]! : 1;
    out[i] = (restored[i]! - r.mean[c]!) * gain + a.mean[c]!;
  }
  return out;
}

export interface PasteOptions {
  /** 0–1: how much of the restoration is kept (0 leaves the face as it was). */
  fidelity: number;
  colorMatch: FaceColorMatch;
}

/**
 * Pastes one face's change into `image` in place. `aligned` and `restored` are `size`² HWC float faces in [0, 1];
 * `toTemplate` maps the photo to the template. Returns the photo rectangle that was touched.
 */
export function pasteFace(image: PixelBuffer, aligned: Float32Array, restored: Float32Array, toTemplate: Similarity, size: number, opts: PasteOptions): { x: number; y: number; width: number; height: number } {
  const fixed = opts.colorMatch === 'adain' ? matchColour(restored, aligned, size) : restored;
  const delta = new Float32Array(fixed.length);
  for (let i = 0; i < delta.length; i++) delta[i] = fixed[i]! - aligned[i]!;

  const inv = invertSimilarity(toTemplate);
  const corners = [[0, 0], [size, 0], [0, size], [size, size]].map(([u, v]) => applySimilarity(inv, u!, v!));
  const x0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[0]))));
  const y0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[1]))));
  const x1 = Math.min(image.width, Math.ceil(Math.max(...corners.map((p) => p[0]))));
  const y1 = Math.min(image.height, Math.ceil(Math.max(...corners.map((p) => p[1]))));
  const max = image.data instanceof Uint16Array ? 65535 : 255;
  const c = image.channels;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const [u, v] = applySimilarity(toTemplate, x + 0.5, y + 0.5);
      const m = maskAt(u, v, size) * opts.fidelity;
      if (m <= 0) continue;
      const d = sampleDelta(delta, size, u - 0.5, v - 0.5);
      const i = (y * image.width + x) * c;
      for (let ch = 0; ch < 3; ch++) {
        const val = image.data[i + ch]! + m * d[ch]! * max;
        image.data[i + ch] = Math.min(max, Math.max(0, Math.round(val)));
      }
    }
  }
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

const scratch = [0, 0, 0];

/** Bilinear sample of the HWC delta at template pixel coordinates (edges replicated). */
function sampleDelta(delta: Float32Array, size: number, u: number, v: number): number[] {
  const x = Math.min(Math.max(u, 0), size - 1);
  const y = Math.min(Math.max(v, 0), size - 1);
  const xa = Math.floor(x);
  const ya = Math.floor(y);
  const xb = Math.min(xa + 1, size - 1);
  const yb = Math.min(ya + 1, size - 1);
  const fx = x - xa;
  const fy = y - ya;
  for (let ch = 0; ch < 3; ch++) {
    const p00 = delta[(ya * size + xa) * 3 + ch]!;
    const p10 = delta[(ya * size + xb) * 3 + ch]!;
    const p01 = delta[(yb * size + xa) * 3 + ch]!;
    const p11 = delta[(yb * size + xb) * 3 + ch]!;
    const top = p00 + (p10 - p00) * fx;
    scratch[ch] = top + (p01 + (p11 - p01) * fx - top) * fy;
  }
  return scratch;
}
