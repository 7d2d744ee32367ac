/**
 * Results larger than sharp's default input guard (268 402 689 pixels = 16383²): a 24 MP photo at 4× is 384 MP.
 * Revive's own pixels are handed to sharp as raw input, and its own results are read back for the EXIF thumbnail and
 * the library's thumbnails; none of these may trip sharp's guard, which is meant for untrusted files (those are
 * checked against the user's input limit from their header before they are decoded). Issue 12 F16.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeImage } from '../../src-main/imaging/write';
import { resizeTo } from '../../src-main/imaging/resize';
import { makeThumbnail } from '../../src-main/imaging/thumbnail';

// Just over the guard: 16 400 × 16 400 = 268 960 000 pixels (807 MB of 8-bit RGB).
const SIDE = 16_400;
const GUARD = 268_402_689;

let tmp: string;
let pixels: { data: Uint8Array; width: number; height: number; channels: 3 };

describe('results over sharp’s 268 MP input guard', () => {
  beforeAll(() => {
    expect(SIDE * SIDE).toBeGreaterThan(GUARD);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'revive-large-'));
    const data = new Uint8Array(SIDE * SIDE * 3);
    // A gradient, so a wrong size or a blank result cannot pass.
    for (let y = 0; y < SIDE; y += 1) data.fill(Math.floor((y * 256) / SIDE), y * SIDE * 3, (y + 1) * SIDE * 3);
    pixels = { data, width: SIDE, height: SIDE, channels: 3 };
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('encodes them, with and without metadata carried by sharp', async () => {
    const jpg = await encodeImage(pixels, null, { format: 'jpg', quality: 50 });
    const meta = await sharp(jpg, { limitInputPixels: false }).metadata();
    expect([meta.width, meta.height]).toEqual([SIDE, SIDE]);
    const file = path.join(tmp, 'out.jpg');
    writeFileSync(file, jpg);

    const source = path.join(tmp, 'source.jpg');
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).withExif({ IFD0: { Make: 'Revive' } }).jpeg().toFile(source);
    const withMeta = await encodeImage(pixels, null, { format: 'jpg', quality: 50, keepMetadataFrom: source });
    const m2 = await sharp(withMeta, { limitInputPixels: false }).metadata();
    expect([m2.width, m2.height, m2.hasAlpha]).toEqual([SIDE, SIDE, false]);
    expect(m2.exif).toBeDefined();

    // The library's thumbnail of such a result.
    const thumb = await makeThumbnail(file, path.join(tmp, 'thumb.webp'), 256);
    expect([thumb.width, thumb.height]).toEqual([256, 256]);
  }, 300_000);

  it('resamples them (the 2×/3× outputs are made from the model’s 4×)', async () => {
    const small = await resizeTo(pixels, 100, 100);
    expect([small.width, small.height, small.data.length]).toEqual([100, 100, 100 * 100 * 3]);
    // The source's rows run from 0 to 255 top to bottom: the result keeps that ramp (row 10 ≈ 26, row 90 ≈ 232).
    expect(Math.abs(small.data[(10 * 100 + 50) * 3]! - 26.9)).toBeLessThan(3);
    expect(Math.abs(small.data[(90 * 100 + 50) * 3]! - 231.7)).toBeLessThan(3);
  }, 300_000);
});
