/**
 * Grey-level morphology and box means over float32 planes (row-major, `w × h`). Square structuring elements are
 * separable, so each filter is a horizontal then a vertical pass; borders use the pixels that exist (the window is
 * clipped), which is what a tile with a halo needs.
 */

/** A single-channel float image. */
export interface Plane {
  data: Float32Array;
  w: number;
  h: number;
}

export function makePlane(w: number, h: number): Plane {
  return { data: new Float32Array(w * h), w, h };
}

/**
 * A running min (or max) of radius `r` along rows, clipped at the ends: van Herk / Gil–Werman, about three
 * comparisons per sample whatever the radius. `g` runs forwards from each block start, `hb` backwards from each
 * block end, over the line padded by `r` neutral samples on both sides.
 */
function rowPass(src: Float32Array, dst: Float32Array, w: number, h: number, r: number, isMin: boolean): void {
  const k = 2 * r + 1;
  const m = w + 2 * r;
  const pad = isMin ? Infinity : -Infinity;
  const line = new Float32Array(m), g = new Float32Array(m), hb = new Float32Array(m);
  line.fill(pad);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    line.set(src.subarray(row, row + w), r);
    for (let i = 0; i < m; i++) {
      const v = line[i]!;
      if (i % k === 0) g[i] = v;
      else {
        const p = g[i - 1]!;
        g[i] = isMin ? (v < p ? v : p) : v > p ? v : p;
      }
    }
    for (let i = m - 1; i >= 0; i--) {
      const v = line[i]!;
      if (i === m - 1 || (i + 1) % k === 0) hb[i] = v;
      else {
        const p = hb[i + 1]!;
        hb[i] = isMin ? (v < p ? v : p) : v > p ? v : p;
      }
    }
    for (let i = 0; i < w; i++) {
      const a = hb[i]!, b = g[i + 2 * r]!;
      dst[row + i] = isMin ? (a < b ? a : b) : a > b ? a : b;
    }
  }
}

/** The same along columns, done a whole row at a time so memory is read in order. */
function columnPass(src: Float32Array, dst: Float32Array, w: number, h: number, r: number, isMin: boolean): void {
  const k = 2 * r + 1;
  const m = h + 2 * r;
  const pad = isMin ? Infinity : -Infinity;
  const g = new Float32Array(m * w), hb = new Float32Array(m * w);
  const rowOf = (i: number): Float32Array | null => (i < r || i >= h + r ? null : src.subarray((i - r) * w, (i - r + 1) * w));
  for (let i = 0; i < m; i++) {
    const v = rowOf(i), o = i * w;
    if (i % k === 0 || !v) {
      if (v) g.set(v, o);
      else if (i % k === 0) g.fill(pad, o, o + w);
      else g.copyWithin(o, o - w, o);
      continue;
    }
    for (let x = 0; x < w; x++) {
      const a = v[x]!, p = g[o - w + x]!;
      g[o + x] = isMin ? (a < p ? a : p) : a > p ? a : p;
    }
  }
  for (let i = m - 1; i >= 0; i--) {
    const v = rowOf(i), o = i * w;
    if (i === m - 1 || (i + 1) % k === 0 || !v) {
      if (v) hb.set(v, o);
      else if (i === m - 1 || (i + 1) % k === 0) hb.fill(pad, o, o + w);
      else hb.copyWithin(o, o + w, o + 2 * w);
      continue;
    }
    for (let x = 0; x < w; x++) {
      const a = v[x]!, p = hb[o + w + x]!;
      hb[o + x] = isMin ? (a < p ? a : p) : a > p ? a : p;
    }
  }
  for (let y = 0; y < h; y++) {
    const o = y * w, ga = (y + 2 * r) * w;
    for (let x = 0; x < w; x++) {
      const a = hb[o + x]!, b = g[ga + x]!;
      dst[o + x] = isMin ? (a < b ? a : b) : a > b ? a : b;
    }
  }
}

function separable(p: Plane, r: number, isMin: boolean): Plane {
  const tmp = makePlane(p.w, p.h);
  const out = makePlane(p.w, p.h);
  rowPass(p.data, tmp.data, p.w, p.h, r, isMin);
  columnPass(tmp.data, out.data, p.w, p.h, r, isMin);
  return out;
}

/** Erosion by a (2r+1)² square. */
export function erode(p: Plane, r: number): Plane {
  return separable(p, r, true);
}

/** Dilation by a (2r+1)² square. */
export function dilate(p: Plane, r: number): Plane {
  return separable(p, r, false);
}

/** Mean over a (2r+1)² window clipped to the plane, from running sums (constant cost per pixel). */
export function boxMean(p: Plane, r: number): Plane {
  const { w, h } = p;
  const tmp = new Float64Array(w * h);
  const out = makePlane(w, h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let sum = 0;
    for (let x = 0; x <= Math.min(r, w - 1); x++) sum += p.data[row + x]!;
    for (let x = 0; x < w; x++) {
      tmp[row + x] = sum / (Math.min(w - 1, x + r) - Math.max(0, x - r) + 1);
      if (x + r + 1 < w) sum += p.data[row + x + r + 1]!;
      if (x - r >= 0) sum -= p.data[row + x - r]!;
    }
  }
  // Columns a whole row at a time (memory read in order): running column sums over the window's rows.
  const sum = new Float64Array(w);
  for (let y = 0; y <= Math.min(r, h - 1); y++) for (let x = 0; x < w; x++) sum[x]! += tmp[y * w + x]!;
  for (let y = 0; y < h; y++) {
    const inv = 1 / (Math.min(h - 1, y + r) - Math.max(0, y - r) + 1);
    const o = y * w;
    for (let x = 0; x < w; x++) out.data[o + x] = sum[x]! * inv;
    if (y + r + 1 < h) for (let x = 0, a = (y + r + 1) * w; x < w; x++) sum[x]! += tmp[a + x]!;
    if (y - r >= 0) for (let x = 0, d = (y - r) * w; x < w; x++) sum[x]! -= tmp[d + x]!;
  }
  return out;
}
