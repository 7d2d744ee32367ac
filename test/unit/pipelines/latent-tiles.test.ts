/**
 * The tiled model stages of the one-step diffusion pipeline (pipelines/latent-tiles.ts) with fake models, against
 * direct computations: a model that returns its input (or its input enlarged ×8 by pixel repetition) must give the
 * whole latent back through any plan of tiles, since the blend weights sum to 1. Values compared exactly or within
 * 1e-6 (float32 sums of weights that add to 1).
 */
import { describe, expect, it } from 'vitest';
import {
  cosineWeights,
  LATENT_UNIT,
  latentRegion,
  PIXEL_UNIT,
  planStage,
  runTiled,
  stageHooks,
  VAE_FACTOR,
  type TiledStage,
} from '../../../src-main/pipelines/latent-tiles';
import { AbortedError, type FloatTensor, type StageProgress } from '../../../src-main/pixels/types';
import { planTiles, type Tile } from '../../../src-main/tiling/plan';
import { rng } from '../../support/random';

/** Reflection without repeating the edge sample (numpy's "reflect"), written as a walk that bounces off both ends. */
function bounce(i: number, n: number): number {
  if (n === 1) return 0;
  let p = i;
  while (p < 0 || p >= n) p = p < 0 ? -p : 2 * (n - 1) - p;
  return p;
}

function randomLatent(C: number, w: number, h: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: C * w * h }, () => r() * 2 - 1);
}

/** The tile's model input read directly: channel c, row j, column i of the (mirrored) region. */
function directRegion(latent: Float32Array, C: number, w: number, h: number, t: Tile): number[] {
  const out: number[] = [];
  const x0 = t.source.x - t.mirror.left;
  const y0 = t.source.y - t.mirror.top;
  for (let c = 0; c < C; c++) {
    for (let j = 0; j < t.input.h; j++) {
      for (let i = 0; i < t.input.w; i++) out.push(latent[c * w * h + bounce(y0 + j, h) * w + bounce(x0 + i, w)]!);
    }
  }
  return out;
}

/** Collects the stage's rows into a planar [C, H, W] image, checking each row comes once and in order. */
function collector(C: number, W: number, H: number): { image: Float32Array; onRow: TiledStage['onRow']; rows: number[] } {
  const image = new Float32Array(C * W * H);
  const rows: number[] = [];
  return {
    image,
    rows,
    onRow: (y, row) => {
      rows.push(y);
      for (let c = 0; c < C; c++) image.set(row.subarray(c * W, (c + 1) * W), c * W * H + y * W);
    },
  };
}

/** A model returning its input enlarged `scale`× by repetition, with `extra` more channels of garbage after it. */
function repeatModel(latent: Float32Array, C: number, grid: { width: number; height: number }, scale: number, extra = 0) {
  return async (t: Tile): Promise<FloatTensor> => {
    const region = latentRegion(latent, C, grid, t);
    const [w, h] = [t.input.w * scale, t.input.h * scale];
    const data = new Float32Array((C + extra) * w * h).fill(1e6);
    for (let c = 0; c < C; c++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) data[(c * h + y) * w + x] = region.data[(c * t.input.h + Math.floor(y / scale)) * t.input.w + Math.floor(x / scale)]!;
      }
    }
    return { data, dims: [1, C + extra, h, w] };
  };
}

function stage(over: Partial<TiledStage> & Pick<TiledStage, 'grid' | 'run' | 'onRow'>): TiledStage {
  return { stage: 'unet', tile: 8, overlap: 2, outScale: 1, channels: 2, weights: cosineWeights, ...over };
}

describe('latentRegion', () => {
  it('reads each planned tile, mirrored at the borders, as the direct reflection does', () => {
    const [C, w, h] = [3, 11, 7];
    const latent = randomLatent(C, w, h, 1);
    const tiles = [
      ...planStage({ width: w, height: h }, 4, 1, 1),
      // With context padding the sources reach out of the grid and are mirrored.
      ...planTiles({ width: w, height: h, tile: 4, overlap: 1, pad: 3, scale: 1 }),
    ];
    expect(tiles.some((t) => t.mirror.left + t.mirror.top > 0) && tiles.some((t) => t.mirror.right + t.mirror.bottom > 0)).toBe(true);
    for (const t of tiles) {
      const r = latentRegion(latent, C, { width: w, height: h }, t);
      expect(r.dims).toEqual([1, C, t.input.h, t.input.w]);
      expect(Array.from(r.data)).toEqual(directRegion(latent, C, w, h, t));
    }
  });

  it('reflects on the left, right, top and bottom when a tile reaches out of the grid', () => {
    const [C, w, h] = [2, 5, 4];
    const latent = randomLatent(C, w, h, 2);
    const t = { source: { x: 0, y: 0, w, h }, mirror: { left: 2, right: 3, top: 1, bottom: 2 }, input: { w: w + 5, h: h + 3 } };
    const r = latentRegion(latent, C, { width: w, height: h }, t);
    expect(Array.from(r.data)).toEqual(directRegion(latent, C, w, h, t as Tile));
    // Column 0 of the region is grid column 2 (reflected twice over column 0), row 0 is grid row 1.
    expect(r.data[0]).toBe(latent[1 * w + 2]);
  });

  it('refuses a latent whose length does not match the size, naming both', () => {
    const t = planStage({ width: 4, height: 4 }, 4, 0, 1)[0]!;
    expect(() => latentRegion(new Float32Array(31), 2, { width: 4, height: 4 }, t)).toThrow('latent holds 31 values, expected 2×4×4');
  });
});

