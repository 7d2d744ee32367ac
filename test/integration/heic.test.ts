/**
 * HEIC (HEVC-coded HEIF) input: fixtures made here with Debian's heif-enc (libheif + x265) from a crop of a real
 * photograph, decoded through decodeImage (libheif-js) and compared with the PNG they were encoded from, then one run
 * through the engine process to a JPEG whose EXIF (written into the HEIC with Debian's exiftool) must survive.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineHost } from '../../src-main/engine/host';
import { ImageError } from '../../src-main/imaging/errors';
import { decodeImage } from '../../src-main/imaging/read';
import { exiftool } from '../fixtures/metadata-photos';

const PHOTO = '/usr/share/wallpapers/FallenLeaf/contents/images/1280x1024.jpg';
const PACK = path.resolve(import.meta.dirname, '../../models/realesrgan-x4fast');
const W = 96;
const H = 64;

let dir: string;
let png: string;
let heic: string;
/** The PNG source's pixels (RGB, 8-bit). */
let source: Uint8Array;

/** PSNR in dB between two equal-length 8-bit sample arrays, computed here independently of the code under test. */
function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  return 10 * Math.log10((255 * 255) / (se / a.length));
}

beforeAll(async () => {
  let encoders = '';
  try {
    encoders = execFileSync('heif-enc', ['--list-encoders'], { encoding: 'utf8' });
  } catch (err) {
    throw new Error(`heif-enc is missing: apt-get install libheif-examples (${String(err)})`);
  }
  expect(encoders, 'heif-enc has no HEVC (x265) encoder: apt-get install libheif-examples libheif1').toMatch(/x265/);
  expect(existsSync(PHOTO), `${PHOTO} is missing: apt-get install plasma-workspace-wallpapers`).toBe(true);
  dir = await mkdtemp(path.join(os.tmpdir(), 'revive-heic-'));
  png = path.join(dir, 'crop.png');
  heic = path.join(dir, 'IMG_0001.HEIC');
  await sharp(PHOTO).extract({ left: 400, top: 300, width: W, height: H }).png().toFile(png);
  source = new Uint8Array((await sharp(png).removeAlpha().raw().toBuffer()).buffer.slice(0));
  execFileSync('heif-enc', ['-q', '90', png, '-o', heic]);
  // Really HEVC, not AV1: AVIF goes through sharp and would not test this path.
  expect(execFileSync('heif-info', [heic], { encoding: 'utf8' })).toMatch(/main brand: heic/);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('HEIC decoding', () => {
  it('decodes the primary image to the size and pixels of its source (HEVC is lossy: PSNR ≥ 30 dB at q 90)', async () => {
    const img = await decodeImage(heic);
    expect(img.format).toBe('heic');
    expect([img.width, img.height]).toEqual([W, H]);
    expect(img.rgb.channels).toBe(3);
    expect(img.alpha).toBeNull();
    const value = psnr(img.rgb.data, source);
    expect(value).toBeGreaterThanOrEqual(30);
    // A decoder that returned some other picture of the right size would be far below this.
    expect(psnr(img.rgb.data, source.slice().reverse())).toBeLessThan(20);
  });

  it('refuses a HEIC above the pixel limit from its header, with TOO_LARGE naming the size', async () => {
    const err = await decodeImage(heic, { maxPixels: W * H - 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect((err as ImageError).code).toBe('TOO_LARGE');
    expect((err as ImageError).message).toContain(`${W}×${H}`);
  });

  it('keeps Make, Model and DateTimeOriginal on the way to a JPEG through the engine, and the pixels upright', async () => {
    const tagged = path.join(dir, 'tagged.heic');
    execFileSync('heif-enc', ['-q', '90', png, '-o', tagged]);
    exiftool(['-overwrite_original', '-Make=TestMake', '-Model=TestModel', '-DateTimeOriginal=2001:02:03 04:05:06', tagged]);
    const out = path.join(dir, 'tagged_x2.jpg');
    const host = new EngineHost();
    try {
      await host.enhance({ input: tagged, output: out, modelDir: PACK, scale: 2, format: 'jpg', provider: 'cpu', threads: 2 });
    } finally {
      await host.close();
    }
    const meta = await sharp(out).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', W * 2, H * 2]);
    const tags = JSON.parse(exiftool(['-j', '-G1', '-Make', '-Model', '-DateTimeOriginal', '-Orientation', out])) as Record<string, unknown>[];
    expect(tags[0]).toMatchObject({
      'IFD0:Make': 'TestMake',
      'IFD0:Model': 'TestModel',
      'ExifIFD:DateTimeOriginal': '2001:02:03 04:05:06',
    });
    // Same picture as the source, downscaled back: the engine saw the pixels the right way up.
    const back = new Uint8Array((await sharp(out).resize(W, H, { kernel: 'cubic' }).removeAlpha().raw().toBuffer()).buffer.slice(0));
    expect(psnr(back, source)).toBeGreaterThanOrEqual(22);
  });
});
