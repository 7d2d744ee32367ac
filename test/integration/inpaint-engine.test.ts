/**
 * The repair stage with a generated inpainting pack, through the engine's chain and onnxruntime: a 16-bit photo with
 * a tear, a speck and a scratch (a user's mask) — only the tear's pixels get the pack's known colour, the speck and
 * scratch are filled classically, every unmasked pixel is written back bit for bit, and the XMP history names the
 * pack. A photo with only small defects never opens the model, and its history does not name it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enhanceImage } from '../../src-main/engine/process/enhance-image';
import { openModel } from '../../src-main/engine/process/session';
import { SessionCache } from '../../src-main/engine/process/session-cache';
import type { EnhanceRequest } from '../../src-main/engine/protocol';
import { writeInpaintPack } from '../fixtures/inpaint-packs';

const W = 240, H = 160;
const COLOUR = [0.25, 0.5, 0.75] as const;
let dir: string, pack: string;
const cache = new SessionCache((model, opts) => openModel(model, { ...opts, provider: 'cpu', threads: 1 }));
const hooks = { onProgress: () => {}, onWarning: () => {} };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'revive-inpaint-engine-'));
  pack = path.join(dir, 'pack');
  // 0–255 ranges, as several LaMa exports declare, so the conversion is exercised end to end.
  await writeInpaintPack(pack, { size: 64, colour: COLOUR, imageRange: '0-255', outputRange: '0-255' });
});
afterAll(async () => {
  await cache.dispose();
  await rm(dir, { recursive: true, force: true });
});

const inTear = (x: number, y: number): boolean => (x - 150) ** 2 + (y - 80) ** 2 <= 40 ** 2;

async function photoAndMask(tear: boolean): Promise<{ input: string; mask: string; pixels: Uint16Array; m: Uint8Array }> {
  const pixels = new Uint16Array(W * H * 3);
  for (let i = 0; i < W * H; i++) pixels.set([10000 + (i % W) * 97, 30000 + Math.floor(i / W) * 61, 50000 - (i % 13) * 300], i * 3);
  const m = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (tear && inTear(x, y)) m[y * W + x] = 255;
  for (let y = 20; y < 23; y++) for (let x = 20; x < 23; x++) m[y * W + x] = 255;
  for (let x = 10; x < 90; x++) m[140 * W + x] = m[141 * W + x] = 255;
  const tag = tear ? 'tear' : 'small';
  const input = path.join(dir, `${tag}.png`), mask = path.join(dir, `${tag}-mask.png`);
  await sharp(pixels, { raw: { width: W, height: H, channels: 3 } }).toColourspace('rgb16').png().toFile(input);
  await sharp(Buffer.from(m), { raw: { width: W, height: H, channels: 1 } }).png().toFile(mask);
  return { input, mask, pixels, m };
}

function request(input: string, output: string, mask: string): EnhanceRequest {
  return { type: 'enhance', id: `r${Math.random().toString(36).slice(2, 8)}`, input, output, stages: [{ stage: 'repair', modelDir: pack, repair: { mode: 'off' }, mask }], scale: 1, format: 'png', provider: 'cpu' };
}

async function read16(file: string): Promise<Uint16Array> {
  const { data, info } = await sharp(file).toColourspace('rgb16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
  expect([info.width, info.height, info.channels]).toEqual([W, H, 3]);
  return new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
}

const history = (file: string): string => execFileSync('exiftool', ['-s3', '-XMP-xmpMM:HistoryParameters', file], { encoding: 'utf8' });

describe('the repair stage with an inpainting pack', () => {
  it('fills only the tear with the pack, keeps 16 bits outside the mask bit for bit, and names the pack in the history', async () => {
    const { input, mask, pixels, m } = await photoAndMask(true);
    const output = path.join(dir, 'tear-out.png');
    await enhanceImage(request(input, output, mask), cache, hooks);
    const out = await read16(output);
    // The same photo without the tear, repaired: its speck and scratch are what the classical fill makes of them.
    const small = await photoAndMask(false);
    await enhanceImage(request(small.input, path.join(dir, 'classical.png'), small.mask), cache, hooks);
    const classical = await read16(path.join(dir, 'classical.png'));
    const wrong = { outside: 0, tear: 0, small: 0 };
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const p = y * W + x;
        for (let c = 0; c < 3; c++) {
          const got = out[p * 3 + c]!;
          if (!m[p]) wrong.outside += got === pixels[p * 3 + c] ? 0 : 1;
          // Three pixels in from the tear's edge (past the feather), the pack's colour within 1/255.
          else if (inTear(x, y) && (x - 150) ** 2 + (y - 80) ** 2 <= 37 ** 2) wrong.tear += Math.abs(got - COLOUR[c]! * 65535) <= 257 ? 0 : 1;
          // The speck and the scratch (far from the tear): the classical fill's values exactly.
          else if (!inTear(x, y)) wrong.small += got === classical[p * 3 + c] ? 0 : 1;
        }
      }
    }
    expect(wrong).toEqual({ outside: 0, tear: 0, small: 0 });
    expect(history(output)).toMatch(/classical-repair \(mask tear-mask\.png; large holes by inpaint-constant\)/);
  });

  it('does not open the model for a photo with only small defects, and its history does not name the pack', async () => {
    const { input, mask } = await photoAndMask(false);
    // A fresh cache whose opener fails: the request succeeds only if the model is never opened.
    const refusing = new SessionCache(() => Promise.reject(new Error('no model expected')));
    const output = path.join(dir, 'small-out.png');
    await enhanceImage(request(input, output, mask), refusing, hooks);
    const h = history(output);
    expect(h).toMatch(/classical-repair \(mask small-mask\.png\)/);
    expect(h).not.toMatch(/inpaint-constant/);
  });
});
