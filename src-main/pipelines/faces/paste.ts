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
import { sampleBilinear3 } from './bilinear';

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

/**
 * Per-channel mean and standard deviation of an HWC face under the mask, from every other pixel of every other row:
 * a quarter of the work for statistics of a smooth mask over a 512² face, and the same to well under a level.
 */
function maskedStats(face: Float32Array, size: number): { mean: number[]; std: number[] } {
  let s0 = 0, s1 = 0, s2 = 0, q0 = 0, q1 = 0, q2 = 0, wsum = 0;
  const grid = maskGrid(size);
  for (let v = 0; v < size; v += 2) {
    for (let u = 0, p = v * size; u < size; u += 2, p += 2) {
      const m = grid[p]!;
      if (m === 0) continue;
      const i = 3 * p;
      const r = face[i]!;
      const g = face[i + 1]!;
      const b = face[i + 2]!;
      wsum += m;
      s0 += m * r;
      s1 += m * g;
      s2 += m * b;
      q0 += m * r * r;
      q1 += m * g * g;
      q2 += m * b * b;
    }
  }
  const mean = [s0 / wsum, s1 / wsum, s2 / wsum];
  const sq = [q0, q1, q2];
  return { mean, std: sq.map((q, c) => Math.sqrt(Math.max(q / wsum - mean[c]! ** 2, 0))) };
}

/** Per-channel gain and shift that give `restored` the masked statistics of `aligned` (restored · gain + shift). */
function colourTransfer(restored: Float32Array, aligned: Float32Array, size: number): { gain: number[]; shift: number[] } {
  const r = maskedStats(restored, size);
  const a = maskedStats(aligned, size);
  const gain = [0, 1, 2].map((c) => (r.std[c]! > 1e-6 ? a.std[c]! / r.std[c]! : 1));
  return { gain, shift: gain.map((g, c) => a.mean[c]! - r.mean[c]! * g) };
}

export interface PasteOptions {
  /** 0–1: how much of the restoration is kept (0 leaves the face as it was). */
  fidelity: number;
  colorMatch: FaceColorMatch;
}

/** The model's change on the template (colour-matched first when asked): one array, one pass. */
function faceDelta(aligned: Float32Array, restored: Float32Array, size: number, colorMatch: FaceColorMatch): Float32Array {
  const { gain, shift } = colorMatch === 'adain' ? colourTransfer(restored, aligned, size) : { gain: [1, 1, 1], shift: [0, 0, 0] };
  const [g0, g1, g2] = gain as [number, number, number];
  const [s0, s1, s2] = shift as [number, number, number];
  const delta = new Float32Array(restored.length);
  for (let i = 0; i < delta.length; i += 3) {
    delta[i] = restored[i]! * g0 + s0 - aligned[i]!;
    delta[i + 1] = restored[i + 1]! * g1 + s1 - aligned[i + 1]!;
    delta[i + 2] = restored[i + 2]! * g2 + s2 - aligned[i + 2]!;
  }
  return delta;
}

/** The photo rectangle (whole pixels, clipped to the photo) that the template covers. */
function templateBox(image: PixelBuffer, toTemplate: Similarity, size: number): { x0: number; y0: number; x1: number; y1: number } {
  const inv = invertSimilarity(toTemplate);
  const corners = [[0, 0], [size, 0], [0, size], [size, size]].map(([u, v]) => applySimilarity(inv, u!, v!));
  const xs = corners.map((p) => p[0]);
  const ys = corners.map((p) => p[1]);
  return {
    x0: Math.max(0, Math.floor(Math.min(...xs))),
    y0: Math.max(0, Math.floor(Math.min(...ys))),
    x1: Math.min(image.width, Math.ceil(Math.max(...xs))),
    y1: Math.min(image.height, Math.ceil(Math.max(...ys))),
  };
}

/**
 * Pastes one face's change into `image` in place. `aligned` and `restored` are `size`² HWC float faces in [0, 1];
 * `toTemplate` maps the photo to the template. Returns the photo rectangle that was touched.
 */
export function pasteFace(image: PixelBuffer, aligned: Float32Array, restored: Float32Array, toTemplate: Similarity, size: number, opts: PasteOptions): { x: number; y: number; width: number; height: number } {
  const delta = { data: faceDelta(aligned, restored, size, opts.colorMatch), width: size, height: size, channels: 3 };
  const { x0, y0, x1, y1 } = templateBox(image, toTemplate, size);
  const max = image.data instanceof Uint16Array ? 65535 : 255;
  const c = image.channels;
  const d = new Float32Array(3);
  const { a, b, tx, ty } = toTemplate;
  for (let y = y0; y < y1; y++) {
    // (u, v) = toTemplate(x + 0.5, y + 0.5), stepped along the row.
    let u = a * (x0 + 0.5) - b * (y + 0.5) + tx;
    let v = b * (x0 + 0.5) + a * (y + 0.5) + ty;
    for (let x = x0, i = (y * image.width + x0) * c; x < x1; x++, i += c, u += a, v += b) {
      const m = maskAt(u, v, size) * opts.fidelity;
      if (m <= 0) continue;
      sampleBilinear3(delta, u - 0.5, v - 0.5, d, 0, m * max);
      for (let ch = 0; ch < 3; ch++) {
        const val = Math.round(image.data[i + ch]! + d[ch]!);
        image.data[i + ch] = val < 0 ? 0 : val > max ? max : val;
      }
    }
  }
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}
