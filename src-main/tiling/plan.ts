/**
 * The tile planner: a pure function of the image size and tiling parameters to a list of tiles.
 *
 * Vocabulary (all rectangles are `{x, y, w, h}` with integer coordinates):
 * - **core**: the part of the input image a tile is responsible for. Cores tile the image on a regular grid and
 *   neighbouring cores overlap by at least `overlap` pixels so the seams can be blended.
 * - **source** + **mirror**: the region actually fed to the model. It is the core grown by `pad` pixels of context on
 *   each side (and, when the model needs sizes that are a multiple of `multiple`, a few more on the right/bottom),
 *   clamped to the image (`source`); what falls outside the image is made by reflecting the image at its border
 *   (`mirror` counts those rows/columns on each side). The model input is `input.w × input.h` pixels.
 * - **inner**: where the core sits inside that model input; the model output is cropped to `inner × scale`.
 * - **output**: the core at model scale, in output-image pixels.
 */
import type { Rect, Sides } from '../pixels/rect';

export type { Rect, Sides };

export interface Tile {
  /** Position in the plan, row-major. */
  index: number;
  /** Grid column and row. All tiles of a row share `core.y`/`core.h`; all of a column share `core.x`/`core.w`. */
  col: number;
  row: number;
  /** Input pixels this tile is responsible for. */
  core: Rect;
  /** The part of the padded region that lies inside the image. */
  source: Rect;
  /** Reflected rows/columns to add around `source` (the part of the padded region outside the image). */
  mirror: Sides;
  /** Size of the model input: source grown by mirror. */
  input: { w: number; h: number };
  /** The core inside the model input (input-pixel units; multiply by scale to crop the model output). */
  inner: Rect;
  /** The core at model scale, in output-image pixels. */
  output: Rect;
}

export interface PlanOptions {
  width: number;
  height: number;
  /** Core edge in input pixels (cores are smaller only when the image is). */
  tile: number;
  /** Minimum overlap between neighbouring cores. */
  overlap: number;
  /** Context added on every side of a core and cropped after the run. */
  pad: number;
  /** Integer upscale factor of the model. */
  scale: number;
  /** Model inputs must have sides that are a multiple of this (default 1). */
  multiple?: number;
}

