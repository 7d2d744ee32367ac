/**
 * decodeImage (imaging/read.ts) in the detail the mutation group `imaging-read` asks for: exact one-line messages
 * and error codes, every field of `source`, the warnings word for word, 16-bit sources kept or reduced, alpha split
 * at both depths, and HEIC through libheif (fixtures made here with sharp and Debian's heif-enc). Expected values
 * come from how each file was made (known sample values, sizes, page counts), not from the code under test.
 */
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageError } from '../../../src-main/imaging/errors';
import { decodeImage, splitAlpha, splitAlpha16 } from '../../../src-main/imaging/read';
import { ADOBE_RGB_ICC } from '../../fixtures/metadata-photos';

let dir: string;
const file = (name: string): string => path.join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'revive-read-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The ImageError `promise` rejects with (fails the test when it resolves or rejects with something else). */
async function imageError(promise: Promise<unknown>): Promise<ImageError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImageError);
  return err as ImageError;
}

/** Samples that differ from their neighbours (a flat image would hide cut or shifted data). */
function noise(width: number, height: number): Buffer {
  const out = Buffer.alloc(width * height * 3);
  for (let i = 0; i < out.length; i++) out[i] = (i * 7919) % 251;
  return out;
}

/** CRC-32 (ISO 3309, as PNG chunks use it), written out here so the 16-bit fixtures depend on no image library. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

/**
 * A 16-bit RGB (colour type 2) or RGBA (6) PNG of `width`×1 pixels holding exactly `samples`, built by hand (PNG
 * spec: big-endian samples, filter byte 0, one zlib stream), optionally with an iCCP profile.
 */
async function png16(name: string, samples: number[], channels: 3 | 4, icc?: Buffer): Promise<string> {
  const width = samples.length / channels;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr.set([16, channels === 4 ? 6 : 2, 0, 0, 0], 8);
  const row = Buffer.alloc(1 + samples.length * 2);
  samples.forEach((v, i) => row.writeUInt16BE(v, 1 + i * 2));
  const parts = [Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr)];
  if (icc) parts.push(chunk('iCCP', Buffer.concat([Buffer.from('icc\0\0', 'latin1'), deflateSync(icc)])));
  parts.push(chunk('IDAT', deflateSync(row)), chunk('IEND', Buffer.alloc(0)));
  const out = file(name);
  await writeFile(out, Buffer.concat(parts));
  return out;
}

