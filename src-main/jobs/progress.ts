/**
 * Progress events of a running batch, defined here in the core; the app's IPC contract and the web bridge re-export
 * them. Three granularities, each self-contained so a listener can ignore the others:
 * - `tile`: inside one image, one stage's units (tiles for model stages) — drives the per-image bar;
 * - `item`: an image changed state or advanced; carries the image's own fraction and ETA;
 * - `batch`: counts for the whole job with its fraction and ETA.
 * Times are milliseconds; an ETA is null until there is a measurement to base it on.
 */
import type { ItemState } from './state';

export interface TileProgress {
  kind: 'tile';
  jobId: number;
  itemId: number;
  /** Engine stage name ("decode", "model", "encode", …). */
  stage: string;
  done: number;
  total: number;
}

export interface ItemProgress {
  kind: 'item';
  jobId: number;
  itemId: number;
  sourcePath: string;
  state: ItemState;
  /** 0–1 within this image. */
  fraction: number;
  elapsedMs: number;
  /** Time left for this image, null before a throughput is known. */
  etaMs: number | null;
  /** Set when the item finished: where the result is, or why it failed. */
  outputPath?: string;
  error?: string;
  /** Set when the item failed: a stable machine-readable reason (imaging's and the engine's codes, OUTPUT_IS_INPUT, INTERNAL). */
  code?: string;
  /** True when the item was done because a matching result already existed. */
  skipped?: boolean;
  /**
   * While running: the fraction at which the current stage ends. A small photo's model run is one tile, one step from
   * 10 % to 90 %; an interface moves its bar toward this at the ETA's pace meanwhile, never past it.
   */
  stageEnd?: number;
}

export interface BatchCounts {
  total: number;
  queued: number;
  running: number;
  done: number;
  failed: number;
  cancelled: number;
  /** Of `done`, how many were skipped because a matching result existed. */
  skipped: number;
}

export interface BatchProgress {
  kind: 'batch';
  jobId: number;
  counts: BatchCounts;
  paused: boolean;
  /** 0–1 of the batch's work, counting the running image's own fraction. */
  fraction: number;
  elapsedMs: number;
  etaMs: number | null;
  /** Measured model speed in input megapixels per second, null before the first image. */
  megapixelsPerSecond: number | null;
}

/** Something the user should know that did not stop the image (provider fallback, a thumbnail that failed). */
export interface WarningProgress {
  kind: 'warning';
  jobId: number;
  itemId: number;
  message: string;
}

export type JobProgress = TileProgress | ItemProgress | BatchProgress | WarningProgress;
export type JobProgressListener = (event: JobProgress) => void;

/** The part of an image a stage covers, for one bar over the whole image (the CLI's and the app's): the model run dominates. */
const STAGE_SPAN: Readonly<Record<string, [number, number]>> = {
  decode: [0, 0.04],
  'load-model': [0.04, 0.1],
  upscale: [0.1, 0.9],
  // Diffusion packs: the three model stages share the model run's span, roughly in proportion to SD's costs.
  'vae-encode': [0.1, 0.25],
  prompt: [0.25, 0.28],
  unet: [0.28, 0.55],
  'vae-decode': [0.55, 0.88],
  'color-fix': [0.88, 0.9],
  resize: [0.9, 0.94],
  encode: [0.94, 0.98],
  write: [0.98, 1],
  // Old-photo repair without a pack (before the enhance stage): cheap next to a model run.
  detect: [0.04, 0.07],
  // With an inpainting pack, its holes are filled before the classical fill of the small defects.
  'inpaint-holes': [0.07, 0.08],
  inpaint: [0.08, 0.09],
  'colour-restore': [0.09, 0.1],
};

/** The fraction of the image at which `stage` ends (unknown stages count as the model run). */
export function stageEnd(stage: string): number {
  return (STAGE_SPAN[stage] ?? STAGE_SPAN.upscale!)[1];
}

/** 0–1 progress through an image given the current stage's `done`/`total`. Unknown stages count as the model run. */
export function imageFraction(stage: string, done: number, total: number): number {
  const [a, b] = STAGE_SPAN[stage] ?? STAGE_SPAN.upscale!;
  const f = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  return a + (b - a) * f;
}
