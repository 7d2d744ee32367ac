/**
 * Blending overlapping tile outputs and streaming finished rows out.
 *
 * Two weightings:
 * - **Raised cosine** ({@link tileBlendWeights}) for pixel models: 1 in a tile's interior, a cosine ramp across each
 *   overlap with a neighbour, no ramp at the image border. The weights of all tiles covering a pixel sum to 1.
 * - **Gaussian** ({@link gaussianTileWeights}) for the diffusion pipeline: a bell centred on the tile; the
 *   accumulator normalises by the sum of weights.
 *
 * The {@link BandAccumulator} always divides by the accumulated weight, so both work unchanged (for raised cosine
 * the division is by 1). It keeps only the rows that some tile still touches; finished rows are handed to a callback
 * and their memory reused, so no float copy of the whole output ever exists. It is not image-specific: any number of
 * float channels (e.g. 4-channel latents) works, and {@link hwcRowWriter} turns it into an integer image writer.
 */
import { planarRowToHwc, type HwcImage } from '../pixels/tensor';
import type { FloatTensor } from '../pixels/types';
import type { Rect, Tile } from './plan';

/** Weights as an outer product: weight(i, j) = x[i] × y[j] over a w × h tile. */
export interface SeparableWeights {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** Per-tile weights: separable, or a full row-major w × h grid. */
export type TileWeights = SeparableWeights | Float32Array;

/** Weights for a tile placed at `rect` (accumulator coordinates). */
export type WeightFn = (rect: Rect) => TileWeights;

/** Rising raised-cosine ramp of `len` samples, strictly inside (0, 1); ramp[t] + ramp[len - 1 - t] = 1. */
export function raisedCosineRamp(len: number): Float64Array {
  const r = new Float64Array(len);
  for (let t = 0; t < len; t++) r[t] = 0.5 - 0.5 * Math.cos((Math.PI * (t + 0.5)) / len);
  return r;
}

/**
 * A 1-D partition of unity over `extent` samples for spans sorted by start that together cover [0, extent).
 * Each span gets a bump (1 inside, raised-cosine ramps across its overlaps with the previous and next spans, none at
 * the ends of the axis), then all bumps are divided by their sum so they add to exactly 1 even where three or more
 * spans overlap. Returns one weight array per span (its length).
 */
export function axisBlendWeights(spans: readonly { start: number; length: number }[], extent: number): Float64Array[] {
  const bumps = spans.map((s, i) => {
    const b = new Float64Array(s.length).fill(1);
    const prev = spans[i - 1];
    if (prev) {
      const ov = Math.min(s.length, prev.start + prev.length - s.start);
      if (ov > 0) {
        const ramp = raisedCosineRamp(ov);
        for (let t = 0; t < ov; t++) b[t]! *= ramp[t]!;
      }
    }
    const next = spans[i + 1];
    if (next) {
      const ov = Math.min(s.length, s.start + s.length - next.start);
      if (ov > 0) {
        const ramp = raisedCosineRamp(ov);
        for (let t = 0; t < ov; t++) b[s.length - ov + t]! *= ramp[ov - 1 - t]!;
      }
    }
    return b;
  });
  const sum = new Float64Array(extent);
  spans.forEach((s, i) => {
    for (let t = 0; t < s.length; t++) sum[s.start + t]! += bumps[i]![t]!;
  });
  for (let p = 0; p < extent; p++) {
    if (!(sum[p]! > 0)) throw new RangeError(`position ${p} of ${extent} is covered by no span`);
  }
  return spans.map((s, i) => bumps[i]!.map((v, t) => v / sum[s.start + t]!));
}

/**
 * Raised-cosine blend weights for a plan, in output pixels. Because the plan is a grid, the 2-D weight is the product
 * of a column's x weights and a row's y weights, and the products of two partitions of unity again sum to 1.
 * The returned function looks tiles up by their output rectangle.
 */
export function tileBlendWeights(tiles: readonly Tile[]): WeightFn {
  const xSpans = new Map<number, number>();
  const ySpans = new Map<number, number>();
  for (const t of tiles) {
    xSpans.set(t.output.x, t.output.w);
    ySpans.set(t.output.y, t.output.h);
  }
  const axis = (m: Map<number, number>): Map<number, Float64Array> => {
    const spans = [...m].map(([start, length]) => ({ start, length })).sort((a, b) => a.start - b.start);
    const extent = Math.max(...spans.map((s) => s.start + s.length));
    const weights = axisBlendWeights(spans, extent);
    return new Map(spans.map((s, i) => [s.start, weights[i]!]));
  };
  const xw = axis(xSpans);
  const yw = axis(ySpans);
  return (rect) => {
    const x = xw.get(rect.x);
    const y = yw.get(rect.y);
    if (!x || !y || x.length !== rect.w || y.length !== rect.h) {
      throw new RangeError(`no planned tile has output (${rect.x}, ${rect.y}) ${rect.w}×${rect.h}`);
    }
    return { x, y };
  };
}

/** One axis of the Gaussian: exp(-(i - c)² / (2σ²)), c = (n - 1) / 2, σ = sigmaFrac × n. */
function gaussianAxis(n: number, sigmaFrac: number): Float64Array {
  const c = (n - 1) / 2;
  const s2 = 2 * (sigmaFrac * n) ** 2;
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.exp(-((i - c) ** 2) / s2);
  return a;
}

/**
 * Gaussian tile weights, row-major w × h: exp(-((x - cx)² / (2σx²) + (y - cy)² / (2σy²))) with
 * (cx, cy) = ((w - 1) / 2, (h - 1) / 2), σx = sigmaFrac × w, σy = sigmaFrac × h — for square tiles exactly
 * exp(-((x - cx)² + (y - cy)²) / (2σ²)) with σ = sigmaFrac × tile size. Peak 1, not normalised: the accumulator
 * divides by the summed weights.
 */
export function gaussianTileWeights(w: number, h: number, sigmaFrac = 0.1): Float32Array {
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1) {
    throw new RangeError(`tile size must be positive integers, got ${w}×${h}`);
  }
  if (!(sigmaFrac > 0)) throw new RangeError(`sigmaFrac must be positive, got ${sigmaFrac}`);
  const gx = gaussianAxis(w, sigmaFrac);
  const gy = gaussianAxis(h, sigmaFrac);
  const out = new Float32Array(w * h);
  for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) out[j * w + i] = gx[i]! * gy[j]!;
  return out;
}