describe('runTiled', () => {
  for (const [w, h, tile, overlap, outScale] of [
    [13, 9, 8, 2, 1],
    [13, 9, 4, 1, 1],
    [7, 10, 4, 2, VAE_FACTOR],
    [5, 5, 16, 0, 1],
  ] as const) {
    it(`gives the whole latent back through ${tile}-pixel tiles (overlap ${overlap}, ×${outScale}) of ${w}×${h}`, async () => {
      const C = 2;
      const grid = { width: w, height: h };
      const latent = randomLatent(C, w, h, w * 100 + h);
      const [W, H] = [w * outScale, h * outScale];
      const sink = collector(C, W, H);
      await runTiled(stage({ grid, tile, overlap, outScale, run: repeatModel(latent, C, grid, outScale), onRow: sink.onRow }), 2, LATENT_UNIT);
      expect(sink.rows).toEqual(Array.from({ length: H }, (_, y) => y));
      let worst = 0;
      for (let c = 0; c < C; c++) {
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            const want = latent[c * w * h + Math.floor(y / outScale) * w + Math.floor(x / outScale)]!;
            worst = Math.max(worst, Math.abs(sink.image[c * W * H + y * W + x]! - want));
          }
        }
      }
      expect(worst).toBeLessThan(1e-6);
    });
  }

  it('keeps only the first channels of a model that returns more (the encoder mean of mean‖logvar)', async () => {
    const grid = { width: 9, height: 6 };
    const latent = randomLatent(2, 9, 6, 5);
    const sink = collector(2, 9, 6);
    await runTiled(stage({ grid, tile: 4, overlap: 1, run: repeatModel(latent, 2, grid, 1, 2), onRow: sink.onRow }), 2, LATENT_UNIT);
    expect(Math.max(...sink.image.map((v, i) => Math.abs(v - latent[i]!)))).toBeLessThan(1e-6);
  });

  it('reports progress from 0 to the tile count and times the first tile only', async () => {
    const grid = { width: 10, height: 10 };
    const latent = randomLatent(2, 10, 10, 6);
    const progress: StageProgress[] = [];
    const firsts: number[] = [];
    const before = performance.now();
    await runTiled(
      stage({
        stage: 'decode',
        grid,
        tile: 4,
        overlap: 1,
        run: repeatModel(latent, 2, grid, 1),
        onRow: () => {},
        onProgress: (p) => progress.push(p),
        onFirstTile: (ms, tiles) => firsts.push(ms, tiles.length),
      }),
      2,
      PIXEL_UNIT,
    );
    const total = planStage(grid, 4, 1, 1).length;
    expect(total).toBeGreaterThan(1);
    expect(progress).toEqual(Array.from({ length: total + 1 }, (_, done) => ({ stage: 'decode', done, total })));
    expect(firsts).toHaveLength(2);
    // The first tile's time lies within the whole run's.
    expect(firsts[0]).toBeGreaterThanOrEqual(0);
    expect(firsts[0]).toBeLessThanOrEqual(performance.now() - before);
    expect(firsts[1]).toBe(total);
  });

  it('refuses a model output of the wrong shape, naming the stage, the shape and the tile', async () => {
    const grid = { width: 4, height: 4 };
    const onRow = (): void => {};
    const shapes: number[][] = [
      [1, 2, 4],
      [2, 2, 4, 4],
      [1, 1, 4, 4],
      [1, 2, 5, 4],
      [1, 2, 4, 3],
      [1, 2, 4, 4, 1],
    ];
    for (const dims of shapes) {
      const run = async (): Promise<FloatTensor> => ({ data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims });
      await expect(runTiled(stage({ stage: 'encode', grid, tile: 4, overlap: 0, run, onRow }), 2, PIXEL_UNIT)).rejects.toThrow(
        `encode: model output is [${dims.join(', ')}] for a 4×4 latent tile; expected [1, ≥2, 4, 4]`,
      );
    }
  });

  it('stops before the next tile once aborted', async () => {
    const grid = { width: 8, height: 8 };
    const latent = randomLatent(2, 8, 8, 7);
    const controller = new AbortController();
    let runs = 0;
    const model = repeatModel(latent, 2, grid, 1);
    const run = async (t: Tile): Promise<FloatTensor> => {
      runs++;
      if (runs === 2) controller.abort();
      return model(t);
    };
    await expect(runTiled(stage({ grid, tile: 4, overlap: 0, run, onRow: () => {}, signal: controller.signal }), 2, LATENT_UNIT)).rejects.toBeInstanceOf(
      AbortedError,
    );
    expect(runs).toBe(2);
  });
});

