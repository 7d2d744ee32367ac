/**
 * decodeImage's HEIC branch (read.ts, decodeHeic) field by field, for the mutation group `imaging-read`: small
 * fixtures made here with Debian's heif-enc (libheif-examples, x265) from flat patches whose values are known, EXIF
 * written with Debian's exiftool. The pixel maths of HEIC (depth scaling, colour boxes, irot) is tested in
 * test/integration/heic.test.ts; here: the limit, the depth decision and its warnings, alpha, and `source`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageError } from '../../../src-main/imaging/errors';
import { decodeImage } from '../../../src-main/imaging/read';
import { addHeifProperties } from '../../fixtures/heif-boxes';

const W = 16;
const H = 8;
/** The flat colour of the RGB patches, in 8 and 16 bits. */
const RGB = [200, 120, 40] as const;
const SGRAY = '/usr/share/color/icc/ghostscript/sgray.icc';
let dir: string;
const file = (name: string): string => path.join(dir, name);

function heifEnc(input: string, output: string, bits = 8): void {
  execFileSync('heif-enc', ['-b', String(bits), '-q', '95', input, '-o', output], { stdio: 'pipe' });
}

/** A flat W×H PNG (16-bit when `deep`), with an alpha channel of `alpha` (0–1) when given. */
async function patch(name: string, deep: boolean, alpha?: number): Promise<string> {
  const channels = alpha === undefined ? 3 : 4;
  const scale = deep ? 257 : 1;
  const px = [...RGB.map((v) => v * scale), ...(alpha === undefined ? [] : [Math.round(alpha * 255) * scale])];
  const data = deep ? new Uint16Array(W * H * channels) : new Uint8Array(W * H * channels);
  for (let i = 0; i < W * H; i++) data.set(px, i * channels);
  const out = file(name);
  const img = sharp(data, { raw: { width: W, height: H, channels } });
  await (deep ? img.toColourspace('rgb16') : img).png().toFile(out);
  return out;
}

let rgb8: string;
let rgb10: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'revive-read-heic-'));
  rgb8 = file('flat8.heic');
  heifEnc(await patch('flat8.png', false), rgb8);
  rgb10 = file('flat10.heic');
  heifEnc(await patch('flat16.png', true), rgb10, 10);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Largest difference between the decoded RGB pixels and the patch colour (in 8-bit codes). */
function offPatch(data: Uint8Array | Uint16Array, per: number): number {
  let worst = 0;
  for (let i = 0; i < data.length; i++) worst = Math.max(worst, Math.abs(data[i]! / per - RGB[i % 3]!));
  return worst;
}

