/**
 * HEIC (HEVC-coded HEIF) input: fixtures made here with Debian's heif-enc (libheif + x265) from a crop of a real
 * photograph and from flat colour patches, decoded through decodeImage (libheif-js), then runs through the engine
 * process to JPEGs whose EXIF (written into the HEIC with Debian's exiftool) and ICC profile must survive.
 *
 * Colour: patches stored in Adobe RGB (an embedded ICC profile, ghostscript's a98.icc) or in Display P3 (an nclx
 * colour box) must reach the model as the sRGB values computed here from the published primaries. Orientation:
 * `irot`/`imir` properties (added with test/fixtures/heif-boxes.ts) must turn the pixels the way ISO/IEC 23008-12
 * says, and an EXIF Orientation inside a HEIC must not be applied on top.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineHost } from '../../src-main/engine/host';
import { ImageError } from '../../src-main/imaging/errors';
import { probeImage } from '../../src-main/imaging/probe';
import { decodeImage } from '../../src-main/imaging/read';
import { addHeifProperties, type HeifProperties } from '../fixtures/heif-boxes';
import { ADOBE_RGB_ICC, exiftool, gradient } from '../fixtures/metadata-photos';

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

/** Runs heif-enc at quality `q` and checks the result really is HEVC (AVIF would go through sharp instead). */
function heifEnc(input: string, output: string, q = 90): void {
  execFileSync('heif-enc', ['-q', String(q), input, '-o', output], { stdio: 'pipe' });
  expect(execFileSync('heif-info', [output], { encoding: 'utf8' })).toMatch(/main brand: heic/);
}

