/**
 * Time estimates for a one-step diffusion run, from the first tile of each model stage: a timed stage costs its
 * remaining tiles × its first tile's time; a stage not yet timed is extrapolated from the last timed one through the
 * stages' relative costs (MACs per unit of work).
 */
import type { Tile } from '../tiling/plan';
import { VAE_FACTOR, type ModelStage } from './latent-tiles';

/** A time estimate for the rest of the run (the pipeline's `onEstimate`). */
export interface DiffusionEstimate {
  /** Milliseconds still to go for the model stages. */
  remainingMs: number;
  /** How it was made, in words. */
  basis: string;
}

/** Relative cost of the model stages, used to extrapolate to stages not yet timed: MACs per unit of work. */
export interface StageCosts {
  /** Per padded input pixel. */
  encode: number;
  /** Per latent pixel. */
  unet: number;
  /** Per output pixel. */
  decode: number;
}

/**
 * Approximate multiply-accumulates of SD 2.1's networks: VAE encoder ≈ 1.0 M per pixel, UNet ≈ 100 M per latent
 * pixel, VAE decoder ≈ 2.4 M per pixel (orders of magnitude from the layer shapes; only their ratios matter here, and
 * every stage's own first tile replaces the guess once it has run).
 */
export const SD21_COSTS: Readonly<StageCosts> = Object.freeze({ encode: 1.0e6, unet: 1.0e8, decode: 2.4e6 });

/** Work per stage in the units of {@link StageCosts}, summed over the planned tiles (overlaps count twice: they run twice). */
function stageWork(stage: ModelStage, tiles: readonly Tile[]): number {
  const latentPixels = tiles.reduce((a, t) => a + t.input.w * t.input.h, 0);
  return stage === 'unet' ? latentPixels : latentPixels * VAE_FACTOR * VAE_FACTOR;
}

/**
 * Time left from first-tile timings: a timed stage costs its remaining tiles × its first tile's time; a stage not yet
 * timed is extrapolated from the last timed one through the cost ratios.
 */
export class RunEstimator {
  readonly #plans: Record<ModelStage, Tile[]>;
  readonly #costs: StageCosts;
  readonly #timed = new Map<ModelStage, number>();
  #lastRate: number | undefined; // ms per MAC

  constructor(plans: Record<ModelStage, Tile[]>, costs: StageCosts) {
    this.#plans = plans;
    this.#costs = costs;
  }

  /** Records `stage`'s first tile (actual plan, which may differ after an OOM retry) and returns the estimate left. */
  firstTile(stage: ModelStage, ms: number, tiles: readonly Tile[]): DiffusionEstimate {
    this.#plans[stage] = [...tiles];
    this.#timed.set(stage, ms);
    this.#lastRate = ms / (stageWork(stage, tiles.slice(0, 1)) * this.#costs[stage]);
    const order: ModelStage[] = ['encode', 'unet', 'decode'];
    let remaining = 0;
    const parts: string[] = [];
    for (const s of order.slice(order.indexOf(stage))) {
      const plan = this.#plans[s];
      const first = this.#timed.get(s);
      if (first !== undefined) {
        const left = s === stage ? plan.length - 1 : plan.length;
        remaining += left * first;
        parts.push(`${s}: ${plan.length} tiles × ${Math.round(first)} ms`);
      } else {
        remaining += stageWork(s, plan) * this.#costs[s] * this.#lastRate;
        parts.push(`${s}: ${plan.length} tiles, extrapolated`);
      }
    }
    return { remainingMs: Math.round(remaining), basis: parts.join('; ') };
  }
}