describe('decodeImage — HEIC', () => {
  it('an 8-bit HEIC: the patch colour (HEVC at q 95: within 3 codes) and every source field', async () => {
    const img = await decodeImage(rgb8);
    expect([img.format, img.width, img.height, img.rgb.width, img.rgb.height, img.rgb.channels]).toEqual(['heic', W, H, W, H, 3]);
    expect(img.rgb.data).toBeInstanceOf(Uint8Array);
    expect(img.rgb.data.length).toBe(W * H * 3);
    expect(offPatch(img.rgb.data, 1)).toBeLessThanOrEqual(3);
    expect(img.alpha).toBeNull();
    expect(img.warnings).toEqual([]);
    expect(img.source).toEqual({
      path: rgb8,
      format: 'heic',
      storedWidth: W,
      storedHeight: H,
      orientation: 1,
      bitDepth: 8,
      storedBits: 8,
      hasAlpha: false,
      hasExif: false,
      hasIcc: false,
      space: 'srgb',
      pages: 1,
    });
  });

  it('TOO_LARGE from the image handle one pixel over the limit; decodes at exactly the limit', async () => {
    const err = await decodeImage(rgb8, { maxPixels: W * H - 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect([(err as ImageError).code, (err as ImageError).message]).toEqual([
      'TOO_LARGE',
      `${rgb8}: ${W}×${H} (0.0 MP) exceeds the limit of 0.0 MP (a guard against damaged or hostile files; raise it with --max-megapixels or the queue.maxInputMegapixels setting)`,
    ]);
    const ok = await decodeImage(rgb8, { maxPixels: W * H });
    expect(ok.width).toBe(W);
  });

  it('says it has EXIF when exiftool wrote some, and keeps orientation 1 whatever the EXIF tag says', async () => {
    const tagged = file('tagged.heic');
    execFileSync('exiftool', ['-q', '-o', tagged, '-Make=TestMake', '-IFD0:Orientation#=6', rgb8]);
    const img = await decodeImage(tagged);
    expect(img.source.hasExif).toBe(true);
    expect(img.source.orientation).toBe(1);
    expect([img.width, img.height]).toEqual([W, H]);
  });

  it('a 10-bit HEIC: 16-bit pixels with keepDepth; 8 bits and a warning without', async () => {
    const deep = await decodeImage(rgb10, { keepDepth: true });
    expect(deep.rgb.data).toBeInstanceOf(Uint16Array);
    expect(offPatch(deep.rgb.data, 257)).toBeLessThanOrEqual(3);
    expect(deep.warnings).toEqual([]);
    expect(deep.source).toMatchObject({ bitDepth: 16, storedBits: 10 });

    const shallow = await decodeImage(rgb10);
    expect(shallow.rgb.data).toBeInstanceOf(Uint8Array);
    expect(offPatch(shallow.rgb.data, 1)).toBeLessThanOrEqual(3);
    expect(shallow.warnings).toEqual([`${rgb10}: 10-bit image reduced to 8 bits for this model`]);
    expect(shallow.source).toMatchObject({ bitDepth: 8, storedBits: 10 });
  });

  it('alpha: 8-bit plane from an 8-bit HEIC, 16-bit plane from a 10-bit one with keepDepth, hasAlpha true', async () => {
    const a8 = file('alpha8.heic');
    heifEnc(await patch('alpha8.png', false, 0.5), a8);
    const img8 = await decodeImage(a8);
    expect(img8.source.hasAlpha).toBe(true);
    expect(img8.alpha).toBeInstanceOf(Uint8Array);
    expect(img8.alpha!.length).toBe(W * H);
    for (const v of img8.alpha!) expect(Math.abs(v - 128)).toBeLessThanOrEqual(3);

    const a10 = file('alpha10.heic');
    heifEnc(await patch('alpha16.png', true, 0.5), a10, 10);
    const img16 = await decodeImage(a10, { keepDepth: true });
    expect(img16.alpha).toBeInstanceOf(Uint16Array);
    for (const v of img16.alpha!) expect(Math.abs(v / 257 - 128)).toBeLessThanOrEqual(3);
  });

  it('a 10-bit grey-profile HEIC: 8 bits with keepDepth and the grey-profile warning; the depth warning without', async () => {
    const greyPng = file('grey16.png');
    await sharp(new Uint16Array(W * H).fill(100 * 257), { raw: { width: W, height: H, channels: 1 } }).toColourspace('grey16').png().toFile(greyPng);
    execFileSync('exiftool', ['-q', '-overwrite_original', `-ICC_Profile<=${SGRAY}`, greyPng]);
    const grey = file('grey10.heic');
    heifEnc(greyPng, grey, 10);
    const kept = await decodeImage(grey, { keepDepth: true });
    expect(kept.rgb.data).toBeInstanceOf(Uint8Array);
    expect(kept.source).toMatchObject({ bitDepth: 8, storedBits: 10, hasIcc: true });
    expect(kept.source.icc?.equals(await readFile(SGRAY))).toBe(true);
    expect(kept.warnings).toEqual([`${grey}: 10-bit HEIC with a grey ICC profile reduced to 8 bits (the profile is applied at 8 bits only)`]);
    const plain = await decodeImage(grey);
    expect(plain.warnings).toEqual([`${grey}: 10-bit image reduced to 8 bits for this model`]);
  });

  it('warns, naming them, about nclx colours it cannot convert (BT.2020 primaries), and keeps no profile', async () => {
    const bt2020 = file('bt2020.heic');
    await writeFile(bt2020, addHeifProperties(await readFile(rgb8), { nclx: { primaries: 9, transfer: 13, matrix: 6, fullRange: true } }));
    const img = await decodeImage(bt2020);
    expect(img.warnings).toHaveLength(1);
    expect(img.warnings[0]!.startsWith(`${bt2020}: `)).toBe(true);
    expect(img.warnings[0]).toMatch(/primaries 9, transfer 13.*taken as sRGB/);
    expect(img.source.hasIcc).toBe(false);
    expect(offPatch(img.rgb.data, 1)).toBeLessThanOrEqual(3);
  });
});