/** A {@link WeightFn} giving every tile Gaussian weights for its size (cached per size). */
export function gaussianWeightFn(sigmaFrac = 0.1): WeightFn {
  const cache = new Map<string, Float32Array>();
  return (rect) => {
    const key = `${rect.w}x${rect.h}`;
    let g = cache.get(key);
    if (!g) cache.set(key, (g = gaussianTileWeights(rect.w, rect.h, sigmaFrac)));
    return g;
  };
}

/**
 * Receives finished row `y`: `row` holds `channels` planes of `width` values (channel k at k × width), already
 * normalised. The array is reused after the callback returns: copy what you keep.
 */
export type RowSink = (y: number, row: Float32Array) => void;

export interface BandAccumulatorOptions {
  width: number;
  height: number;
  channels: number;
  /** Weights used by {@link BandAccumulator.add} when none are passed. */
  weights?: WeightFn;
  onRow: RowSink;
}

interface PendingRow {
  acc: Float32Array;
  weight: Float32Array;
}

/**
 * Weighted sum of overlapping tiles over a `width × height × channels` float canvas of which only the rows still in
 * play are held. Call {@link add} for tiles, {@link emitUntil} once no later tile touches the rows above some y, and
 * {@link finish} at the end; each row reaches `onRow` exactly once, in order, divided by its summed weight.
 */
export class BandAccumulator {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly #weights: WeightFn | undefined;
  readonly #onRow: RowSink;
  readonly #rows = new Map<number, PendingRow>();
  readonly #free: PendingRow[] = [];
  #next = 0;
  #peak = 0;

