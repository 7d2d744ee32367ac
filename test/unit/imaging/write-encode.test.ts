/**
 * encodeImage and writeImage (imaging/write.ts) case by case, decoded back with sharp and compared against direct
 * computations: alpha flattened onto white for JPEG, alpha joined into 16-bit PNG (8-bit alpha widened × 257), the
 * argument refusals with their messages, and writeImage's options (quality, metadata modes, a failed metadata copy,
 * file times). Added after mutation testing (docs/mutation.md).
 */
import { mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { closeMetadataTool, reviveVersion } from '../../../src-main/imaging/metadata';
import { encodeImage, writeImage } from '../../../src-main/imaging/write';
import type { PixelBuffer } from '../../../src-main/pixels/types';
import { readTags, writeMetadataPhoto } from '../../fixtures/metadata-photos';

const root = await mkdtemp(path.join(os.tmpdir(), 'revive-write-encode-'));
afterAll(async () => {
  await closeMetadataTool();
  await rm(root, { recursive: true, force: true });
});

function rgb8(w: number, h: number): PixelBuffer {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 256;
  return { data, width: w, height: h, channels: 3 };
}

function rgb16(w: number, h: number): PixelBuffer {
  const data = new Uint16Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 4099) % 65536;
  return { data, width: w, height: h, channels: 3 } as PixelBuffer;
}

describe('encodeImage refusals', () => {
  it('names a bad quality, channel count, buffer length and alpha length', async () => {
    const img = rgb8(4, 3);
    await expect(encodeImage(img, null, { format: 'jpg', quality: 101 })).rejects.toThrow('quality must be an integer from 1 to 100, got 101');
    await expect(encodeImage(img, null, { format: 'webp', quality: 50.5 })).rejects.toThrow('got 50.5');
    await expect(encodeImage({ ...img, channels: 4 }, null, { format: 'png' })).rejects.toThrow('encodeImage takes RGB pixels (3 channels), got 4');
    await expect(encodeImage({ ...rgb16(4, 3), width: 5 }, null, { format: 'png' })).rejects.toThrow('pixel buffer has 36 samples, expected 45 for 5×3 RGB');
    await expect(encodeImage(img, new Uint8Array(13), { format: 'png' })).rejects.toThrow('alpha plane has 13 samples, expected 12 for 4×3');
    await expect(encodeImage(img, null, { format: 'jpg', quality: 1 })).resolves.toBeInstanceOf(Buffer);
    await expect(encodeImage(img, null, { format: 'jpg', quality: 100 })).resolves.toBeInstanceOf(Buffer);
  });
});

