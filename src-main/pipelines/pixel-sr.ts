/**
 * Pixel super-resolution (Real-ESRGAN and other feed-forward RGB → RGB × scale networks), tiled.
 *
 * Stages:
 *   1. check inputs — RGB buffer, consistent sizes, model names, tiling parameters
 *   2. plan tiles — pure grid of overlapping cores with context padding (tiling/plan.ts)
 *   3. run tiles — per tile: padded region → NCHW (mirrored at image borders), model, crop the padding
 *   4. blend and stream — raised-cosine blending of overlaps; finished rows go straight into the integer output
 * If the runtime runs out of memory, the whole image is redone with half-size tiles (down to `minTile`).
 *
 * Alpha is not handled here: imaging upscales it separately and passes RGB only.
 */
import { isOutOfMemory } from '../pixels/out-of-memory';
import { regionToNchw } from '../pixels/tensor';
import { BandAccumulator, hwcRowWriter, tileBlendWeights } from '../tiling/blend';
import { planRowBands, planTiles, validatePlanOptions, type Rect, type Tile } from '../tiling/plan';
import { throwIfAborted, type FloatTensor, type ModelRunner, type PixelBuffer, type ProgressFn } from '../pixels/types';

export interface PixelSrOptions {
  /** The model's integer upscale factor. */
  scale: number;
  /** Core tile edge in input pixels. */
  tile: number;
  /** Minimum overlap between neighbouring cores. */
  overlap: number;
  /** Context pixels around each tile, cropped after the run (≥ the model's receptive-field radius for seamless tiles). */
  pad: number;
  inputName: string;
  outputName: string;
  /** Model inputs must be a multiple of this (e.g. 2 or 4 for pixel-unshuffle models). Default 1. */
  multiple?: number;
  /** Smallest tile the out-of-memory retry goes down to. Default 64. */
  minTile?: number;
  signal?: AbortSignal;
  /** Called after each tile with stage 'upscale'. Restarts from 0 if an out-of-memory retry begins. */
  onProgress?: ProgressFn;
  /** Called when something was worked around (an out-of-memory retry with smaller tiles). */
  onWarning?: (message: string) => void;
}

const DEFAULT_MIN_TILE = 64;

/**
 * Upscales an RGB image by the model's scale, tile by tile. Returns a new RGB buffer of the same bit depth
 * (uint8 in → uint8 out, uint16 in → uint16 out). Throws AbortedError when `signal` aborts between tiles.
 */
export async function runPixelSr(input: PixelBuffer, runner: ModelRunner, opts: PixelSrOptions): Promise<PixelBuffer> {
  checkInputs(input, runner, opts); // 1
  const multiple = opts.multiple ?? 1;
  const minTile = Math.max(multiple, Math.ceil((opts.minTile ?? DEFAULT_MIN_TILE) / multiple) * multiple);
  let tile = opts.tile;
  let overlap = opts.overlap;
  for (;;) {
    try {
      return await upscaleTiled(input, runner, { ...opts, tile, overlap });
    } catch (err) {
      const smaller = smallerTile(tile, input, multiple, minTile);
      if (!isOutOfMemory(err) || smaller === undefined) throw err;
      // A smaller tile needs a smaller overlap when the old one would no longer leave a step.
      if (overlap > smaller - multiple) overlap = Math.min(Math.floor(smaller / 4), smaller - multiple);
      opts.onWarning?.(`out of memory with ${tile} px tiles; retrying the image with ${smaller} px tiles`);
      tile = smaller;
    }
  }
}

/** Stage 1: fail fast, naming the offending values. */
function checkInputs(input: PixelBuffer, runner: ModelRunner, opts: PixelSrOptions): void {
  if (input.channels !== 3) {
    throw new RangeError(`pixel-sr takes RGB (3 channels), got ${input.channels}; upscale alpha separately`);
  }
  if (!Number.isInteger(input.width) || !Number.isInteger(input.height) || input.width < 1 || input.height < 1) {
    throw new RangeError(`image size must be positive integers, got ${input.width}×${input.height}`);
  }
  const expected = input.width * input.height * 3;
  if (input.data.length !== expected) {
    throw new RangeError(`image data holds ${input.data.length} values, expected ${input.width}×${input.height}×3 = ${expected}`);
  }
  if (!runner.inputNames.includes(opts.inputName)) {
    throw new RangeError(`model has no input "${opts.inputName}"; its inputs are ${runner.inputNames.join(', ')}`);
  }
  if (!runner.outputNames.includes(opts.outputName)) {
    throw new RangeError(`model has no output "${opts.outputName}"; its outputs are ${runner.outputNames.join(', ')}`);
  }
  validatePlanOptions({ ...opts, width: input.width, height: input.height });
}

/** Half the effective tile (rounded down to a multiple), or undefined when already at the minimum. */
function smallerTile(tile: number, input: PixelBuffer, multiple: number, minTile: number): number | undefined {
  // A tile larger than the image runs at image size: halving it from there is what reduces memory.
  const effective = Math.min(tile, Math.ceil(Math.max(input.width, input.height) / multiple) * multiple);
  const half = Math.max(minTile, Math.floor(effective / 2 / multiple) * multiple);
  return half < effective ? half : undefined;
}

/** Stages 2–4 for one tile size. */
async function upscaleTiled(input: PixelBuffer, runner: ModelRunner, opts: PixelSrOptions): Promise<PixelBuffer> {
  const { scale } = opts;
  const tiles = planTiles({ ...opts, width: input.width, height: input.height }); // 2
  const outW = input.width * scale;
  const outH = input.height * scale;
  const data = input.data instanceof Uint16Array ? new Uint16Array(outW * outH * 3) : new Uint8Array(outW * outH * 3);
  const output: PixelBuffer = { data, width: outW, height: outH, channels: 3 };
  const acc = new BandAccumulator({
    width: outW,
    height: outH,
    channels: 3,
    weights: tileBlendWeights(tiles),
    onRow: hwcRowWriter(output),
  });

  let done = 0;
  opts.onProgress?.({ stage: 'upscale', done, total: tiles.length });
  for (const band of planRowBands(tiles)) {
    for (const t of band.tiles) {
      throwIfAborted(opts.signal);
      const result = await runTile(input, runner, t, opts); // 3
      acc.add(result, scaled(t.inner, scale), { x: t.output.x, y: t.output.y }); // 4
      opts.onProgress?.({ stage: 'upscale', done: ++done, total: tiles.length });
    }
    acc.emitUntil(band.finalRows.y1);
  }
  acc.finish();
  return output;
}

/** Stage 3 for one tile: padded region → model → checked output tensor (cropping happens in the accumulator). */
async function runTile(input: PixelBuffer, runner: ModelRunner, t: Tile, opts: PixelSrOptions): Promise<FloatTensor> {
  const feed = regionToNchw(input, t.source, t.mirror, 3);
  const outputs = await runner.run({ [opts.inputName]: feed });
  const out = outputs[opts.outputName];
  const want = [1, 3, t.input.h * opts.scale, t.input.w * opts.scale];
  if (!out) throw new Error(`model returned no output "${opts.outputName}"`);
  if (out.dims.length !== 4 || out.dims.some((d, i) => d !== want[i])) {
    throw new RangeError(
      `model output "${opts.outputName}" is [${out.dims.join(', ')}] for a ${t.input.w}×${t.input.h} tile; ` +
        `expected [${want.join(', ')}] at scale ${opts.scale}`,
    );
  }
  return out;
}

function scaled(r: Rect, s: number): Rect {
  return { x: r.x * s, y: r.y * s, w: r.w * s, h: r.h * s };
}
