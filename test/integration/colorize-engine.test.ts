/**
 * The colour stage through the engine's chain (one decode, the stage table, one write) with generated ONNX colorize
 * packs whose output is known (test/fixtures/colorize-packs.ts), on a real photograph (a Debian wallpaper crop,
 * test/fixtures/real-photos.ts) made black-and-white. Checked against an independent CIELAB computation:
 *   - a constant-tint pack on a 16-bit greyscale PNG: every pixel keeps its L* (≤ 0.02) and takes the tint's a*b*
 *     (≤ 0.05) wherever sRGB holds that colour; the file stays 16-bit
 *   - a zero-chroma pack gives back the grey photo (≤ 1 code in 8-bit)
 *   - 'auto' leaves the colour photo untouched (byte-equal pixels), reports "skipped: photo is in colour", and the
 *     XMP history says so; a colourised photo's history names the pack and strength
 *   - enhance (the shipped Real-ESRGAN) → colour: the colour stage runs last, on the enlarged image
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enhanceImage } from '../../src-main/engine/process/enhance-image';
import { openModel } from '../../src-main/engine/process/session';
import { SessionCache } from '../../src-main/engine/process/session-cache';
import type { EnhanceRequest } from '../../src-main/engine/protocol';
import { closeMetadataTool, readGroupedTags } from '../../src-main/imaging/metadata';
import { RAMP_GAIN, writeColorizePack } from '../fixtures/colorize-packs';
import { writePhotoFixtures } from '../fixtures/real-photos';
import { inGamut, lab } from '../support/cielab';


let work: string;
let colourPhoto: string;
let greyPhoto16: string;
let greyPhoto8: string;
const cache = new SessionCache((model, opts) => openModel(model, { ...opts, provider: 'cpu', threads: 1 }));

async function raw(file: string): Promise<{ data: Uint8Array | Uint16Array; width: number; height: number; max: number }> {
  const meta = await sharp(file).metadata();
  const deep = meta.depth === 'ushort';
  // Without rgb16, sharp hands 16-bit PNGs over scaled to 0–255.
  const img = sharp(file).removeAlpha();
  const { data, info } = await (deep ? img.toColourspace('rgb16').raw({ depth: 'ushort' }) : img.raw()).toBuffer({ resolveWithObject: true });
  const px = deep ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2) : new Uint8Array(data);
  return { data: px, width: info.width, height: info.height, max: deep ? 65535 : 255 };
}

async function run(input: string, out: string, stages: EnhanceRequest['stages'], extra: Partial<EnhanceRequest> = {}) {
  const warnings: string[] = [];
  const req: EnhanceRequest = { type: 'enhance', id: 'colour', input, output: path.join(work, out), scale: 1, format: 'png', provider: 'cpu', threads: 1, metadata: 'none', stages, ...extra };
  const done = await enhanceImage(req, cache, { onProgress: () => {}, onWarning: (m) => warnings.push(m) });
  return { done, warnings, out: req.output };
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'revive-colorize-'));
  await writeColorizePack(path.join(work, 'tint'), { id: 'colorize-tint', effect: 'tint', tint: [20, 30], size: 64 });
  await writeColorizePack(path.join(work, 'zero'), { id: 'colorize-zero', effect: 'zero', size: 64 });
  colourPhoto = (await writePhotoFixtures(work, [{ name: 'colour.png', width: 120, height: 90, format: 'png' }]))[0]!;
  greyPhoto8 = path.join(work, 'grey8.png');
  await sharp(colourPhoto).recomb([[0.2126, 0.7152, 0.0722], [0.2126, 0.7152, 0.0722], [0.2126, 0.7152, 0.0722]]).png().toFile(greyPhoto8);
  // 16 bits: the grey codes × 257, so 0–255 spans 0–65535.
  const grey = await raw(greyPhoto8);
  greyPhoto16 = path.join(work, 'grey16.png');
  await sharp(Uint16Array.from(grey.data, (v) => v * 257), { raw: { width: grey.width, height: grey.height, channels: 3 } }).toColourspace('rgb16').png().toFile(greyPhoto16);
});
afterAll(async () => {
  await cache.dispose();
  await closeMetadataTool();
  await rm(work, { recursive: true, force: true });
});

describe('colour stage', () => {
  it('a constant-tint pack on a 16-bit black-and-white photo: L* kept everywhere, the tint\'s a*b* wherever sRGB holds it', async () => {
    const { done, out } = await run(greyPhoto16, 'tint16.png', [{ stage: 'colour', modelDir: path.join(work, 'tint') }]);
    expect(done.colorize).toEqual({ pack: 'colorize-tint', mode: 'auto', applied: true, photo: 'greyscale', strength: 1 });
    const a = await raw(greyPhoto16);
    const b = await raw(out);
    expect(b.max).toBe(65535);
    let worstL = 0, worstAb = 0, held = 0;
    for (let p = 0; p < a.width * a.height; p++) {
      const [L0] = lab(a.data[p * 3]! / a.max, a.data[p * 3 + 1]! / a.max, a.data[p * 3 + 2]! / a.max);
      const [L, x, y] = lab(b.data[p * 3]! / b.max, b.data[p * 3 + 1]! / b.max, b.data[p * 3 + 2]! / b.max);
      worstL = Math.max(worstL, Math.abs(L - L0));
      if (L0 > 10 && inGamut(L0, 20, 30)) {
        held++;
        worstAb = Math.max(worstAb, Math.abs(x - 20), Math.abs(y - 30));
      }
    }
    expect(worstL).toBeLessThan(0.02);
    expect(worstAb).toBeLessThan(0.05);
    expect(held).toBeGreaterThan(a.width * a.height * 0.5);
  });

  it('a zero-chroma pack gives back the grey photo', async () => {
    const { out } = await run(greyPhoto8, 'zero8.png', [{ stage: 'colour', modelDir: path.join(work, 'zero'), colorize: 'on' }]);
    const a = await raw(greyPhoto8);
    const b = await raw(out);
    let worst = 0;
    for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('"auto" leaves a colour photo untouched and says so, in the warnings and in the XMP history', async () => {
    const { done, warnings, out } = await run(colourPhoto, 'auto-colour.png', [{ stage: 'colour', modelDir: path.join(work, 'tint'), colorize: 'auto' }], { metadata: 'all' });
    expect(done.colorize).toMatchObject({ applied: false, photo: 'colour' });
    expect(warnings).toContain('colorize: skipped: photo is in colour');
    expect(Buffer.from((await raw(out)).data)).toEqual(Buffer.from((await raw(colourPhoto)).data));
    const history = JSON.stringify((await readGroupedTags(out))['XMP-xmpMM:History']);
    expect(history).toMatch(/with model colorize-tint skipped: photo is in colour/);
  });

  it('"on" colourises a colour photo too, at the strength asked, and the history names the pack and strength', async () => {
    const { done, out } = await run(colourPhoto, 'on-colour.png', [{ stage: 'colour', modelDir: path.join(work, 'tint'), colorize: 'on', colorizeStrength: 0.5 }], { metadata: 'all' });
    expect(done.colorize).toMatchObject({ applied: true, photo: 'colour', strength: 0.5 });
    const history = JSON.stringify((await readGroupedTags(out))['XMP-xmpMM:History']);
    expect(history).toMatch(/with model colorize-tint colourised at 50%/);
  });

  it('runs last in a chain after the enhance stage (Real-ESRGAN 2×), on the enlarged image', async () => {
    const { done, out } = await run(greyPhoto8, 'chain.png', [
      { stage: 'enhance', modelDir: path.resolve('models', 'realesrgan-x4fast') },
      { stage: 'colour', modelDir: path.join(work, 'tint') },
    ], { scale: 2 });
    expect([done.width, done.height]).toEqual([240, 180]);
    expect(done.colorize).toMatchObject({ applied: true, photo: 'greyscale' });
    const b = await raw(out);
    // The tint is there at the full 2× size: mid-grey pixels carry a* ≈ 20, b* ≈ 30.
    let tinted = 0, mid = 0;
    for (let p = 0; p < b.width * b.height; p++) {
      const [L, x, y] = lab(b.data[p * 3]! / 255, b.data[p * 3 + 1]! / 255, b.data[p * 3 + 2]! / 255);
      if (L < 30 || L > 70) continue;
      mid++;
      if (Math.abs(x - 20) < 1.5 && Math.abs(y - 30) < 1.5) tinted++;
    }
    expect(tinted).toBeGreaterThan(mid * 0.95);
  });

  it('a ramp pack (a* from the grey it is fed) puts the chroma where the lightness is: dark half a* < 0, light half a* > 0', async () => {
    await writeColorizePack(path.join(work, 'ramp'), { id: 'colorize-ramp', effect: 'ramp', size: 64 });
    const halves = path.join(work, 'halves.png');
    const W = 128, H = 64;
    const px = new Uint8Array(W * H * 3);
    for (let p = 0; p < W * H; p++) px.fill(p % W < W / 2 ? 60 : 200, p * 3, p * 3 + 3);
    await sharp(px, { raw: { width: W, height: H, channels: 3 } }).png().toFile(halves);
    const { out } = await run(halves, 'ramp.png', [{ stage: 'colour', modelDir: path.join(work, 'ramp') }]);
    const b = await raw(out);
    // Each half's expected a*: RAMP_GAIN · (grey fed − 0.5), the grey being the half's own code over 255; b* = 0.
    for (const [x, grey] of [[8, 60], [W - 9, 200]] as const) {
      const p = (H / 2) * W + x;
      const [L, A, B] = lab(b.data[p * 3]! / 255, b.data[p * 3 + 1]! / 255, b.data[p * 3 + 2]! / 255);
      expect(Math.abs(L - lab(grey / 255, grey / 255, grey / 255)[0])).toBeLessThan(0.5);
      expect(Math.abs(A - RAMP_GAIN * (grey / 255 - 0.5))).toBeLessThan(1.5);
      expect(Math.abs(B)).toBeLessThan(1.5);
    }
  });

  it('refuses a colorize pack named for another stage of the chain', async () => {
    await expect(run(greyPhoto8, 'wrong.png', [{ stage: 'enhance', modelDir: path.join(work, 'tint') }])).rejects.toThrow(/"colorize-tint" is a colorize pack, which serves the colour stage, not enhance/);
  });
});