function requireInt(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    const what = min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer ≥ ${min}`;
    throw new RangeError(`${name} must be ${what}, got ${value}`);
  }
}

/** Throws a RangeError naming the offending values when the options cannot be planned. */
export function validatePlanOptions(o: PlanOptions): void {
  const multiple = o.multiple ?? 1;
  requireInt('width', o.width, 1);
  requireInt('height', o.height, 1);
  requireInt('scale', o.scale, 1);
  requireInt('multiple', multiple, 1);
  requireInt('tile', o.tile, 1);
  requireInt('overlap', o.overlap, 0);
  requireInt('pad', o.pad, 0);
  if (o.tile % multiple !== 0) {
    const near = Math.max(multiple, Math.floor(o.tile / multiple) * multiple);
    throw new RangeError(`tile must be a multiple of ${multiple} (e.g. ${near}), got ${o.tile}`);
  }
  if (o.overlap >= o.tile) throw new RangeError(`overlap ${o.overlap} must be smaller than tile ${o.tile}`);
  if (o.tile - o.overlap < multiple) {
    throw new RangeError(
      `tile ${o.tile} minus overlap ${o.overlap} leaves a step of ${o.tile - o.overlap}, less than multiple ${multiple}`,
    );
  }
}

/**
 * Start positions of the cores along one axis of `length` pixels.
 *
 * Cores are spread evenly so the overlaps are as equal as possible, and starts fall on multiples of `multiple`
 * (except the last, which is flush with the far edge). The fewest cores are used such that every step between
 * neighbours is at most `tile - overlap`, i.e. every overlap is at least `overlap`.
 */
export function axisStarts(length: number, tile: number, overlap: number, multiple = 1): number[] {
  if (length <= tile) return [0];
  const span = length - tile;
  const maxStep = tile - overlap;
  // Largest step that keeps starts aligned: a lower bound on the count that usually suffices.
  const alignedStep = Math.floor(maxStep / multiple) * multiple;
  for (let n = 1 + Math.ceil(span / alignedStep); ; n++) {
    const unit = span / ((n - 1) * multiple);
    const starts: number[] = [];
    for (let i = 0; i < n - 1; i++) {
      // Clamped so rounding up never pushes a core past the far edge when `span` is not aligned.
      const s = Math.min(Math.round(i * unit), Math.floor(span / multiple)) * multiple;
      // Rounding can land two starts on the same multiple; a duplicate core adds nothing.
      if (starts.length === 0 || s > starts[starts.length - 1]!) starts.push(s);
    }
    if (span > starts[starts.length - 1]!) starts.push(span);
    let ok = true;
    for (let i = 1; i < starts.length; i++) if (starts[i]! - starts[i - 1]! > maxStep) ok = false;
    // Terminates: as n grows the aligned steps shrink to `multiple` ≤ maxStep and the last step to ≤ multiple / 2.
    if (ok) return starts;
  }
}

/**
 * The core edge actually used along an axis: `tile` is the largest allowed. With as many cores as full-size tiles
 * would need, the smallest core (on the `multiple` grid) that still covers the axis with overlaps of at least
 * `overlap` — so a 707 px side takes three 247 px cores rather than three 256 px cores overlapping by 30. The model's
 * work then grows with the image area instead of jumping with how the last tile happens to fit.
 */
export function balancedCore(length: number, tile: number, overlap: number, multiple = 1): number {
  if (length <= tile) return length;
  const count = 1 + Math.ceil((length - tile) / (tile - overlap));
  const core = Math.ceil((length + (count - 1) * overlap) / count / multiple) * multiple;
  return Math.min(tile, core);
}

/**
 * Plans the tiles for an image. Pure: same options, same tiles.
 *
 * Guarantees (tested): the cores cover every pixel; all rectangles are inside their images; neighbouring cores overlap
 * by at least `overlap` (unless one core spans that axis); `input` sides are multiples of `multiple`; a tile's model
 * input is exactly the core with `pad` context on every side (mirrored at image borders) plus alignment padding on
 * the right/bottom. When the image is smaller than `tile` along an axis, one core spans that axis.
 */
export function planTiles(options: PlanOptions): Tile[] {
  validatePlanOptions(options);
  const { width, height, tile, overlap, pad, scale } = options;
  const multiple = options.multiple ?? 1;
  const coreW = balancedCore(width, tile, overlap, multiple);
  const coreH = balancedCore(height, tile, overlap, multiple);
  const xs = axisStarts(width, coreW, overlap, multiple);
  const ys = axisStarts(height, coreH, overlap, multiple);
  const xAxis = xs.map((x) => paddedSpan(x, coreW, pad, multiple, width));
  const yAxis = ys.map((y) => paddedSpan(y, coreH, pad, multiple, height));

  const tiles: Tile[] = [];
  yAxis.forEach((ya, row) => {
    xAxis.forEach((xa, col) => {
      tiles.push({
        index: tiles.length,
        col,
        row,
        core: { x: xa.start, y: ya.start, w: coreW, h: coreH },
        source: { x: xa.srcStart, y: ya.srcStart, w: xa.srcLen, h: ya.srcLen },
        mirror: { left: xa.before, top: ya.before, right: xa.after, bottom: ya.after },
        input: { w: xa.inputLen, h: ya.inputLen },
        inner: { x: pad, y: pad, w: coreW, h: coreH },
        output: { x: xa.start * scale, y: ya.start * scale, w: coreW * scale, h: coreH * scale },
      });
    });
  });
  return tiles;
}

interface AxisSpan {
  start: number;
  srcStart: number;
  srcLen: number;
  before: number;
  after: number;
  inputLen: number;
}

/** One axis of a tile's model input: [start - pad, start + len + pad + align), split into inside/outside the image. */
function paddedSpan(start: number, len: number, pad: number, multiple: number, length: number): AxisSpan {
  const raw = len + 2 * pad;
  const inputLen = Math.ceil(raw / multiple) * multiple;
  const lo = start - pad;
  const hi = lo + inputLen;
  const srcStart = Math.max(0, lo);
  const srcEnd = Math.min(length, hi);
  return { start, srcStart, srcLen: srcEnd - srcStart, before: srcStart - lo, after: hi - srcEnd, inputLen };
}

/** Tiles of one grid row and the output rows that are final once they have been blended in. */
export interface RowBand {
  row: number;
  tiles: Tile[];
  /** Output rows [y0, y1) that no later band touches: they can be emitted after this band. */
  finalRows: { y0: number; y1: number };
}

/**
 * Groups a plan's tiles by grid row, in order, with the output rows each band completes. Feeding the bands in order
 * to an accumulator and emitting `finalRows` after each one streams the output top to bottom, holding at most the rows
 * of one band (plus the overlap into the next) at a time.
 */
export function planRowBands(tiles: readonly Tile[]): RowBand[] {
  const byRow = new Map<number, Tile[]>();
  for (const t of tiles) {
    const list = byRow.get(t.row);
    if (list) list.push(t);
    else byRow.set(t.row, [t]);
  }
  const rows = [...byRow.keys()].sort((a, b) => a - b);
  const outHeight = Math.max(...tiles.map((t) => t.output.y + t.output.h));
  const bands: RowBand[] = [];
  let y0 = 0;
  rows.forEach((row, i) => {
    const next = rows[i + 1];
    const y1 = next === undefined ? outHeight : Math.min(...byRow.get(next)!.map((t) => t.output.y));
    bands.push({ row, tiles: byRow.get(row)!, finalRows: { y0, y1 } });
    y0 = y1;
  });
  return bands;
}

export interface TileBudgetOptions {
  /** Memory the model may use for one tile, in bytes. */
  bytesBudget: number;
  /** Peak bytes per model-input pixel (activations at the widest layer, outputs at scale, …). */
  bytesPerInputPixel: number;
  multiple?: number;
  min: number;
  max: number;
  /** Context padding that each tile carries on every side (counts against the budget). */
  pad?: number;
}

/**
 * The largest tile edge, a multiple of `multiple` within [min, max], whose padded square input fits the budget.
 * Returns `min` (rounded up to a multiple) when even that does not fit: the caller's OOM retry takes it from there.
 */
export function tileSizeForBudget(o: TileBudgetOptions): number {
  const multiple = o.multiple ?? 1;
  const pad = o.pad ?? 0;
  if (!(o.bytesBudget > 0)) throw new RangeError(`bytesBudget must be positive, got ${o.bytesBudget}`);
  if (!(o.bytesPerInputPixel > 0)) throw new RangeError(`bytesPerInputPixel must be positive, got ${o.bytesPerInputPixel}`);
  requireInt('multiple', multiple, 1);
  requireInt('min', o.min, 1);
  requireInt('max', o.max, 1);
  requireInt('pad', pad, 0);
  const lo = Math.ceil(o.min / multiple) * multiple;
  const hi = Math.floor(o.max / multiple) * multiple;
  if (hi < lo) throw new RangeError(`no multiple of ${multiple} lies between min ${o.min} and max ${o.max}`);
  const fits = Math.floor(Math.sqrt(o.bytesBudget / o.bytesPerInputPixel)) - 2 * pad;
  const edge = Math.floor(fits / multiple) * multiple;
  return Math.min(hi, Math.max(lo, edge));
}
