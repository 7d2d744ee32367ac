/**
 * Tile-consistent GroupNorm in the VAE stages: the generated GroupNorm encoder and decoder (both torch export
 * patterns) tiled vs untiled on real photo crops, against the per-tile statistics the pipeline used before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModel } from '../../../src-main/engine/process/session';
import { decodeImage } from '../../../src-main/imaging/read';
import { decodeLatent, encodeLatent, oneStepGeometry, type OneStepGeometry } from '../../../src-main/pipelines/onestep-diffusion';
import { planStage, VAE_FACTOR } from '../../../src-main/pipelines/latent-tiles';
import { isTileConsistent } from '../../../src-main/pipelines/vae-norm';
import type { ModelRunner, PixelBuffer } from '../../../src-main/pixels/types';
import { TINY_PATHS, type GroupNormExport } from '../../fixtures/tiny-packs';
import { imagingResizer, openTinyDiffusion, type OpenedTinyDiffusion } from '../../helpers/tiny-diffusion';
import { sourcePhotos } from '../../fixtures/real-photos';
import path from 'node:path';

const SF = 0.18215;
const TILE = 256; // image px: 3×3 tiles over the 672×528 working size
const WHOLE = 1024; // one tile: the untiled network

function psnr(a: Float32Array, b: Float32Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  return 10 * Math.log10(1 / (se / a.length));
}

/** PSNR of the worst 16×16 block of planar [3, H, W] images (where a tile seam would show). */
function worstBlock(a: Float32Array, b: Float32Array, W: number, H: number): { psnr: number; x: number; y: number } {
  let worst = { psnr: Infinity, x: 0, y: 0 };
  for (let by = 0; by + 16 <= H; by += 16) {
    for (let bx = 0; bx + 16 <= W; bx += 16) {
      let se = 0;
      for (let c = 0; c < 3; c++) {
        for (let y = by; y < by + 16; y++) {
          for (let x = bx; x < bx + 16; x++) se += (a[(c * H + y) * W + x]! - b[(c * H + y) * W + x]!) ** 2;
        }
      }
      const p = 10 * Math.log10(1 / (se / (3 * 256)));
      if (p < worst.psnr) worst = { psnr: p, x: bx, y: by };
    }
  }
  return worst;
}

/** 336×264 crops (working size 672×528 at s = 2) of real photographs. */
async function photoCrops(): Promise<PixelBuffer[]> {
  const W = 336;
  const H = 264;
  const out: PixelBuffer[] = [];
  const files = sourcePhotos().map((f) => f.replace('2560x1600', '1280x800'));
  for (const file of files.slice(0, 2)) {
    const photo = await decodeImage(file);
    const crop = new Uint8Array(W * H * 3);
    const x0 = Math.floor((photo.width - W) / 2);
    const y0 = Math.floor((photo.height - H) / 2);
    for (let y = 0; y < H; y++) crop.set(photo.rgb.data.subarray(((y0 + y) * photo.width + x0) * 3, ((y0 + y) * photo.width + x0 + W) * 3) as Uint8Array, y * W * 3);
    out.push({ data: crop, width: W, height: H, channels: 3 });
  }
  return out;
}

interface Pair {
  consistent: OpenedTinyDiffusion;
  /** The pack's own graphs, as the pipeline ran them before: per-tile statistics. */
  perTile: { vaeEncoder: ModelRunner; vaeDecoder: ModelRunner; close(): Promise<void> };
}

async function openPair(how: GroupNormExport): Promise<Pair> {
  const consistent = await openTinyDiffusion({ groupNorm: how, encoderGroupNorm: how });
  const enc = await openModel(path.join(consistent.dir, ...TINY_PATHS.vaeEncoder.split('/')), { provider: 'cpu', threads: 1 });
  const dec = await openModel(path.join(consistent.dir, ...TINY_PATHS.vaeDecoder.split('/')), { provider: 'cpu', threads: 1 });
  return {
    consistent,
    perTile: {
      vaeEncoder: enc.runner,
      vaeDecoder: dec.runner,
      close: async () => {
        await enc.runner.dispose();
        await dec.runner.dispose();
      },
    },
  };
}

