/**
 * Opening generated tiny diffusion packs the way the engine does (loadPack → openOneStepSessions → onnxruntime on the
 * CPU), for tests and benchmarks.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openOneStepSessions, type OneStepSessions } from '../../src-main/engine/process/diffusion-sessions';
import { isOneStepPack, loadPack, type LoadedOneStepPack } from '../../src-main/engine/process/pack';
import { openModel } from '../../src-main/engine/process/session';
import { resizeCubic, resizeTo } from '../../src-main/imaging/resize';
import type { OneStepOptions, Resizer } from '../../src-main/pipelines/onestep-diffusion';
import { writeTinyPack, type TinyPack, type TinyPackOptions } from '../fixtures/tiny-packs';

/** imaging's resizers in the pipeline's shape. */
export const imagingResizer: Resizer = (p, w, h, kernel) => (kernel === 'cubic' ? resizeCubic(p, w, h) : resizeTo(p, w, h));

export interface OpenedTinyDiffusion {
  dir: string;
  tiny: TinyPack;
  pack: LoadedOneStepPack;
  sessions: OneStepSessions;
  /** Options for the pipeline from the pack's manifest (override what a test varies). */
  options(over?: Partial<OneStepOptions>): OneStepOptions;
  close(): Promise<void>;
}

/** Writes a tiny pack to a temporary folder and opens it (CPU, `threads` intra-op threads, default 1). */
export async function openTinyDiffusion(opts: TinyPackOptions = {}, threads = 1): Promise<OpenedTinyDiffusion> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'revive-onestep-'));
  const tiny = await writeTinyPack(dir, opts);
  const pack = await loadPack(dir);
  if (!isOneStepPack(pack)) throw new Error(`expected a diffusion pack, got ${pack.manifest.kind}`);
  const sessions = await openOneStepSessions(pack, (file) => openModel(file, { provider: 'cpu', threads }), {
    withTagger: Boolean(opts.tagger),
  });
  const m = pack.manifest;
  return {
    dir,
    tiny,
    pack,
    sessions,
    options: (over = {}) => ({
      scale: 4,
      diffusion: sessions.params,
      promptMode: m.diffusion.promptMode,
      colorFix: m.diffusion.colorFix,
      strength: 1,
      tiles: { encode: m.diffusion.vaeTile.encode, decode: m.diffusion.vaeTile.decode, vaeOverlap: m.diffusion.vaeTile.overlap, latent: m.tile.size, latentOverlap: m.tile.overlap },
      resize: imagingResizer,
      ...over,
    }),
    close: async () => {
      await sessions.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