describe('runTiled out of memory', () => {
  /** A model that fails with `message` on tiles wider than `maxInput`, recording each tile size it is given. */
  function failing(latent: Float32Array, grid: { width: number; height: number }, maxInput: number, message = 'Failed to allocate memory for requested buffer') {
    const seen: number[] = [];
    const model = repeatModel(latent, 2, grid, 1);
    const run = async (t: Tile): Promise<FloatTensor> => {
      seen.push(Math.max(t.input.w, t.input.h));
      if (Math.max(t.input.w, t.input.h) > maxInput) throw new Error(message);
      return model(t);
    };
    return { seen, run };
  }

  it('halves the tile until it fits, warns once per retry in the stage unit, and gives the same result', async () => {
    const grid = { width: 20, height: 12 };
    const latent = randomLatent(2, 20, 12, 8);
    const { seen, run } = failing(latent, grid, 6);
    const warnings: string[] = [];
    const progress: StageProgress[] = [];
    const sink = collector(2, 20, 12);
    await runTiled(
      stage({ stage: 'encode', grid, tile: 32, overlap: 4, run, onRow: sink.onRow, onProgress: (p) => progress.push(p) }),
      2,
      PIXEL_UNIT,
      (m) => warnings.push(m),
    );
    // 32 is first cut to the grid's long side (20), then halved: 10, 5.
    expect(warnings).toEqual([
      'out of memory in the encode stage with 256 px tiles; retrying it with 80 px tiles',
      'out of memory in the encode stage with 80 px tiles; retrying it with 40 px tiles',
    ]);
    expect(seen[0]).toBe(20);
    expect(Math.max(...sink.image.map((v, i) => Math.abs(v - latent[i]!)))).toBeLessThan(1e-6);
    // Progress restarts from 0 on each retry.
    expect(progress.filter((p) => p.done === 0)).toHaveLength(3);
    // The retried overlap is at most a quarter of the new tile: 5-pixel tiles with overlap ⌊5/4⌋ = 1.
    const last = planStage(grid, 5, 1, 1);
    expect(progress.at(-1)).toEqual({ stage: 'encode', done: last.length, total: last.length });
  });

  it('keeps a small overlap as it was when retrying', async () => {
    const grid = { width: 16, height: 16 };
    const latent = randomLatent(2, 16, 16, 9);
    const { run } = failing(latent, grid, 8);
    const progress: StageProgress[] = [];
    await runTiled(stage({ grid, tile: 16, overlap: 1, run, onRow: () => {}, onProgress: (p) => progress.push(p) }), 2, LATENT_UNIT);
    const plan = planStage(grid, 8, 1, 1);
    expect(progress.at(-1)).toEqual({ stage: 'unet', done: plan.length, total: plan.length });
  });

  it('gives up at the smallest tile with the model\'s own error', async () => {
    const grid = { width: 16, height: 16 };
    const { seen, run } = failing(randomLatent(2, 16, 16, 10), grid, 3);
    const warnings: string[] = [];
    await expect(runTiled(stage({ grid, tile: 16, overlap: 0, run, onRow: () => {} }), 4, LATENT_UNIT, (m) => warnings.push(m))).rejects.toThrow(
      'Failed to allocate memory',
    );
    expect(warnings).toEqual([
      'out of memory in the unet stage with 16 latent px tiles; retrying it with 8 latent px tiles',
      'out of memory in the unet stage with 8 latent px tiles; retrying it with 4 latent px tiles',
    ]);
    expect(Math.min(...seen)).toBe(4);
  });

  it('does not retry an error that is not out of memory', async () => {
    const grid = { width: 16, height: 16 };
    const { seen, run } = failing(randomLatent(2, 16, 16, 11), grid, 3, 'bad tensor');
    await expect(runTiled(stage({ grid, tile: 16, overlap: 0, run, onRow: () => {} }), 2, LATENT_UNIT)).rejects.toThrow('bad tensor');
    expect(seen).toEqual([16]);
  });
});

describe('stageHooks', () => {
  it('passes on exactly the hooks that are set', () => {
    const signal = new AbortController().signal;
    const onProgress = (): void => {};
    const onFirstTile = (): void => {};
    expect(stageHooks({})).toEqual({});
    expect(Object.keys(stageHooks({ onWarning: () => {}, minTile: 4 }))).toEqual([]);
    expect(stageHooks({ signal, onProgress, onFirstTile })).toEqual({ signal, onProgress, onFirstTile });
    expect(stageHooks({ onProgress })).toEqual({ onProgress });
    expect(stageHooks({ signal })).toEqual({ signal });
    expect(stageHooks({ onFirstTile })).toEqual({ onFirstTile });
  });

  it('names tile units as the warnings show them', () => {
    expect(PIXEL_UNIT).toEqual({ scale: 8, name: 'px' });
    expect(LATENT_UNIT).toEqual({ scale: 1, name: 'latent px' });
  });
});
