/**
 * Repair with an inpainting model, on a fake model whose output is known exactly (the masked pixels become one
 * colour, the others keep theirs): which pixels changed, to what, and which stayed classical or untouched.
 */
import { describe, expect, it } from 'vitest';
import { inpaint } from '../../../../src-main/pipelines/repair/inpaint';
import { holeDepth } from '../../../../src-main/pipelines/repair/large-holes';
import { RepairOptionsSchema } from '../../../../src-main/pipelines/repair/options';
import { FEATHER_RINGS, type InpaintModel } from '../../../../src-main/pipelines/repair/pack-fill';
import { runRepair } from '../../../../src-main/pipelines/repair/run-repair';
import { runRepairWithPack } from '../../../../src-main/pipelines/repair/run-repair-pack';
import type { FloatTensor, ModelRunner, PixelBuffer } from '../../../../src-main/pixels/types';
import { rng } from '../../../support/random';

const COLOUR = [0.2, 0.6, 0.4] as const;
const W = 320, H = 200;

/** The fake model: output = image · (1 − mask) + colour · mask, in the declared ranges; counts its runs. */
function fakeModel(size: number, imageScale = 1, outputScale = 1): InpaintModel & { runs: number } {
  const m = {
    runs: 0,
    size, imageName: 'image', maskName: 'mask', outputName: 'output', imageScale, outputScale,
    runner: {
      inputNames: ['image', 'mask'], outputNames: ['output'],
      dispose: async () => {},
      run: async (feeds: Record<string, FloatTensor>) => {
        m.runs++;
        const img = feeds.image!.data, mask = feeds.mask!.data, n = size * size;
        expect(feeds.image!.dims).toEqual([1, 3, size, size]);
        expect(feeds.mask!.dims).toEqual([1, 1, size, size]);
        const out = new Float32Array(3 * n);
        for (let c = 0; c < 3; c++) for (let i = 0; i < n; i++) out[c * n + i] = (img[c * n + i]! / imageScale) * (1 - mask[i]!) * outputScale + COLOUR[c]! * outputScale * mask[i]!;
        return { output: { data: out, dims: [1, 3, size, size] } };
      },
    } satisfies ModelRunner,
  };
  return m;
}

/** A 16-bit textured photo. */
function photo(): PixelBuffer {
  const r = rng(3);
  const data = new Uint16Array(W * H * 3);
  for (let i = 0; i < data.length; i++) data[i] = 20000 + Math.floor(r() * 20000) + (i % 7) * 100;
  return { data, width: W, height: H, channels: 3 };
}

/** A disc tear of radius 30 (and, with `second`, a 24×24 square one), a 3×3 speck and a 2-px scratch. */
function damage(second = false): Uint8Array {
  const mask = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - 200) ** 2 + (y - 100) ** 2 <= 900) mask[y * W + x] = 1;
  if (second) for (let y = 20; y < 44; y++) for (let x = 60; x < 84; x++) mask[y * W + x] = 1;
  for (let y = 150; y < 153; y++) for (let x = 20; x < 23; x++) mask[y * W + x] = 1;
  for (let y = 160; y < 162; y++) for (let x = 10; x < 120; x++) mask[y * W + x] = 1;
  return mask;
}

const off = RepairOptionsSchema.parse({ mode: 'off' });