describe('decodeImage — refusals, each with its exact line', () => {
  it('refuses a maxPixels that is not positive before touching the file', async () => {
    for (const bad of [0, -1, Number.NaN]) {
      await expect(decodeImage(file('none.png'), { maxPixels: bad })).rejects.toThrow(new RangeError(`maxPixels must be positive, got ${bad}`));
    }
  });

  it('NOT_FOUND says "no such file" for a missing path and for a path through a file', async () => {
    const missing = file('missing.jpg');
    const e1 = await imageError(decodeImage(missing));
    expect([e1.code, e1.message]).toEqual(['NOT_FOUND', `${missing}: no such file`]);
    expect((e1.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    const plain = file('plain.txt');
    await writeFile(plain, 'x');
    const through = path.join(plain, 'child.jpg'); // ENOTDIR
    const e2 = await imageError(decodeImage(through));
    expect([e2.code, e2.message]).toEqual(['NOT_FOUND', `${through}: no such file`]);
    expect((e2.cause as NodeJS.ErrnoException).code).toBe('ENOTDIR');
  });

  it('NOT_FOUND names a folder as not a file', async () => {
    const folder = file('folder.jpg');
    await mkdir(folder);
    const e = await imageError(decodeImage(folder));
    expect([e.code, e.message]).toEqual(['NOT_FOUND', `${folder}: not a file (it is a folder or a device)`]);
  });

  it('NOT_FOUND with the system code for a path that cannot be examined (a name too long)', async () => {
    const long = file(`${'a'.repeat(300)}.jpg`);
    const e = await imageError(decodeImage(long));
    expect([e.code, e.message]).toEqual(['NOT_FOUND', `${long}: cannot be read (ENAMETOOLONG)`]);
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ENAMETOOLONG');
  });

  it('NOT_AN_IMAGE for text, UNSUPPORTED_FORMAT naming BMP with the formats that are read', async () => {
    const text = file('notes.jpg');
    await writeFile(text, 'hello, this is plain text and not a photograph\n');
    const e1 = await imageError(decodeImage(text));
    expect(e1.code).toBe('NOT_AN_IMAGE');
    expect(e1.message).toBe(`${text}: not an image — its first bytes match no known image format`);
    const bmp = file('scan.jpg');
    const header = Buffer.alloc(58);
    header.write('BM', 0, 'latin1');
    header.writeUInt32LE(58, 2);
    header.writeUInt32LE(54, 10);
    header.writeUInt32LE(40, 14);
    header.writeInt32LE(1, 18);
    header.writeInt32LE(1, 22);
    header.writeUInt16LE(1, 26);
    header.writeUInt16LE(24, 28);
    await writeFile(bmp, header);
    const e2 = await imageError(decodeImage(bmp));
    expect([e2.code, e2.message]).toEqual([
      'UNSUPPORTED_FORMAT',
      `${bmp}: BMP images are not supported (use JPEG, PNG, WebP, TIFF, GIF, AVIF or HEIC)`,
    ]);
  });

  it('CORRUPT "damaged PNG header" without sharp\'s Vips prefix for a PNG cut inside its header', async () => {
    const whole = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } }).png().toBuffer();
    const cut = file('cut-header.png');
    await writeFile(cut, whole.subarray(0, 20)); // signature + part of IHDR
    const e = await imageError(decodeImage(cut));
    expect(e.code).toBe('CORRUPT');
    expect(e.message.startsWith(`${cut}: damaged PNG header — `)).toBe(true);
    expect(e.message).not.toMatch(/Vips\w*:/);
    expect(e.message).not.toContain('\n');
    expect(e.cause).toBeInstanceOf(Error);
  });

  it('CORRUPT "cannot decode the PNG data" for a PNG whose pixel data is cut short', async () => {
    const noisy = Buffer.alloc(64 * 64 * 3);
    for (let i = 0; i < noisy.length; i++) noisy[i] = (i * 7919) % 251;
    const whole = await sharp(noisy, { raw: { width: 64, height: 64, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    const cut = file('cut-data.png');
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const e = await imageError(decodeImage(cut));
    expect(e.code).toBe('CORRUPT');
    // libpng's own prefix is lower case ("vipspng"), not the "Vips…:" one stripped.
    expect(e.message).toBe(`${cut}: cannot decode the PNG data — vipspng: libpng read error`);
    expect(e.cause).toBeInstanceOf(Error);
  });

  it('CORRUPT for a JPEG cut inside its scan, with libjpeg\'s first line and no "VipsJpeg:" prefix', async () => {
    const whole = await sharp(noise(64, 64), { raw: { width: 64, height: 64, channels: 3 } }).jpeg().toBuffer();
    const cut = file('cut-scan.jpg');
    await writeFile(cut, whole.subarray(0, whole.length - 600));
    const e = await imageError(decodeImage(cut));
    expect([e.code, e.message]).toEqual(['CORRUPT', `${cut}: cannot decode the JPEG data — premature end of JPEG image`]);
    expect(e.cause).toBeInstanceOf(Error);
    expect((e.cause as Error).message).toMatch(/^VipsJpeg: premature end of JPEG image/);
  });

  it('keeps a "VipsJpeg:" that is not at the start of the line (a JPEG cut before its frame header)', async () => {
    const whole = await sharp(noise(16, 16), { raw: { width: 16, height: 16, channels: 3 } }).jpeg().toBuffer();
    const cut = file('cut-before-sof.jpg');
    await writeFile(cut, whole.subarray(0, 30));
    const e = await imageError(decodeImage(cut));
    expect([e.code, e.message]).toEqual(['CORRUPT', `${cut}: damaged JPEG header — Input file has corrupt header: VipsJpeg: premature end of JPEG image`]);
  });

  it('decodes a JPEG whose only fault is a harmless libjpeg warning (stray bytes before a marker) to its pixels', async () => {
    const clean = await sharp(noise(16, 16), { raw: { width: 16, height: 16, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
    // Three stray bytes after the APP0 segment: libjpeg warns "3 extraneous bytes before marker" and decodes on.
    const at = 4 + clean.readUInt16BE(4);
    const stray = file('stray.jpg');
    await writeFile(stray, Buffer.concat([clean.subarray(0, at), Buffer.from([1, 2, 3]), clean.subarray(at)]));
    await expect(sharp(stray, { failOn: 'warning' }).raw().toBuffer()).rejects.toThrow(/extraneous bytes before marker/);
    const img = await decodeImage(stray);
    expect(img.warnings).toEqual([]);
    expect(Buffer.from(img.rgb.data)).toEqual(await sharp(clean).raw().toBuffer());
  });

  it('closes the file it sniffs: decoding a text file 50 times leaves the count of open descriptors as it was', async () => {
    const text = file('sniffed.jpg');
    await writeFile(text, 'not an image at all\n');
    const before = readdirSync('/proc/self/fd').length;
    for (let i = 0; i < 50; i++) await imageError(decodeImage(text));
    expect(readdirSync('/proc/self/fd').length).toBe(before);
  });

  it('TOO_LARGE when the pixels exceed the limit by one, and decodes at exactly the limit', async () => {
    const p = file('six.png');
    await sharp({ create: { width: 3, height: 2, channels: 3, background: '#102030' } }).png().toFile(p);
    const e = await imageError(decodeImage(p, { maxPixels: 5 }));
    expect([e.code, e.message]).toEqual([
      'TOO_LARGE',
      `${p}: 3×2 (0.0 MP) exceeds the limit of 0.0 MP (a guard against damaged or hostile files; raise it with --max-megapixels or the queue.maxInputMegapixels setting)`,
    ]);
    const ok = await decodeImage(p, { maxPixels: 6 });
    expect([ok.width, ok.height]).toEqual([3, 2]);
  });
});

describe('decodeImage — what the source was', () => {
  it('an 8-bit sRGB PNG: exact samples and every source field', async () => {
    const p = file('rgb8.png');
    const samples = [10, 20, 30, 200, 150, 100];
    await sharp(Buffer.from(samples), { raw: { width: 2, height: 1, channels: 3 } }).png().toFile(p);
    const img = await decodeImage(p);
    expect(Array.from(img.rgb.data)).toEqual(samples);
    expect(img.rgb.data).toBeInstanceOf(Uint8Array);
    expect(img.alpha).toBeNull();
    expect(img.warnings).toEqual([]);
    expect([img.format, img.width, img.height, img.rgb.width, img.rgb.height, img.rgb.channels]).toEqual(['png', 2, 1, 2, 1, 3]);
    expect(img.source).toEqual({
      path: p,
      format: 'png',
      storedWidth: 2,
      storedHeight: 1,
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

  it('a JPEG with EXIF orientation 6 and an ICC profile: stored size, orientation, exif and profile', async () => {
    const p = file('tagged.jpg');
    await sharp({ create: { width: 8, height: 4, channels: 3, background: '#808080' } })
      .withMetadata({ orientation: 6 })
      .withIccProfile(ADOBE_RGB_ICC)
      .jpeg({ quality: 95 })
      .toFile(p);
    const img = await decodeImage(p);
    expect([img.width, img.height]).toEqual([4, 8]);
    expect(img.source.storedWidth).toBe(8);
    expect(img.source.storedHeight).toBe(4);
    expect(img.source.orientation).toBe(6);
    expect(img.source.hasExif).toBe(true);
    expect(img.source.hasIcc).toBe(true);
    expect(img.source.icc).toBeInstanceOf(Buffer);
    // The profile handed on is the file's own: ICC profiles name their colour space at bytes 16–19.
    expect(img.source.icc!.subarray(16, 20).toString('latin1')).toBe('RGB ');
    expect(img.source.space).toBe('srgb');
  });

  it('a WebP, whose header gives no bits per sample: no storedBits key at all', async () => {
    const p = file('lossless.webp');
    await sharp(Buffer.from([9, 8, 7, 6, 5, 4]), { raw: { width: 2, height: 1, channels: 3 } }).webp({ lossless: true }).toFile(p);
    const img = await decodeImage(p);
    expect(Array.from(img.rgb.data)).toEqual([9, 8, 7, 6, 5, 4]);
    expect(img.source.format).toBe('webp');
    expect(Object.keys(img.source)).not.toContain('storedBits');
    expect(Object.keys(img.source)).not.toContain('icc');
  });

  it('RGBA: alpha split off exactly, hasAlpha true', async () => {
    const p = file('rgba.png');
    await sharp(Buffer.from([1, 2, 3, 40, 5, 6, 7, 255]), { raw: { width: 2, height: 1, channels: 4 } }).png().toFile(p);
    const img = await decodeImage(p);
    expect(Array.from(img.rgb.data)).toEqual([1, 2, 3, 5, 6, 7]);
    expect(Array.from(img.alpha!)).toEqual([40, 255]);
    expect(img.source.hasAlpha).toBe(true);
  });

  it('a multi-page TIFF and an animated GIF warn that only the first page or frame was enhanced', async () => {
    const tif = file('pages.tif');
    const frames = Buffer.alloc(2 * 6 * 3, 128);
    await sharp(frames, { raw: { width: 2, height: 6, channels: 3, pageHeight: 2 } }).tiff().toFile(tif);
    const t = await decodeImage(tif);
    expect(t.source.pages).toBe(3);
    expect(t.warnings).toEqual([`${tif}: has 3 pages (multi-page TIFF); only the first was enhanced`]);
    expect([t.width, t.height]).toEqual([2, 2]);

    const gif = file('anim.gif');
    const red = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#ff0000' } }).png().toBuffer();
    const green = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#00ff00' } }).png().toBuffer();
    await sharp([red, green], { join: { animated: true } }).gif().toFile(gif);
    const g = await decodeImage(gif);
    expect(g.source.pages).toBe(2);
    expect(g.warnings).toEqual([`${gif}: has 2 frames (animated GIF); only the first was enhanced`]);
    expect(Array.from(g.rgb.data.subarray(0, 3))).toEqual([255, 0, 0]);
  });

  it('a CMYK JPEG warns how it was converted, with and without an embedded profile', async () => {
    const plain = file('cmyk.jpg');
    await sharp({ create: { width: 2, height: 2, channels: 3, background: '#336699' } }).toColourspace('cmyk').jpeg().toFile(plain);
    const img = await decodeImage(plain);
    expect(img.source.space).toBe('cmyk');
    expect(img.warnings).toEqual([`${plain}: CMYK image converted to RGB with a generic CMYK profile (it has none); the result is RGB`]);
    expect(img.rgb.data.length).toBe(2 * 2 * 3);

    // Embeds libvips' own CMYK profile (any CMYK profile does): sharp writes the one it converted with.
    const tagged = file('cmyk-icc.jpg');
    await sharp({ create: { width: 2, height: 2, channels: 3, background: '#336699' } }).toColourspace('cmyk').withIccProfile('cmyk').jpeg().toFile(tagged);
    const withIcc = await decodeImage(tagged);
    expect(withIcc.source.hasIcc).toBe(true);
    expect(withIcc.warnings).toEqual([`${tagged}: CMYK image converted to RGB with its embedded profile; the result is RGB`]);
  });
});

describe('decodeImage — 16-bit sources', () => {
  const samples = [0, 257, 65535, 1000, 30000, 65280];
  const alpha = [4112, 65535];

  it('keepDepth hands 16-bit RGB over unchanged, bitDepth 16, no warning', async () => {
    const p = await png16('rgb16.png', samples, 3);
    const img = await decodeImage(p, { keepDepth: true });
    expect(img.rgb.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(img.rgb.data)).toEqual(samples);
    expect(img.alpha).toBeNull();
    expect(img.warnings).toEqual([]);
    expect(img.source.bitDepth).toBe(16);
    expect(img.source.storedBits).toBe(16);
    expect(img.source.space).toBe('rgb16');
  });

  it('keepDepth hands 16-bit RGBA over with a 16-bit alpha plane', async () => {
    const rgba = [samples[0]!, samples[1]!, samples[2]!, alpha[0]!, samples[3]!, samples[4]!, samples[5]!, alpha[1]!];
    const p = await png16('rgba16.png', rgba, 4);
    const img = await decodeImage(p, { keepDepth: true });
    expect(Array.from(img.rgb.data)).toEqual(samples);
    expect(img.alpha).toBeInstanceOf(Uint16Array);
    expect(Array.from(img.alpha!)).toEqual(alpha);
  });

  it('without keepDepth: 8-bit samples (v >> 8 within rounding), bitDepth 16 recorded, and a warning', async () => {
    const p = await png16('rgb16-8.png', samples, 3);
    const img = await decodeImage(p);
    expect(img.rgb.data).toBeInstanceOf(Uint8Array);
    const got = Array.from(img.rgb.data);
    samples.forEach((v, i) => expect(Math.abs(got[i]! - v / 257)).toBeLessThanOrEqual(1));
    expect(img.source.bitDepth).toBe(16);
    expect(img.warnings).toEqual([`${p}: 16-bit image reduced to 8 bits for this model`]);
  });

  it('a 16-bit Adobe RGB RGBA PNG decodes (via Display P3) to sRGB: 8-bit alpha without keepDepth, 16-bit with', async () => {
    const p = await png16('adobe16.png', [65535, 0, 0, 32768, 0, 65535, 0, 65535], 4, await readFile(ADOBE_RGB_ICC));
    const eight = await decodeImage(p);
    expect(eight.rgb.data).toBeInstanceOf(Uint8Array);
    expect(eight.alpha).toBeInstanceOf(Uint8Array);
    expect(Array.from(eight.alpha!)).toEqual([128, 255]);
    // Adobe RGB shares sRGB's red primary, so its pure red is sRGB (255, 0, 0); left in Display P3 (sharp's 16-bit
    // target) it would read about (234, 51, 35). Its green lies outside sRGB and comes out near full green. Slack of
    // 25 codes on the red's G and B: ghostscript's a98.icc is a LUT profile whose round trip through P3 lands on
    // about (255, 17, 8), still well clear of the P3 reading.
    const px = Array.from(eight.rgb.data);
    expect(px[0]).toBeGreaterThanOrEqual(250);
    expect(Math.max(px[1]!, px[2]!)).toBeLessThanOrEqual(25);
    expect(px[4]).toBeGreaterThanOrEqual(245);
    expect(Math.max(px[3]!, px[5]!)).toBeLessThanOrEqual(5);
    const sixteen = await decodeImage(p, { keepDepth: true });
    expect(sixteen.rgb.data).toBeInstanceOf(Uint16Array);
    expect(sixteen.rgb.data[0]).toBeGreaterThanOrEqual(250 * 257);
    expect(Math.max(sixteen.rgb.data[1]!, sixteen.rgb.data[2]!)).toBeLessThanOrEqual(25 * 257);
    expect(sixteen.warnings).toEqual([]);
    expect(eight.warnings).toEqual([`${p}: 16-bit image reduced to 8 bits for this model`]);
    expect(Array.from(sixteen.alpha!)).toEqual([32768, 65535]);
  });
});

describe('splitAlpha and splitAlpha16', () => {
  it('split interleaved RGBA exactly at both depths', () => {
    const rgba = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(splitAlpha(new Uint8Array(rgba), 2, 1)).toEqual({ rgb: new Uint8Array([1, 2, 3, 5, 6, 7]), alpha: new Uint8Array([4, 8]) });
    const deep = [1000, 2000, 3000, 4000, 50000, 60000, 65535, 1];
    expect(splitAlpha16(new Uint16Array(deep), 1, 2)).toEqual({
      rgb: new Uint16Array([1000, 2000, 3000, 50000, 60000, 65535]),
      alpha: new Uint16Array([4000, 1]),
    });
  });

  it('refuse a buffer of the wrong length, naming both counts', () => {
    expect(() => splitAlpha(new Uint8Array(7), 2, 1)).toThrow(new RangeError('RGBA buffer has 7 bytes, expected 8 for 2×1'));
    expect(() => splitAlpha16(new Uint16Array(9), 1, 2)).toThrow(new RangeError('RGBA buffer has 9 samples, expected 8 for 1×2'));
  });
});
