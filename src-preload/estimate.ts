/**
 * What the start screen and the desktop hand-off sheet tell before anything runs: each result's size ("4000×3000 → 8000×6000, about 48 MP"), how
 * long the batch will take on this device, and the scale a photo that is already large should get. Pure functions
 * (no Node, no DOM), shared by the renderer (through the contract) and the app's hand-off sheet; tested on their own.
 *
 * Speed comes, best first, from: this model's own speed measured on this device (the queue records it after each
 * batch); another model's measured speed scaled by the two networks' cost (multiply-accumulates per input pixel, from
 * their manifests); or, before anything has run here, the network's cost at a nominal rate per CPU core. Never
 * "timed after the first photo": a person deciding whether to start wants the number now.
 */
import type { DeviceInfo, ModelInfo } from './payloads';

/**
 * A CPU core's sustained rate through onnxruntime, multiply-accumulates per second, for estimates before the first run.
 * The benchmark measured 153.6 GFLOP/s (76.8 GMAC/s) on 2 threads for a bare session.run of realesrgan-x4plus (README,
 * "Speed"); tiling, overlap and encoding cost about half of that again, so a whole photo runs at roughly 20 GMAC/s a
 * core. An estimate labelled as such, replaced by the measured speed after the first batch.
 */
export const NOMINAL_MACS_PER_CORE = 20e9;

/** A photo at or above this many megapixels is already large: it defaults to 2×, never silently 4×. */
export const LARGE_PHOTO_MP = 12;

export interface Speed {
  secondsPerMegapixel: number;
  /** Where the number comes from, in words for the interface. */
  basis: 'measured' | 'compared' | 'cost';
}

/** The result's size for a `width`×`height` photo at `scale`. */
export function resultSize(width: number, height: number, scale: number): { width: number; height: number; megapixels: number } {
  const w = Math.round(width * scale);
  const h = Math.round(height * scale);
  return { width: w, height: h, megapixels: (w * h) / 1e6 };
}

const mp = (n: number): string => (n < 1 ? n.toFixed(2) : n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en-US'));

/** "4000×3000 → 8000×6000, about 48 MP". */
export function describeResult(width: number, height: number, scale: number): string {
  const r = resultSize(width, height, scale);
  return `${width}×${height} → ${r.width}×${r.height}, about ${mp(r.megapixels)} MP`;
}

/** The seconds a megapixel of input takes with `model` on this device, and how that is known; null when it cannot be told. */
export function speedOf(model: ModelInfo, all: readonly ModelInfo[], device: Pick<DeviceInfo, 'cpuCores' | 'provider'> | null): Speed | null {
  if (model.secondsPerMegapixel !== null) return { secondsPerMegapixel: model.secondsPerMegapixel, basis: 'measured' };
  const cost = model.macsPerInputPixel;
  if (!cost) return null;
  // Another network measured here tells this device's rate better than any nominal figure.
  const ref = all.find((m) => m.id !== model.id && m.secondsPerMegapixel && m.macsPerInputPixel);
  if (ref) return { secondsPerMegapixel: (ref.secondsPerMegapixel! * cost) / ref.macsPerInputPixel!, basis: 'compared' };
  // A GPU's rate cannot be guessed from the CPU's cores: say nothing rather than something wrong.
  if (!device || device.provider !== 'cpu') return null;
  return { secondsPerMegapixel: (cost * 1e6) / (NOMINAL_MACS_PER_CORE * device.cpuCores), basis: 'cost' };
}

/** Seconds for `megapixels` of input at `speed`; null without a speed. */
export function estimateSeconds(megapixels: number, speed: Speed | null): number | null {
  if (!speed || megapixels <= 0) return null;
  return megapixels * speed.secondsPerMegapixel;
}

/**
 * The scale to use for photos whose largest is `largestMp` megapixels, given the chosen one and whether the person
 * picked it themselves for this batch: a large photo gets at most 2× unless they asked for more.
 */
export function scaleFor(largestMp: number, chosen: 1 | 2 | 3 | 4, pickedByPerson: boolean): 1 | 2 | 3 | 4 {
  if (pickedByPerson || largestMp < LARGE_PHOTO_MP) return chosen;
  return chosen > 2 ? 2 : chosen;
}
