/**
 * Running a model over overlapping tiles of a latent grid, for the three model stages of the one-step diffusion
 * pipeline: the VAE encoder (image tiles in, latent tiles out), the UNet (latent → latent) and the VAE decoder (latent
 * in, image tiles ×8 out). Tiles are planned in latent pixels (tiling/plan.ts), outputs are blended and streamed row
 * by row (tiling/blend.ts), the signal is checked between tiles, and an out-of-memory error redoes the stage with
 * half-size tiles.
 */
import { isOutOfMemory } from '../pixels/out-of-memory';
import { reflectIndex } from '../pixels/tensor';
import { BandAccumulator, tileBlendWeights, type RowSink, type WeightFn } from '../tiling/blend';
import { planRowBands, planTiles, type Tile } from '../tiling/plan';
import { throwIfAborted, type FloatTensor, type ProgressFn } from '../pixels/types';

/** Pixels per latent pixel along each axis. */
export const VAE_FACTOR = 8;

export type ModelStage = 'encode' | 'unet' | 'decode';

export interface Size {
  width: number;
  height: number;
}

/** A tile's region of a planar float latent [C, h, w], mirrored beyond its border, as [1, C, th, tw]. */
export function latentRegion(latent: Float32Array, C: number, size: Size, t: Pick<Tile, 'source' | 'mirror' | 'input'>): FloatTensor {
  const { width: w, height: h } = size;
  if (latent.length !== C * w * h) throw new RangeError(`latent holds ${latent.length} values, expected ${C}×${h}×${w}`);
  const tw = t.input.w;
  const th = t.input.h;
  const x0 = t.source.x - t.mirror.left;
  const y0 = t.source.y - t.mirror.top;
  const out = new Float32Array(C * tw * th);
  const plane = w * h;
  for (let c = 0; c < C; c++) {
    for (let j = 0; j < th; j++) {
      const src = c * plane + reflectIndex(y0 + j, h) * w;
      const dst = (c * th + j) * tw;
      if (t.mirror.left === 0 && t.mirror.right === 0) {
        out.set(latent.subarray(src + x0, src + x0 + tw), dst);
      } else {
        for (let i = 0; i < tw; i++) out[dst + i] = latent[src + reflectIndex(x0 + i, w)]!;
      }
    }
  }
  return { data: out, dims: [1, C, th, tw] };
}

export interface TiledStage {
  stage: ModelStage;
  /** The latent grid. */
  grid: Size;
  /** Tile edge and overlap in latent pixels. */
  tile: number;
  overlap: number;
  /** Output pixels per latent pixel: 1 (encoder, UNet) or 8 (decoder). */
  outScale: number;
  /** Channels kept from the model output (the first ones). */
  channels: number;
  weights: (tiles: Tile[]) => WeightFn;
  run(t: Tile): Promise<FloatTensor>;
  onRow: RowSink;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /** Milliseconds of the first tile, and the plan. */
  onFirstTile?: (ms: number, tiles: readonly Tile[]) => void;
}

/** Plans the tiles of a stage (exported for estimates and tests). */
export function planStage(grid: Size, tile: number, overlap: number, outScale: number): Tile[] {
  return planTiles({ width: grid.width, height: grid.height, tile, overlap, pad: 0, scale: outScale });
}

/** One pass of a stage at one tile size: plan, run tile by tile in row bands, blend, stream finished rows out. */
async function runTiledOnce(s: TiledStage): Promise<void> {
  const tiles = planStage(s.grid, s.tile, s.overlap, s.outScale);
  const acc = new BandAccumulator({
    width: s.grid.width * s.outScale,
    height: s.grid.height * s.outScale,
    channels: s.channels,
    weights: s.weights(tiles),
    onRow: s.onRow,
  });
  let done = 0;
  s.onProgress?.({ stage: s.stage, done, total: tiles.length });
  for (const band of planRowBands(tiles)) {
    for (const t of band.tiles) {
      throwIfAborted(s.signal);
      const started = performance.now();
      const out = await s.run(t);
      const h = t.input.h * s.outScale;
      const w = t.input.w * s.outScale;
      const [n, c] = out.dims;
      if (out.dims.length !== 4 || n !== 1 || c === undefined || c < s.channels || out.dims[2] !== h || out.dims[3] !== w) {
        throw new RangeError(
          `${s.stage}: model output is [${out.dims.join(', ')}] for a ${t.input.w}×${t.input.h} latent tile; ` +
            `expected [1, ≥${s.channels}, ${h}, ${w}]`,
        );
      }
      // The first `channels` planes are contiguous: a view, not a copy (the encoder's mean of mean‖logvar).
      const kept: FloatTensor = c === s.channels ? out : { data: out.data.subarray(0, s.channels * h * w), dims: [1, s.channels, h, w] };
      const crop = { x: t.inner.x * s.outScale, y: t.inner.y * s.outScale, w: t.inner.w * s.outScale, h: t.inner.h * s.outScale };
      acc.add(kept, crop, { x: t.output.x, y: t.output.y });
      if (done === 0) s.onFirstTile?.(performance.now() - started, tiles);
      done++;
      s.onProgress?.({ stage: s.stage, done, total: tiles.length });
    }
    acc.emitUntil(band.finalRows.y1);
  }
  acc.finish();
}

/** Half the effective tile, or undefined at the minimum. */
function smallerTile(tile: number, grid: Size, min: number): number | undefined {
  const effective = Math.min(tile, Math.max(grid.width, grid.height));
  const half = Math.max(min, Math.floor(effective / 2));
  return half < effective ? half : undefined;
}

/** Runs a tiled stage; on out-of-memory, redoes it with half-size tiles down to `minTile` (latent pixels). */
export async function runTiled(s: TiledStage, minTile: number, unit: { scale: number; name: string }, onWarning?: (m: string) => void): Promise<void> {
  let { tile, overlap } = s;
  for (;;) {
    try {
      await runTiledOnce({ ...s, tile, overlap });
      return;
    } catch (err) {
      const smaller = smallerTile(tile, s.grid, minTile);
      if (!isOutOfMemory(err) || smaller === undefined) throw err;
      overlap = Math.min(overlap, Math.floor(smaller / 4));
      onWarning?.(`out of memory in the ${s.stage} stage with ${tile * unit.scale} ${unit.name} tiles; retrying it with ${smaller * unit.scale} ${unit.name} tiles`);
      tile = smaller;
    }
  }
}

/** How tile sizes are shown in warnings: VAE tiles in image pixels, UNet tiles in latent pixels. */
export const PIXEL_UNIT = { scale: VAE_FACTOR, name: 'px' };
export const LATENT_UNIT = { scale: 1, name: 'latent px' };

/** Raised-cosine weights for the VAE stages: full weight inside a tile, ramps across overlaps, summing to 1. */
export function cosineWeights(tiles: Tile[]): WeightFn {
  return tileBlendWeights(tiles);
}

export interface StageRunOptions {
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  onWarning?: (message: string) => void;
  /** Smallest tile for the out-of-memory retry, in the stage's tile unit. */
  minTile?: number;
  onFirstTile?: (ms: number, tiles: readonly Tile[]) => void;
}

/** The hooks of `o` that a tiled stage passes on. */
export function stageHooks(o: StageRunOptions): Pick<TiledStage, 'signal' | 'onProgress' | 'onFirstTile'> {
  return {
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.onFirstTile ? { onFirstTile: o.onFirstTile } : {}),
  };
}
