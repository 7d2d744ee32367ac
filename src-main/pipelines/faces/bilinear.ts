/**
 * The one bilinear sampler of the faces pipeline: the detector's windows, the alignment to the template and the
 * paste-back all read interleaved pixels at continuous positions through it, so the three agree on where a pixel's
 * centre is and on how edges behave.
 *
 * Coordinates are in pixel-index space: (0, 0) is the centre of the first pixel, (width − 1, height − 1) the centre
 * of the last; positions outside are clamped to the edge (edges replicated). It writes into a caller's array and
 * allocates nothing: it runs once per output pixel (hundreds of thousands of times per face, millions per photo).
 */

/** Interleaved samples, `channels` per pixel (the first three are read). */
export interface SampleSource {
  readonly data: Uint8Array | Uint16Array | Float32Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/**
 * Writes `scale · sample + offset` of the first three channels at (x, y) into `out[o]`, `out[o + 1]`, `out[o + 2]`.
 */
export function sampleBilinear3(src: SampleSource, x: number, y: number, out: Float32Array, o: number, scale = 1, offset = 0): void {
  const w = src.width;
  const h = src.height;
  const cx = x < 0 ? 0 : x > w - 1 ? w - 1 : x;
  const cy = y < 0 ? 0 : y > h - 1 ? h - 1 : y;
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const fx = cx - x0;
  const fy = cy - y0;
  const c = src.channels;
  const d = src.data;
  const a = (y0 * w + x0) * c;
  // At the last column/row the neighbour is the pixel itself (its weight is 0 there anyway).
  const dx = x0 < w - 1 ? c : 0;
  const dy = y0 < h - 1 ? w * c : 0;
  for (let ch = 0; ch < 3; ch++) {
    const p = a + ch;
    const top = d[p]! + (d[p + dx]! - d[p]!) * fx;
    const bottom = d[p + dy]! + (d[p + dy + dx]! - d[p + dy]!) * fx;
    out[o + ch] = (top + (bottom - top) * fy) * scale + offset;
  }
}
