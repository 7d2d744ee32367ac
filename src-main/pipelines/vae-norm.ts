/**
 * Tile-consistent VAE normalisation, the pipeline side: the statistics every tile's GroupNorm layers use.
 *
 * A VAE graph made tile-consistent at load time (models/onnx/group-norm.ts) takes `revive_norm_use` and, per
 * normalisation layer, the statistics to use, and returns the statistics it used. The pipeline follows OSEDiff's
 * reference (`vaehook.py`, its fast estimate): one run over the whole image downscaled to at most one tile's area with
 * the layers' own statistics, then every tile with those statistics fixed. A stage that fits in one tile runs with its
 * own statistics, which is exactly the untiled network. The names here are the contract between the two sides.
 */
import { resampleCentred } from '../imaging/resample-centred';
import type { FloatTensor, ModelRunner } from '../pixels/types';

/** The input that selects given (1) or own (0) statistics. */
export const NORM_USE_NAME = 'revive_norm_use';
/** Names of the statistics outputs of normalisation layer `i`. */
export const normMeanName = (i: number): string => `revive_norm_${i}_mean`;
export const normVarName = (i: number): string => `revive_norm_${i}_var`;
/** The input that feeds a statistics tensor back in (a graph cannot have an input and an output of one name). */
export const givenName = (statsName: string): string => `${statsName}_in`;

const STATS_OUTPUT = /^revive_norm_\d+_(mean|var)$/;

/** Whether a VAE runner is a tile-consistent graph (it takes `revive_norm_use`). */
export function isTileConsistent(runner: Pick<ModelRunner, 'inputNames'>): boolean {
  return runner.inputNames.includes(NORM_USE_NAME);
}

/** Statistics outputs a tile-consistent runner declares. */
function statsNames(runner: Pick<ModelRunner, 'outputNames'>): string[] {
  return runner.outputNames.filter((n) => STATS_OUTPUT.test(n));
}

/** Feeds that make every layer use its own statistics (the untiled network); placeholders broadcast. */
export function ownStatsFeeds(runner: Pick<ModelRunner, 'outputNames'>): Record<string, FloatTensor> {
  const feeds: Record<string, FloatTensor> = { [NORM_USE_NAME]: { data: Float32Array.of(0), dims: [1] } };
  for (const name of statsNames(runner)) feeds[givenName(name)] = { data: new Float32Array(1), dims: [1, 1, 1] };
  return feeds;
}

/** Feeds that make every layer use the statistics of an earlier run's outputs. */
export function givenStatsFeeds(runner: Pick<ModelRunner, 'outputNames'>, out: Record<string, FloatTensor>): Record<string, FloatTensor> {
  const feeds: Record<string, FloatTensor> = { [NORM_USE_NAME]: { data: Float32Array.of(1), dims: [1] } };
  for (const name of statsNames(runner)) {
    const t = out[name];
    if (!t) throw new Error(`tile-consistent VAE returned no "${name}"`);
    feeds[givenName(name)] = t;
  }
  return feeds;
}

/**
 * The size a `width`×`height` input is reduced to for the statistics run: the same aspect, an area of at most
 * `tile`² (what one tile may use), each side a multiple of `multiple`.
 */
export function statsSize(width: number, height: number, tile: number, multiple: number): { width: number; height: number } {
  const f = Math.max(1, Math.sqrt((width * height) / (tile * tile)));
  const side = (v: number): number => Math.max(multiple, Math.floor(v / f / multiple) * multiple);
  return { width: side(width), height: side(height) };
}

/** Planar float planes [C, h, w] resampled to `to` on the centred grid (antialiased when reducing), as [1, C, H, W]. */
export function resamplePlanes(planes: Float32Array, C: number, from: { width: number; height: number }, to: { width: number; height: number }): FloatTensor {
  const n = from.width * from.height;
  const m = to.width * to.height;
  const out = new Float32Array(C * m);
  for (let c = 0; c < C; c++) {
    const plane = planes.subarray(c * n, (c + 1) * n);
    out.set(resampleCentred(plane, { ...from, channels: 1 }, to.width, to.height, 'cubic'), c * m);
  }
  return { data: out, dims: [1, C, to.height, to.width] };
}

/**
 * The statistics feeds for a stage: the layers' own when the stage fits in one tile, else those of one run of
 * `runner` on `whole()` (the whole input, reduced) with its own statistics.
 */
export async function stageStatsFeeds(
  runner: ModelRunner,
  tiles: number,
  whole: () => Record<string, FloatTensor>,
): Promise<Record<string, FloatTensor>> {
  if (tiles <= 1) return ownStatsFeeds(runner);
  const out = await runner.run({ ...whole(), ...ownStatsFeeds(runner) });
  return givenStatsFeeds(runner, out);
}