async function roundTrip(up: PixelBuffer, g: OneStepGeometry, enc: ModelRunner, dec: ModelRunner, encTile: number, decTile: number): Promise<Float32Array> {
  const z = await encodeLatent(up, g, enc, { tile: encTile, overlap: 32, scalingFactor: SF });
  const latent = z.map((v) => v / SF);
  return decodeLatent(latent, g.latent, g.upscaled, dec, { tile: decTile, overlap: 32 });
}

describe.each([
  ['Reshape → InstanceNormalization → Reshape → Mul → Add', true],
  ['GroupNormalization (opset 18)', 'group-normalization'],
] as const)('tile-consistent GroupNorm, %s', (label, how) => {
  let pair: Pair;
  let crops: PixelBuffer[];
  beforeAll(async () => {
    pair = await openPair(how);
    crops = await photoCrops();
  });
  afterAll(async () => {
    await pair.perTile.close();
    await pair.consistent.close();
  });

  it('opens the VAEs as tile-consistent graphs', () => {
    const m = pair.consistent.sessions.models;
    expect(isTileConsistent(m.vaeEncoder)).toBe(true);
    expect(isTileConsistent(m.vaeDecoder)).toBe(true);
    expect(isTileConsistent(pair.perTile.vaeDecoder)).toBe(false);
  });

  it('decodes and encodes in 3×3 tiles within 40 dB of the untiled network on real photo crops', async () => {
    const m = pair.consistent.sessions.models;
    for (const [i, input] of crops.entries()) {
      const g = oneStepGeometry(input.width, input.height, 2);
      expect(planStage(g.latent, TILE / VAE_FACTOR, 32 / VAE_FACTOR, VAE_FACTOR).length).toBeGreaterThanOrEqual(4);
      const up = await imagingResizer(input, g.upscaled.width, g.upscaled.height, 'cubic');
      const { width: W, height: H } = g.upscaled;
      const untiled = await roundTrip(up, g, m.vaeEncoder, m.vaeDecoder, WHOLE, WHOLE);
      // The per-tile run of the pack's own graphs at the untiled size is the same network: a check of the baseline.
      const untiledOwn = await roundTrip(up, g, pair.perTile.vaeEncoder, pair.perTile.vaeDecoder, WHOLE, WHOLE);
      expect(psnr(untiled, untiledOwn)).toBeGreaterThan(100);
      const figures: Record<string, { psnr: number; worst16: number }> = {};
      const cases = {
        decoderTiled: [m.vaeEncoder, m.vaeDecoder, WHOLE, TILE],
        encoderTiled: [m.vaeEncoder, m.vaeDecoder, TILE, WHOLE],
        bothTiled: [m.vaeEncoder, m.vaeDecoder, TILE, TILE],
        bothTiledPerTileStats: [pair.perTile.vaeEncoder, pair.perTile.vaeDecoder, TILE, TILE],
      } as const;
      for (const [name, [enc, dec, et, dt]] of Object.entries(cases)) {
        const out = await roundTrip(up, g, enc, dec, et, dt);
        figures[name] = { psnr: +psnr(out, untiled).toFixed(2), worst16: +worstBlock(out, untiled, W, H).psnr.toFixed(2) };
      }
      console.info(`tiled vs untiled VAE, ${label}, crop ${i} (${W}×${H}, ${TILE} px tiles, overlap 32; goal ≥ 40 dB): ${JSON.stringify(figures)}`);
      for (const name of ['decoderTiled', 'encoderTiled', 'bothTiled'] as const) expect(figures[name]!.psnr).toBeGreaterThanOrEqual(40);
      expect(figures.bothTiledPerTileStats!.psnr).toBeLessThan(figures.bothTiled!.psnr);
    }
  });
});