describe('alpha', () => {
  it('flattens onto white for JPEG: out = rgb·a + 255·(1 − a) (JPEG at quality 100, tolerance 3)', async () => {
    const [w, h] = [16, 8];
    const img = rgb8(w, h);
    const alpha = Uint8Array.from({ length: w * h }, (_, i) => (i * 255) / (w * h - 1));
    const jpg = await encodeImage(img, alpha, { format: 'jpg', quality: 100 });
    const { data, info } = await sharp(jpg).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    let worst = 0;
    for (let i = 0; i < w * h; i++) {
      const a = alpha[i]! / 255;
      for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(data[i * 3 + c]! - (img.data[i * 3 + c]! * a + 255 * (1 - a))));
    }
    expect(worst).toBeLessThanOrEqual(3);
  });

  it('joins RGB and alpha exactly in PNG, 8-bit and 16-bit (8-bit alpha widened × 257)', async () => {
    const [w, h] = [5, 4];
    const alpha8 = Uint8Array.from({ length: w * h }, (_, i) => 10 * i + 3);
    const png8 = await sharp(await encodeImage(rgb8(w, h), alpha8, { format: 'png' })).raw().toBuffer();
    const img8 = rgb8(w, h);
    for (let i = 0; i < w * h; i++) {
      expect([...png8.subarray(i * 4, i * 4 + 4)]).toEqual([...img8.data.subarray(i * 3, i * 3 + 3), alpha8[i]]);
    }
    const img16 = rgb16(w, h);
    for (const alpha of [alpha8, Uint16Array.from({ length: w * h }, (_, i) => 3000 * i + 7)]) {
      const png = await encodeImage(img16, alpha, { format: 'png' });
      const raw = await sharp(png).toColourspace('rgb16').raw({ depth: 'ushort' }).toBuffer();
      const got = new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2);
      const widen = alpha instanceof Uint8Array ? 257 : 1;
      for (let i = 0; i < w * h; i++) {
        expect([...got.subarray(i * 4, i * 4 + 4)]).toEqual([...(img16.data as Uint16Array).subarray(i * 3, i * 3 + 3), alpha[i]! * widen]);
      }
    }
  });

  it('reduces 16-bit pixels and alpha to 8 bits (÷ 257, rounded) for WebP', async () => {
    const [w, h] = [4, 2];
    const img = rgb16(w, h);
    const alpha = Uint16Array.from({ length: w * h }, (_, i) => 9000 * i);
    const webp = await encodeImage(img, alpha, { format: 'webp', quality: 100 });
    const meta = await sharp(webp).metadata();
    expect([meta.channels, meta.hasAlpha]).toEqual([4, true]);
    const raw = await sharp(webp).raw().toBuffer();
    // WebP keeps alpha losslessly.
    for (let i = 0; i < w * h; i++) expect(raw[i * 4 + 3]).toBe(Math.round(alpha[i]! / 257));
  });
});

describe('writeImage options', () => {
  it('passes the quality on: quality 30 makes a smaller JPEG than quality 95', async () => {
    const img = rgb8(64, 48);
    const low = await writeImage(path.join(root, 'q30.jpg'), img, null, { format: 'jpg', quality: 30 });
    const high = await writeImage(path.join(root, 'q95.jpg'), img, null, { format: 'jpg', quality: 95 });
    expect(low.encodedBytes).toBeLessThan(high.encodedBytes);
    expect((await stat(path.join(root, 'q30.jpg'))).size).toBe(low.encodedBytes);
  });

  it('copies the metadata with the provenance, keeps the original\'s file times, and copies nothing in mode none', async () => {
    const source = await writeMetadataPhoto(root, 'src.jpg', { adobeRgb: false });
    const when = new Date('2011-05-06T07:08:09Z');
    await utimes(source, when, when);
    const out = path.join(root, 'with-meta.jpg');
    const r = await writeImage(out, rgb8(48, 36), null, { format: 'jpg', source, provenance: { model: 'pk', scale: 1 }, keepFileTimes: true });
    expect(r.warnings).toEqual([]);
    const tags = readTags(out);
    expect(tags['IFD0:Make']).toBe('Canon');
    expect(tags['IFD0:ProcessingSoftware']).toBe(`Revive ${reviveVersion()} (enhanced 1x with model pk)`);
    expect((await stat(out)).mtime.getTime()).toBe(when.getTime());

    const none = path.join(root, 'no-meta.jpg');
    await writeImage(none, rgb8(48, 36), null, { format: 'jpg', source, metadata: 'none' });
    expect(readTags(none)['IFD0:Make']).toBeUndefined();
    expect((await stat(none)).mtime.getTime()).not.toBe(when.getTime());
  });

  it('writes the photo without metadata, with a one-line warning, when the copy fails', async () => {
    // The original vanished between reading and writing: ExifTool cannot read it.
    const gone = path.join(root, 'gone.jpg');
    const out = path.join(root, 'warned.png');
    const r = await writeImage(out, rgb8(8, 8), null, { format: 'png', source: gone });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: written without the original's metadata — ExifTool: \\S`));
    expect(r.warnings[0]).not.toContain('\n');
    expect((await sharp(out).metadata()).width).toBe(8);
  });
});
