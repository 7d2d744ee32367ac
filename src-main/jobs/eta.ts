/**
 * Time estimates from measured throughput.
 *
 * Model: an image costs time proportional to its input pixels, at a rate (pixels per millisecond) that depends on the
 * model, the scale and the device. The rate is measured on this machine:
 * - before this batch's first image finishes, the rate stored from earlier batches of the same model on the same
 *   device (the prior) is used if there is one, else there is no estimate (null — no guessing);
 * - the first image after an engine start carries the one-off model load, so it counts only until a warm image has
 *   been measured ("settles after the first image");
 * - from then on the rate is total warm pixels ÷ total warm time, which weights each image by its size — the
 *   unbiased estimate when cost is proportional to pixels.
 * The running image's share is its estimated time × (1 − its reported fraction).
 */

export interface EtaSample {
  pixels: number;
  ms: number;
  /** The first image after the engine (re)started: includes loading the model. */
  cold: boolean;
}

export interface EtaQuery {
  /** Input pixels of the images not started yet. */
  remainingPixels: number;
  /** Input pixels of the running image (0 when none). */
  currentPixels: number;
  /** 0–1 progress reported for the running image. */
  currentFraction: number;
}

export class EtaEstimator {
  #warmPixels = 0;
  #warmMs = 0;
  #cold: { pixels: number; ms: number } | null = null;
  readonly #prior: number | null;

  /** @param priorPxPerMs rate stored from earlier batches (this model, scale and device), or null. */
  constructor(priorPxPerMs: number | null = null) {
    if (priorPxPerMs !== null && !(priorPxPerMs > 0)) {
      throw new RangeError(`prior throughput must be a positive number of pixels per ms, got ${priorPxPerMs}`);
    }
    this.#prior = priorPxPerMs;
  }

  /** Adds a finished image's measurement. Zero-time or zero-pixel samples carry no information and are refused. */
  record(sample: EtaSample): void {
    if (!(sample.pixels > 0) || !(sample.ms > 0)) {
      throw new RangeError(`an ETA sample needs positive pixels and ms, got ${sample.pixels} px in ${sample.ms} ms`);
    }
    if (sample.cold) {
      this.#cold = { pixels: (this.#cold?.pixels ?? 0) + sample.pixels, ms: (this.#cold?.ms ?? 0) + sample.ms };
    } else {
      this.#warmPixels += sample.pixels;
      this.#warmMs += sample.ms;
    }
  }

  /** Whether this batch has measured anything yet. */
  get measured(): boolean {
    return this.#warmMs > 0 || this.#cold !== null;
  }

  /** Warm measurements only (what is worth storing as the next batch's prior), or null. */
  get warmPxPerMs(): number | null {
    return this.#warmMs > 0 ? this.#warmPixels / this.#warmMs : null;
  }

  /** The current rate in pixels per millisecond, or null when nothing is known. */
  get pxPerMs(): number | null {
    if (this.#warmMs > 0) return this.#warmPixels / this.#warmMs;
    if (this.#cold) return this.#cold.pixels / this.#cold.ms;
    return this.#prior;
  }

  /** Estimated time for an image of this many pixels, or null. */
  imageMs(pixels: number): number | null {
    const rate = this.pxPerMs;
    return rate === null ? null : pixels / rate;
  }

  /** Estimated time left for the batch, or null when no rate is known. */
  remainingMs(q: EtaQuery): number | null {
    const rate = this.pxPerMs;
    if (rate === null) return null;
    const f = Math.min(1, Math.max(0, q.currentFraction));
    return (q.remainingPixels + q.currentPixels * (1 - f)) / rate;
  }
}

/**
 * Total pixels of images not started yet: known sizes summed, and images not probed yet counted at `meanPixels`
 * (the mean size of the batch's images seen so far), or — without it — at the mean of the known ones. Null when
 * some size is unknown and there is nothing to estimate it from.
 */
export function estimatePixels(known: readonly number[], unknownCount: number, meanPixels: number | null = null): number | null {
  const sum = known.reduce((a, b) => a + b, 0);
  if (unknownCount === 0) return sum;
  const mean = meanPixels ?? (known.length ? sum / known.length : null);
  return mean === null ? null : sum + mean * unknownCount;
}