describe('repair with an inpainting pack', () => {
  it('fills the large hole with the model (bigger than its size: crop shrunk and enlarged), the rest classically, and nothing else', async () => {
    const img = photo(), mask = damage();
    const model = fakeModel(32);
    const stages: string[] = [];
    const r = await runRepairWithPack(img, { ...off, mask, model: async () => model, onProgress: (p) => stages.push(`${p.stage} ${p.done}/${p.total}`) });
    expect(r.holesFilled).toBe(1);
    expect(model.runs).toBe(1);
    expect(stages).toContain('inpaint-holes 1/1');
    const depth = holeDepth(mask, W, H);
    const small = mask.slice();
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - 200) ** 2 + (y - 100) ** 2 <= 900) small[y * W + x] = 0;
    // The speck and the scratch are far (> the classical halo) from the tear: exactly the classical fill of the input.
    const classical = inpaint(img, small).image;
    // Per-pixel checks counted, not asserted one by one (a quarter of a million of them).
    const wrong = { outside: 0, classical: 0, deep: 0, rim: 0 };
    let deep = 0, rim = 0;
    for (let p = 0; p < W * H; p++) {
      for (let c = 0; c < 3; c++) {
        const got = r.rgb.data[p * 3 + c]!;
        if (!mask[p]) wrong.outside += got === img.data[p * 3 + c] ? 0 : 1;
        else if (small[p]) wrong.classical += got === classical.data[p * 3 + c] ? 0 : 1;
        else if (depth[p]! > FEATHER_RINGS) {
          wrong.deep += Math.abs(got - COLOUR[c]! * 65535) <= 65535 / 255 ? 0 : 1;
          deep++;
        } else {
          // The rim lies between the fill colour and the photo around it (20000–40700), strictly inside neither.
          const lo = Math.min(COLOUR[c]! * 65535, 20000), hi = Math.max(COLOUR[c]! * 65535, 40700);
          wrong.rim += got >= lo - 1 && got <= hi + 1 && Math.abs(got - COLOUR[c]! * 65535) > 1 ? 0 : 1;
          rim++;
        }
      }
    }
    expect(wrong).toEqual({ outside: 0, classical: 0, deep: 0, rim: 0 });
    expect(deep).toBeGreaterThan(3 * 2000);
    expect(rim).toBeGreaterThan(0);
  });

  it('honours 0–255 ranges and fills a hole smaller than the model size without resampling', async () => {
    const img = photo(), mask = damage(true);
    const a = await runRepairWithPack(img, { ...off, mask, model: async () => fakeModel(128) });
    const b = await runRepairWithPack(img, { ...off, mask, model: async () => fakeModel(128, 255, 255) });
    expect(a.holesFilled).toBe(2);
    let diff = 0;
    for (let i = 0; i < a.rgb.data.length; i++) diff = Math.max(diff, Math.abs(a.rgb.data[i]! - b.rgb.data[i]!));
    expect(diff).toBeLessThanOrEqual(1);
    // The square tear's middle is the colour, exactly as the model gave it.
    expect(Array.from(a.rgb.data.subarray((32 * W + 72) * 3, (32 * W + 72) * 3 + 3))).toEqual(COLOUR.map((c) => Math.round(c * 65535)));
  });

  it('never opens the model when only small defects are masked, and the classical result is the pack-less one', async () => {
    const img = photo(), mask = damage();
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - 200) ** 2 + (y - 100) ** 2 <= 900) mask[y * W + x] = 0;
    let opened = false;
    const r = await runRepairWithPack(img, { ...off, mask, model: async () => ((opened = true), fakeModel(32)) });
    expect(opened).toBe(false);
    expect(r.holesFilled).toBe(0);
    expect(Array.from(r.rgb.data)).toEqual(Array.from(runRepair(img, { ...off, mask }).rgb.data));
  });

  it('without a pack, fills the large holes classically and says an inpainting pack would do better', () => {
    const warnings: string[] = [];
    runRepair(photo(), { ...off, mask: damage(), onWarning: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/large holes .* filled by the classical method.*install an inpainting pack for better results/);
    const quiet: string[] = [];
    const mask = damage();
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - 200) ** 2 + (y - 100) ** 2 <= 900) mask[y * W + x] = 0;
    runRepair(photo(), { ...off, mask, onWarning: (w) => quiet.push(w) });
    expect(quiet).toEqual([]);
  });

  it('stops between holes when cancelled', async () => {
    const ac = new AbortController();
    const model = fakeModel(32);
    const run = runRepairWithPack(photo(), {
      ...off, mask: damage(true), signal: ac.signal, model: async () => model,
      onProgress: (p) => { if (p.stage === 'inpaint-holes') ac.abort(); },
    });
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    expect(model.runs).toBe(1);
  });
});
