/**
 * Benchmark rows for the tile-consistent VAE (issue 14), measured side by side in one run:
 * - cost: VAE encode + decode of one photo in tiles with the tile-consistent graphs (a statistics run on the reduced
 *   whole image, then every tile with those statistics) vs the pack's own graphs as tiles ran before (per-tile
 *   statistics), same image, same tiles; goal ≤ 1.5×. The generated GroupNorm VAEs are 1×1 convolutions, so the
 *   normalisation's share of the time is far larger here than in SD's VAE (3×3 convolutions of 128–512 channels):
 *   a worst case for the ratio;
 * - peak RSS of the engine path at 24 MP output with a GroupNorm pack (the tile-consistent path), in a child process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { openModel } from '../../src-main/engine/process/session';
import { decodeLatent, encodeLatent, oneStepGeometry } from '../../src-main/pipelines/onestep-diffusion';
import { isTileConsistent } from '../../src-main/pipelines/vae-norm';
import type { ModelRunner, PixelBuffer } from '../../src-main/pixels/types';
import { TINY_PATHS, writeTinyPack } from '../fixtures/tiny-packs';
import { imagingResizer, openTinyDiffusion } from '../helpers/tiny-diffusion';
import type { BenchRow } from './rows';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PHOTO = ['/usr/share/wallpapers/FallenLeaf/contents/images/2560x1600.jpg', path.join(ROOT, 'resources/sample/fallen-leaf.jpg')].find((p) => existsSync(p))!;
const TILE = 256;

async function photoPixels(width: number, height: number): Promise<PixelBuffer> {
  const { data, info } = await sharp(PHOTO).resize(width, height, { fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 };
}

async function costRow(threads: number, quick: boolean): Promise<BenchRow> {
  const t = await openTinyDiffusion({ groupNorm: true, encoderGroupNorm: true }, threads);
  const own = (p: string) => openModel(path.join(t.dir, ...p.split('/')), { provider: 'cpu', threads });
  const enc = await own(TINY_PATHS.vaeEncoder);
  const dec = await own(TINY_PATHS.vaeDecoder);
  try {
    const m = t.sessions.models;
    if (!isTileConsistent(m.vaeEncoder) || !isTileConsistent(m.vaeDecoder)) throw new Error('the VAEs did not open tile-consistent');
    const side = quick ? 256 : 512;
    const input = await photoPixels(side, side);
    const g = oneStepGeometry(side, side, 4);
    const up = await imagingResizer(input, g.upscaled.width, g.upscaled.height, 'cubic');
    const vae = async (e: ModelRunner, d: ModelRunner): Promise<number> => {
      const t0 = performance.now();
      const z = await encodeLatent(up, g, e, { tile: TILE, overlap: 32, scalingFactor: 0.18215 });
      await decodeLatent(z, g.latent, g.upscaled, d, { tile: TILE, overlap: 32 });
      return performance.now() - t0;
    };
    // Alternate, best of 3 each: other work on the machine only ever slows a run down.
    let consistent = Infinity;
    let perTile = Infinity;
    for (let round = 0; round < 3; round++) {
      perTile = Math.min(perTile, await vae(enc.runner, dec.runner));
      consistent = Math.min(consistent, await vae(m.vaeEncoder, m.vaeDecoder));
    }
    const ratio = consistent / perTile;
    const { width: W, height: H } = g.upscaled;
    return {
      group: 'vae',
      name: `tile-consistent VAE encode + decode vs per-tile statistics (GroupNorm tiny VAEs, ${W}×${H}, ${TILE} px tiles)`,
      value: ratio,
      unit: '×',
      goal: '≤ 1.5×',
      pass: ratio <= 1.5,
      note: `best of 3: tile-consistent ${(consistent / 1000).toFixed(2)} s, per-tile ${(perTile / 1000).toFixed(2)} s; ${threads} threads`,
    };
  } finally {
    await enc.runner.dispose();
    await dec.runner.dispose();
    await t.close();
  }
}

/** Peak RSS of the engine path producing 24 MP (1500×1000 → 6000×4000) with a GroupNorm pack, in a child process. */
async function rssRow(threads: number, quick: boolean): Promise<BenchRow> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'revive-vae-bench-'));
  try {
    const [w, h] = quick ? [750, 500] : [1500, 1000];
    const pack = path.join(work, 'pack');
    await writeTinyPack(pack, { id: 'bench-groupnorm', emptyPromptEmbedding: true, groupNorm: true, encoderGroupNorm: true });
    const input = path.join(work, 'in.jpg');
    await sharp(PHOTO).resize(w, h, { fit: 'cover' }).jpeg({ quality: 92 }).toFile(input);
    const probe = path.join(import.meta.dirname, 'diffusion-rss-probe.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', probe, input, path.join(work, 'out.jpg'), pack, String(threads)], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`diffusion RSS probe failed (${r.status ?? r.signal}): ${r.stderr.slice(-2000)}`);
    const m = JSON.parse(r.stdout.trim().split('\n').pop()!) as { maxRssBytes: number; baselineRssBytes: number; ms: number; outPixels: number; tiles: Record<string, number> };
    return {
      group: 'vae',
      name: `peak RSS, engine path at ${(m.outPixels / 1e6).toFixed(1)} MP output (${w}×${h} ×4, GroupNorm tiny pack: tile-consistent VAE)`,
      value: m.maxRssBytes / 2 ** 20,
      unit: 'MiB',
      note: `process before the run ${(m.baselineRssBytes / 2 ** 20).toFixed(0)} MiB; run ${(m.ms / 1000).toFixed(1)} s; tiles ${JSON.stringify(m.tiles)}`,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The tile-consistent VAE rows for `npm run bench -- --only vae`. */
export async function vaeNormBench(options: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const threads = os.availableParallelism();
  return [await costRow(threads, options.quick ?? false), await rssRow(threads, options.quick ?? false)];
}