/** Writes a copy of `file` with extra HEIF properties on its primary image and returns its path. */
async function withProperties(file: string, name: string, properties: HeifProperties): Promise<string> {
  const out = path.join(dir, name);
  await writeFile(out, addHeifProperties(await readFile(file), properties));
  return out;
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
  expect(existsSync(ADOBE_RGB_ICC), `${ADOBE_RGB_ICC} is missing: apt-get install libgs-common`).toBe(true);
  dir = await mkdtemp(path.join(os.tmpdir(), 'revive-heic-'));
  png = path.join(dir, 'crop.png');
  heic = path.join(dir, 'IMG_0001.HEIC');
  await sharp(PHOTO).extract({ left: 400, top: 300, width: W, height: H }).png().toFile(png);
  source = new Uint8Array((await sharp(png).removeAlpha().raw().toBuffer()).buffer.slice(0));
  heifEnc(png, heic);
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
    expect(img.warnings).toEqual([]);
    expect(img.source.hasIcc).toBe(false); // untagged (no colr box): taken as sRGB, as every untagged source is
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

  it('keeps Make, Model and DateTimeOriginal on the way to a JPEG through the engine, and does not apply an EXIF Orientation twice', async () => {
    const tagged = path.join(dir, 'tagged.heic');
    heifEnc(png, tagged);
    // Orientation 6 ("rotate 90 CW") in the EXIF of a HEIC without irot: HEIF says irot governs, so the pixels
    // stay as stored and the output says "normal".
    exiftool(['-overwrite_original', '-Make=TestMake', '-Model=TestModel', '-DateTimeOriginal=2001:02:03 04:05:06', '-IFD0:Orientation#=6', tagged]);
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
      'IFD0:Orientation': 'Horizontal (normal)',
    });
    // Same picture as the source, downscaled back: the engine saw the pixels the right way up.
    const back = new Uint8Array((await sharp(out).resize(W, H, { kernel: 'cubic' }).removeAlpha().raw().toBuffer()).buffer.slice(0));
    expect(psnr(back, source)).toBeGreaterThanOrEqual(22);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Colour

type Rgb = readonly [number, number, number];
type Matrix = readonly (readonly number[])[];

/** Six flat 32×32 patches in a 96×64 image, all inside the sRGB gamut once converted from Adobe RGB or Display P3. */
const PATCHES: readonly Rgb[] = [
  [170, 90, 60],
  [80, 100, 200],
  [120, 170, 90],
  [90, 140, 180],
  [200, 120, 160],
  [150, 150, 80],
];

function inverse(m: Matrix): number[][] {
  const [a, b, c] = m[0]!;
  const [d, e, f] = m[1]!;
  const [g, h, i] = m[2]!;
  const det = a! * (e! * i! - f! * h!) - b! * (d! * i! - f! * g!) + c! * (d! * h! - e! * g!);
  return [
    [(e! * i! - f! * h!) / det, (c! * h! - b! * i!) / det, (b! * f! - c! * e!) / det],
    [(f! * g! - d! * i!) / det, (a! * i! - c! * g!) / det, (c! * d! - a! * f!) / det],
    [(d! * h! - e! * g!) / det, (b! * g! - a! * h!) / det, (a! * e! - b! * d!) / det],
  ];
}

function apply(m: Matrix, v: readonly number[]): number[] {
  return m.map((row) => row[0]! * v[0]! + row[1]! * v[1]! + row[2]! * v[2]!);
}

/** RGB → XYZ matrix of an RGB space from its primaries' and white point's xy chromaticities (the textbook way). */
function rgbToXyz(primaries: readonly (readonly [number, number])[], white: readonly [number, number]): number[][] {
  const xyz = ([x, y]: readonly [number, number]): number[] => [x / y, 1, (1 - x - y) / y];
  const columns = primaries.map(xyz);
  const p = [0, 1, 2].map((r) => columns.map((c) => c[r]!));
  const scale = apply(inverse(p), xyz(white));
  return p.map((row) => row.map((v, j) => v * scale[j]!));
}

const D65: [number, number] = [0.3127, 0.329];
/** IEC 61966-2-1 (sRGB), Adobe RGB (1998) and SMPTE EG 432-1 (Display P3) primaries; all three are D65. */
const SRGB = rgbToXyz([[0.64, 0.33], [0.3, 0.6], [0.15, 0.06]], D65);
const ADOBE_RGB = rgbToXyz([[0.64, 0.33], [0.21, 0.71], [0.15, 0.06]], D65);
const DISPLAY_P3 = rgbToXyz([[0.68, 0.32], [0.265, 0.69], [0.15, 0.06]], D65);

/** A D65 RGB → XYZ matrix adapted to the ICC PCS white (D50) with the Bradford transform, as ICC profiles store it. */
function adaptToD50(m: Matrix): number[][] {
  const bradford = [[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]];
  const from = apply(bradford, [D65[0] / D65[1], 1, (1 - D65[0] - D65[1]) / D65[1]]);
  const to = apply(bradford, [0.9642, 1, 0.8249]);
  const adapt = (v: readonly number[]): number[] => apply(inverse(bradford), apply(bradford, v).map((x, i) => (x * to[i]!) / from[i]!));
  // Adapt each column (one primary's XYZ) and put the columns back.
  const columns = [0, 1, 2].map((j) => adapt(m.map((row) => row[j]!)));
  return [0, 1, 2].map((r) => columns.map((c) => c[r]!));
}

const srgbDecode = (v: number): number => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
const srgbEncode = (v: number): number => {
  const c = Math.min(1, Math.max(0, v));
  return 255 * (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055);
};
/** Adobe RGB (1998)'s transfer curve: a pure power of 563/256 (≈ 2.2). */
const adobeDecode = (v: number): number => v ** (563 / 256);

/** An 8-bit colour of a D65 RGB space → sRGB (unrounded), by XYZ: the independent reference. */
function toSrgb(rgb: Rgb, toXyz: Matrix, decode: (v: number) => number): number[] {
  return apply(inverse(SRGB), apply(toXyz, rgb.map((v) => decode(v / 255)))).map(srgbEncode);
}

/** The mean colour of the central 16×16 of each patch (away from HEVC's block edges between patches). */
function patchMeans(data: ArrayLike<number>, width: number): number[][] {
  return PATCHES.map((_, p) => {
    const x0 = (p % 3) * 32 + 8;
    const y0 = Math.floor(p / 3) * 32 + 8;
    const sum = [0, 0, 0];
    for (let y = y0; y < y0 + 16; y++) for (let x = x0; x < x0 + 16; x++) for (let c = 0; c < 3; c++) sum[c]! += data[(y * width + x) * 3 + c]!;
    return sum.map((s) => s / 256);
  });
}

/** Offset of the ICC tag `signature`'s data (ICC.1 header: 128 bytes, then the tag count and 12-byte entries). */
function iccTag(icc: Buffer, signature: string): number {
  const count = icc.readUInt32BE(128);
  for (let t = 0; t < count; t++) {
    const at = 132 + t * 12;
    if (icc.toString('latin1', at, at + 4) === signature) return icc.readUInt32BE(at + 4);
  }
  throw new Error(`no ${signature} tag in the profile`);
}

/** Largest per-channel difference between two lists of colours. */
function maxDiff(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  return Math.max(...a.flatMap((colour, i) => colour.map((v, c) => Math.abs(v - b[i]![c]!))));
}

describe('HEIC colour', () => {
  /** A PNG of the patches, untagged. */
  let patchesPng: string;

  beforeAll(async () => {
    patchesPng = path.join(dir, 'patches.png');
    const raw = Buffer.alloc(W * H * 3);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) raw.set(PATCHES[Math.floor(y / 32) * 3 + Math.floor(x / 32)]!, (y * W + x) * 3);
    await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).png().toFile(patchesPng);
  });

  /** A HEIC of the patches whose stored values ARE Adobe RGB: the profile is attached to the PNG, then carried over. */
  async function adobeHeic(): Promise<string> {
    const tagged = path.join(dir, 'patches-adobe.png');
    await writeFile(tagged, await readFile(patchesPng));
    exiftool(['-q', '-overwrite_original', `-ICC_Profile<=${ADOBE_RGB_ICC}`, tagged]);
    const out = path.join(dir, 'patches-adobe.heic');
    heifEnc(tagged, out, 95);
    expect(execFileSync('heif-info', [out], { encoding: 'utf8' })).toMatch(/color profile: prof/);
    return out;
  }

  // Tolerance 4 per channel on patch means. Measured: LittleCMS on the exact stored values is within 0.5 of the
  // reference; HEVC at q 95 moves flat patches by up to 1 stored level, which the conversion amplifies (Adobe RGB
  // red 90 → 91 moves sRGB red by 2.5, the largest error seen: 2.48 for Adobe RGB, 1.57 for P3). A missing
  // conversion is off by more than 15, and the wrong one of the two profiles by 20 ([90,140,180]: R 52.5 vs 72.8).
  it('converts an Adobe RGB HEIC to sRGB with its embedded profile and hands the profile on', async () => {
    const img = await decodeImage(await adobeHeic());
    const expected = PATCHES.map((p) => toSrgb(p, ADOBE_RGB, adobeDecode));
    const seen = patchMeans(img.rgb.data, W);
    expect(maxDiff(seen, expected), `decoded ${JSON.stringify(seen)} vs sRGB ${JSON.stringify(expected)}`).toBeLessThanOrEqual(4);
    expect(maxDiff(seen, PATCHES)).toBeGreaterThan(30); // the conversion did happen ([90,140,180] → R 52.5)
    expect(img.warnings).toEqual([]);
    expect(img.source.hasIcc).toBe(true);
    expect(Buffer.compare(img.source.icc!, await readFile(ADOBE_RGB_ICC))).toBe(0);
    expect(img.source.space).toBe('srgb');
  });

  it('converts a HEIC whose nclx box says Display P3 (primaries 12, sRGB curve) to sRGB, and hands on a P3 profile', async () => {
    const plain = path.join(dir, 'patches.heic');
    heifEnc(patchesPng, plain, 95);
    const p3 = await withProperties(plain, 'patches-p3.heic', { nclx: { primaries: 12, transfer: 13, matrix: 6, fullRange: true } });
    expect(execFileSync('heif-info', [p3], { encoding: 'utf8' })).toMatch(/color profile: nclx/);
    const img = await decodeImage(p3);
    const expected = PATCHES.map((p) => toSrgb(p, DISPLAY_P3, srgbDecode));
    const seen = patchMeans(img.rgb.data, W);
    expect(maxDiff(seen, expected), `decoded ${JSON.stringify(seen)} vs sRGB ${JSON.stringify(expected)}`).toBeLessThanOrEqual(4);
    expect(maxDiff(seen, PATCHES)).toBeGreaterThan(15); // [90,140,180] → R 72.8
    expect(img.warnings).toEqual([]);
    // The writer converts the result back into this profile: an RGB display profile whose colorant tags (rXYZ,
    // gXYZ, bXYZ: the columns of its RGB → XYZ matrix, adapted to ICC's D50 white) are Display P3's, as computed
    // here with the Bradford adaptation from D65 (±0.002: s15Fixed16 storage, and the profile stores Z ≥ 0 where
    // the computation gives −0.001).
    const icc = img.source.icc!;
    expect(icc.toString('latin1', 12, 20)).toBe('mntrRGB ');
    // An XYZType tag: 'XYZ ', 4 reserved bytes, then X, Y, Z as s15Fixed16 numbers.
    const column = (tag: string): number[] => {
      const at = iccTag(icc, tag);
      return [0, 1, 2].map((k) => icc.readInt32BE(at + 8 + k * 4) / 65536);
    };
    const stored = [column('rXYZ'), column('gXYZ'), column('bXYZ')];
    const expectedD50 = adaptToD50(DISPLAY_P3);
    for (let j = 0; j < 3; j++) {
      for (let k = 0; k < 3; k++) expect(Math.abs(stored[j]![k]! - expectedD50[k]![j]!), `colorant ${j} XYZ ${k}`).toBeLessThan(0.002);
    }
  });

  it('converts a monochrome HEIC with a grey profile (ghostscript sgray.icc) to sRGB grey and hands the profile on', async () => {
    const sgray = '/usr/share/color/icc/ghostscript/sgray.icc';
    const greyPng = path.join(dir, 'grey.png');
    await sharp(Buffer.alloc(64 * 64, 100), { raw: { width: 64, height: 64, channels: 1 } }).toColourspace('b-w').png().toFile(greyPng);
    exiftool(['-q', '-overwrite_original', `-ICC_Profile<=${sgray}`, greyPng]);
    const grey = path.join(dir, 'grey.heic');
    heifEnc(greyPng, grey, 95);
    expect(execFileSync('heif-info', [grey], { encoding: 'utf8' })).toMatch(/color profile: prof/);
    const img = await decodeImage(grey);
    // The profile's grey curve is one gamma (a 'curv' with one u8Fixed8 entry: 461/256 ≈ 1.8); the grey's
    // luminance is then written with the sRGB curve (neutral greys stay neutral under the white-point adaptation).
    const icc = await readFile(sgray);
    const trc = iccTag(icc, 'kTRC');
    expect([icc.toString('latin1', trc, trc + 4), icc.readUInt32BE(trc + 8)]).toEqual(['curv', 1]);
    const gamma = icc.readUInt16BE(trc + 12) / 256;
    const expected = srgbEncode((100 / 255) ** gamma);
    const centre = (32 * 64 + 32) * 3;
    const seen = [...img.rgb.data.subarray(centre, centre + 3)];
    for (const v of seen) expect(Math.abs(v - expected), `decoded ${seen} vs ${expected.toFixed(2)}`).toBeLessThanOrEqual(2);
    expect(Math.abs(seen[0]! - 100)).toBeGreaterThan(10); // the conversion did happen (expected ≈ 119.4)
    expect(img.warnings).toEqual([]);
    expect(Buffer.compare(img.source.icc!, icc)).toBe(0);
    expect(img.source.space).toBe('b-w');
  });

  it('leaves colours it cannot convert (nclx BT.2020 primaries) as they are, with a warning naming them', async () => {
    const plain = path.join(dir, 'patches-2020-src.heic');
    heifEnc(patchesPng, plain, 95);
    const bt2020 = await withProperties(plain, 'patches-2020.heic', { nclx: { primaries: 9, transfer: 13, matrix: 6, fullRange: true } });
    const img = await decodeImage(bt2020);
    expect(maxDiff(patchMeans(img.rgb.data, W), PATCHES)).toBeLessThanOrEqual(3); // HEVC alone (measured: 1)
    expect(img.warnings).toHaveLength(1);
    expect(img.warnings[0]).toMatch(/primaries 9, transfer 13.*taken as sRGB/);
    expect(img.source.hasIcc).toBe(false);
  });

  it('writes an Adobe RGB HEIC through the engine to a JPEG carrying the same profile and Adobe RGB values', async () => {
    const input = await adobeHeic();
    const out = path.join(dir, 'patches-adobe_x2.jpg');
    const host = new EngineHost();
    try {
      await host.enhance({ input, output: out, modelDir: PACK, scale: 2, format: 'jpg', provider: 'cpu', threads: 2 });
    } finally {
      await host.close();
    }
    const meta = await sharp(out).metadata();
    expect(Buffer.compare(meta.icc!, await readFile(ADOBE_RGB_ICC))).toBe(0);
    // The stored values (keepIccProfile: no conversion on reading) are Adobe RGB again: the patches as they were
    // encoded, after HEVC, two conversions, the model and JPEG (tolerance 6, as for the Adobe RGB PNG elsewhere).
    const { data, info } = await sharp(out).keepIccProfile().resize(W, H, { kernel: 'cubic' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    const stored = patchMeans(data, W);
    expect(maxDiff(stored, PATCHES), `written ${JSON.stringify(stored)} vs ${JSON.stringify(PATCHES)}`).toBeLessThanOrEqual(6);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Orientation

interface Picture {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Turns a picture a quarter turn anticlockwise: its top-right corner becomes the top-left. */
function quarterTurnAnticlockwise(p: Picture): Picture {
  const out = new Uint8Array(p.data.length);
  for (let y = 0; y < p.width; y++) {
    for (let x = 0; x < p.height; x++) {
      const from = (x * p.width + (p.width - 1 - y)) * 3;
      out.set(p.data.subarray(from, from + 3), (y * p.height + x) * 3);
    }
  }
  return { data: out, width: p.height, height: p.width };
}

/** Mirrors a picture: mode 0 exchanges top and bottom, mode 1 left and right (ISO/IEC 23008-12:2022 `imir`). */
function mirror(p: Picture, mode: 0 | 1): Picture {
  const out = new Uint8Array(p.data.length);
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      const from = mode === 0 ? ((p.height - 1 - y) * p.width + x) * 3 : (y * p.width + (p.width - 1 - x)) * 3;
      out.set(p.data.subarray(from, from + 3), (y * p.width + x) * 3);
    }
  }
  return { data: out, width: p.width, height: p.height };
}

/** The orientation tests' source: smooth gradients with a hard-edged block top left, unlike itself when turned. */
let upright: Picture;
/** Its HEIC, stored as it is (no irot, imir or EXIF Orientation). */
let uprightHeic: string;

/** The source as HEIF displays it with `irot` quarter turns anticlockwise, then `imir`. */
function transformed(irot: number, imir?: 0 | 1): Picture {
  let p = upright;
  for (let k = 0; k < irot; k++) p = quarterTurnAnticlockwise(p);
  return imir === undefined ? p : mirror(p, imir);
}

describe('HEIC orientation (irot, imir)', () => {
  beforeAll(async () => {
    const file = path.join(dir, 'gradient.png');
    await sharp(gradient(W, H), { raw: { width: W, height: H, channels: 3 } }).png().toFile(file);
    upright = { data: new Uint8Array((await sharp(file).raw().toBuffer()).buffer.slice(0)), width: W, height: H };
    uprightHeic = path.join(dir, 'gradient.heic');
    heifEnc(file, uprightHeic);
  });

  const cases: { irot: number; imir?: 0 | 1 }[] = [{ irot: 1 }, { irot: 2 }, { irot: 3 }, { irot: 0, imir: 0 }, { irot: 0, imir: 1 }, { irot: 1, imir: 1 }];
  for (const { irot, imir } of cases) {
    it(`irot ${irot}${imir === undefined ? '' : `, imir ${imir}`}: decoded turned ${irot * 90}° anticlockwise${imir === undefined ? '' : ' then mirrored'}, upright size from probeImage`, async () => {
      const file = await withProperties(uprightHeic, `irot${irot}-imir${imir ?? 'none'}.heic`, { irot, ...(imir === undefined ? {} : { imir }) });
      const expected = transformed(irot, imir);
      const img = await decodeImage(file);
      expect([img.width, img.height]).toEqual([expected.width, expected.height]);
      expect(psnr(img.rgb.data, expected.data)).toBeGreaterThanOrEqual(30);
      // Every other way the same-shaped picture could have come out is far off (rotation direction, mirror axis).
      const others = [0, 1, 2, 3].flatMap((r) => [undefined, 0, 1].map((m) => transformed(r, m as 0 | 1 | undefined)));
      for (const other of others) {
        if (other.width !== expected.width || Buffer.compare(Buffer.from(other.data), Buffer.from(expected.data)) === 0) continue;
        expect(psnr(img.rgb.data, other.data)).toBeLessThan(20);
      }
      expect(img.source.orientation).toBe(1);
      const probe = await probeImage(file);
      expect([probe.width, probe.height]).toEqual([expected.width, expected.height]);
    });
  }

  it('applies irot alone when the HEIC also has an EXIF Orientation (6), and probeImage ignores the EXIF tag', async () => {
    const exif6 = path.join(dir, 'exif6.heic');
    await writeFile(exif6, await readFile(uprightHeic));
    exiftool(['-q', '-overwrite_original', '-IFD0:Orientation#=6', exif6]);
    expect(JSON.parse(exiftool(['-j', '-n', '-Orientation', exif6]))[0]).toMatchObject({ Orientation: 6 });
    const noIrot = await decodeImage(exif6);
    expect([noIrot.width, noIrot.height]).toEqual([W, H]);
    expect(psnr(noIrot.rgb.data, upright.data)).toBeGreaterThanOrEqual(30);
    expect(noIrot.source.hasExif).toBe(true);
    expect(await probeImage(exif6)).toMatchObject({ width: W, height: H });

    const withIrot = await withProperties(exif6, 'exif6-irot1.heic', { irot: 1 });
    const turned = await decodeImage(withIrot);
    expect([turned.width, turned.height]).toEqual([H, W]);
    expect(psnr(turned.rgb.data, transformed(1).data)).toBeGreaterThanOrEqual(30);
    expect(await probeImage(withIrot)).toMatchObject({ width: H, height: W });
  });
});