  constructor(o: BandAccumulatorOptions) {
    for (const [name, v] of [['width', o.width], ['height', o.height], ['channels', o.channels]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
    }
    this.width = o.width;
    this.height = o.height;
    this.channels = o.channels;
    this.#weights = o.weights;
    this.#onRow = o.onRow;
  }

  /** The next row to be emitted (rows above it are gone). */
  get emittedRows(): number {
    return this.#next;
  }

  /** The most rows held at once so far — the accumulator's memory is this × width × (channels + 1) floats. */
  get peakRowsHeld(): number {
    return this.#peak;
  }

  /**
   * Adds `crop` of the NCHW tensor `src` ([1, C, H, W], C = channels) at (`at.x`, `at.y`) with `weights` (defaulting
   * to the accumulator's weight function for that rectangle). Throws if the tile reaches rows already emitted.
   */
  add(src: FloatTensor, crop: Rect, at: { x: number; y: number }, weights?: TileWeights): void {
    const [n, c, h, w] = src.dims;
    if (src.dims.length !== 4 || n !== 1 || c !== this.channels || h === undefined || w === undefined) {
      throw new RangeError(`expected a [1, ${this.channels}, H, W] tensor, got [${src.dims.join(', ')}]`);
    }
    if (crop.x < 0 || crop.y < 0 || crop.w < 1 || crop.h < 1 || crop.x + crop.w > w || crop.y + crop.h > h) {
      throw new RangeError(`crop (${crop.x}, ${crop.y}) ${crop.w}×${crop.h} is not inside the ${w}×${h} tensor`);
    }
    const rect = { x: at.x, y: at.y, w: crop.w, h: crop.h };
    if (at.x < 0 || at.y < 0 || at.x + crop.w > this.width || at.y + crop.h > this.height) {
      throw new RangeError(
        `tile (${at.x}, ${at.y}) ${crop.w}×${crop.h} does not fit the ${this.width}×${this.height} canvas`,
      );
    }
    if (at.y < this.#next) {
      throw new RangeError(`tile at row ${at.y} reaches rows already emitted (up to ${this.#next - 1})`);
    }
    const wts = weights ?? this.#weights?.(rect);
    if (!wts) throw new TypeError('no weights given and the accumulator has no weight function');
    checkWeights(wts, rect);

    const plane = h * w;
    const rowWeight = new Float32Array(crop.w);
    for (let j = 0; j < crop.h; j++) {
      if (wts instanceof Float32Array) rowWeight.set(wts.subarray(j * crop.w, (j + 1) * crop.w));
      else {
        const wy = wts.y[j]!;
        for (let i = 0; i < crop.w; i++) rowWeight[i] = wts.x[i]! * wy;
      }
      const row = this.#row(at.y + j);
      for (let i = 0; i < crop.w; i++) row.weight[at.x + i]! += rowWeight[i]!;
      const srcRow = (crop.y + j) * w + crop.x;
      for (let k = 0; k < c; k++) {
        const s = k * plane + srcRow;
        const d = k * this.width + at.x;
        for (let i = 0; i < crop.w; i++) row.acc[d + i]! += src.data[s + i]! * rowWeight[i]!;
      }
    }
  }

  /** Emits rows [emittedRows, y) in order. Every one of them must have received weight at every pixel. */
  emitUntil(y: number): void {
    if (!Number.isInteger(y) || y > this.height) throw new RangeError(`cannot emit up to row ${y} of ${this.height}`);
    for (; this.#next < y; this.#next++) {
      const yy = this.#next;
      const row = this.#rows.get(yy);
      if (!row) throw new RangeError(`row ${yy} was emitted but no tile covered it`);
      for (let x = 0; x < this.width; x++) {
        const s = row.weight[x]!;
        if (!(s > 0)) throw new RangeError(`pixel (${x}, ${yy}) has total weight ${s}; no tile covered it`);
        const inv = 1 / s;
        for (let k = 0; k < this.channels; k++) row.acc[k * this.width + x]! *= inv;
      }
      this.#rows.delete(yy);
      this.#onRow(yy, row.acc);
      row.acc.fill(0);
      row.weight.fill(0);
      this.#free.push(row);
    }
  }

  /** Emits all remaining rows. */
  finish(): void {
    this.emitUntil(this.height);
  }

  #row(y: number): PendingRow {
    let row = this.#rows.get(y);
    if (!row) {
      row = this.#free.pop() ?? {
        acc: new Float32Array(this.channels * this.width),
        weight: new Float32Array(this.width),
      };
      this.#rows.set(y, row);
      this.#peak = Math.max(this.#peak, this.#rows.size);
    }
    return row;
  }
}

function checkWeights(w: TileWeights, rect: Rect): void {
  if (w instanceof Float32Array) {
    if (w.length !== rect.w * rect.h) {
      throw new RangeError(`weights hold ${w.length} values for a ${rect.w}×${rect.h} tile`);
    }
  } else if (w.x.length !== rect.w || w.y.length !== rect.h) {
    throw new RangeError(`separable weights are ${w.x.length}×${w.y.length} for a ${rect.w}×${rect.h} tile`);
  }
}

/**
 * A {@link RowSink} that writes finished rows into an interleaved integer image (uint8 or uint16, rounded and
 * clamped from [0, 1]). The image must have the accumulator's width and channel count.
 */
export function hwcRowWriter(out: HwcImage): RowSink {
  const stride = out.width * out.channels;
  return (y, row) => planarRowToHwc(row, out.channels, out.width, out.data, y * stride);
}
