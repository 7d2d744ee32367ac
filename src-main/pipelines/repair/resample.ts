/**
 * Resizing of planar float images (NCHW without the N) for the inpaint pack's crops: a separable tent filter whose
 * support widens with the reduction, so a crop shrunk to the pack's size is averaged rather than aliased and one
 * enlarged back is interpolated bilinearly. Weights are normalised per output sample, so a constant stays exactly
 * constant (up to float rounding).
 */

/** Per output index along one axis: the first source index and the normalised weights from there. */
interface Taps {
  start: Int32Array;
  weights: Float32Array[];
}

function taps(src: number, dst: number): Taps {
  const ratio = src / dst;
  const support = Math.max(1, ratio);
  const start = new Int32Array(dst);
  const weights: Float32Array[] = [];
  for (let o = 0; o < dst; o++) {
    const centre = (o + 0.5) * ratio - 0.5;
    const lo = Math.max(0, Math.ceil(centre - support));
    const hi = Math.min(src - 1, Math.floor(centre + support));
    const w = new Float32Array(Math.max(1, hi - lo + 1));
    let sum = 0;
    for (let i = lo; i <= hi; i++) {
      const v = Math.max(0, 1 - Math.abs(i - centre) / support);
      w[i - lo] = v;
      sum += v;
    }
    // The centre lies within half a pixel of a source index and the support is at least 1, so `sum` is never 0.
    for (let k = 0; k < w.length; k++) w[k]! /= sum;
    start[o] = lo;
    weights.push(w);
  }
  return { start, weights };
}

/** `planes` planes of sw×sh → the same planes at dw×dh. */
export function resamplePlanes(src: Float32Array, planes: number, sw: number, sh: number, dw: number, dh: number): Float32Array {
  if (sw === dw && sh === dh) return src.slice();
  const tx = taps(sw, dw);
  const ty = taps(sh, dh);
  const rows = new Float32Array(planes * sh * dw);
  for (let c = 0; c < planes; c++) {
    for (let y = 0; y < sh; y++) {
      const inRow = c * sw * sh + y * sw;
      const outRow = c * dw * sh + y * dw;
      for (let x = 0; x < dw; x++) {
        const s = tx.start[x]!, w = tx.weights[x]!;
        let v = 0;
        for (let k = 0; k < w.length; k++) v += w[k]! * src[inRow + s + k]!;
        rows[outRow + x] = v;
      }
    }
  }
  const out = new Float32Array(planes * dh * dw);
  for (let c = 0; c < planes; c++) {
    for (let y = 0; y < dh; y++) {
      const s = ty.start[y]!, w = ty.weights[y]!;
      const outRow = c * dw * dh + y * dw;
      for (let x = 0; x < dw; x++) {
        let v = 0;
        for (let k = 0; k < w.length; k++) v += w[k]! * rows[c * dw * sh + (s + k) * dw + x]!;
        out[outRow + x] = v;
      }
    }
  }
  return out;
}
