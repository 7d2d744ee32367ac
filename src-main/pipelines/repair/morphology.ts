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
 * One pass of a running min (sign 1) or max (sign -1) over a line of `n` samples at `stride`, radius `r`, clipped at
 * the ends: van Herk / Gil–Werman, three comparisons per sample whatever the radius.
 */
function line(src: Float32Array, dst: Float32Array, start: number, stride: number, n: number, r: number, isMin: boolean, g: Float32Array, hbuf: Float32Array): void {
  const k = 2 * r + 1;
  // g: running extreme from each block start forwards; hbuf: from each block end backwards, over the padded line.
  const m = n + 2 * r;
  const pad = isMin ? Infinity : -Infinity;
  const at = (i: number): number => (i < r || i >= n + r ? pad : src[start + (i - r) * stride]!);
  for (let i = 0; i < m; i++) {
    const v = at(i);
    g[i] = i % k === 0 ? v : isMin ? Math.min(g[i - 1]!, v) : Math.max(g[i - 1]!, v);
  }
  for (let i = m - 1; i >= 0; i--) {
    const v = at(i);
    hbuf[i] = i === m - 1 || (i + 1) % k === 0 ? v : isMin ? Math.min(hbuf[i + 1]!, v) : Math.max(hbuf[i + 1]!, v);
  }
  for (let i = 0; i < n; i++) {
    const a = hbuf[i]!, b = g[i + 2 * r]!;
    dst[start + i * stride] = isMin ? (a < b ? a : b) : a > b ? a : b;
  }
}

function separable(p: Plane, r: number, isMin: boolean): Plane {
  const tmp = makePlane(p.w, p.h);
  const out = makePlane(p.w, p.h);
  const len = Math.max(p.w, p.h) + 2 * r;
  const g = new Float32Array(len), hb = new Float32Array(len);
  for (let y = 0; y < p.h; y++) line(p.data, tmp.data, y * p.w, 1, p.w, r, isMin, g, hb);
  for (let x = 0; x < p.w; x++) line(tmp.data, out.data, x, p.w, p.h, r, isMin, g, hb);
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
  for (let x = 0; x < w; x++) {
    let sum = 0;
    for (let y = 0; y <= Math.min(r, h - 1); y++) sum += tmp[y * w + x]!;
    for (let y = 0; y < h; y++) {
      out.data[y * w + x] = sum / (Math.min(h - 1, y + r) - Math.max(0, y - r) + 1);
      if (y + r + 1 < h) sum += tmp[(y + r + 1) * w + x]!;
      if (y - r >= 0) sum -= tmp[(y - r) * w + x]!;
    }
  }
  return out;
}
