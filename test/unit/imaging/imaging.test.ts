import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import exifr from 'exifr';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atomicLeftovers } from '../../../src-main/imaging/atomic';
import { ImageError } from '../../../src-main/imaging/errors';
import { sniffFormat } from '../../../src-main/imaging/formats';
import { decodeImage } from '../../../src-main/imaging/read';
import {
  atomicTempPath,
  checkOutputSize,
  encodeImage,
  resizePlane,
  resizeTo,
  writeAtomic,
} from '../../../src-main/imaging/write';
import type { PixelBuffer } from '../../../src-main/pixels/types';

const SAMPLE = path.resolve(import.meta.dirname, '../../../resources/sample/fallen-leaf.jpg');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'revive-imaging-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const file = (name: string): string => path.join(dir, name);

/** Expects `promise` to reject with an ImageError of `code` whose message matches `pattern`. */
async function expectImageError(promise: Promise<unknown>, code: string, pattern?: RegExp): Promise<ImageError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImageError);
  const ie = err as ImageError;
  expect(ie.code).toBe(code);
  if (pattern) expect(ie.message).toMatch(pattern);
  return ie;
}

/** A w×h RGB image whose every sample differs from its neighbours, so permutations are detectable. */
function pattern(width: number, height: number): PixelBuffer {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 37 + y * 11) % 256;
      data[i + 1] = (x * 5 + y * 53) % 256;
      data[i + 2] = (x * 97 + y * 29 + 7) % 256;
    }
  }
  return { data, width, height, channels: 3 };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('decodeImage — good files', () => {
  it('decodes a JPEG into upright 8-bit RGB with no alpha', async () => {
    const img = await decodeImage(SAMPLE);
    expect([img.width, img.height, img.format]).toEqual([320, 240, 'jpeg']);
    expect(img.rgb.channels).toBe(3);
    expect(img.rgb.data).toBeInstanceOf(Uint8Array);
    expect(img.rgb.data.length).toBe(320 * 240 * 3);
    expect(img.alpha).toBeNull();
    expect(img.source).toMatchObject({ orientation: 1, bitDepth: 8, hasExif: true, hasAlpha: false });
  });

  it('applies the EXIF orientation (6: stored sideways, shown rotated 90° clockwise)', async () => {
    const stored = pattern(24, 16);
    await sharp(stored.data, { raw: { width: 24, height: 16, channels: 3 } })
      .png()
      .withMetadata({ orientation: 6 })
      .toFile(file('sideways.png'));
    const img = await decodeImage(file('sideways.png'));
    expect(img.source.orientation).toBe(6);
    expect([img.width, img.height]).toEqual([16, 24]);
    // Independent rotation: displayed (x', y') = stored (x = y', y = H - 1 - x').
    const expected = new Uint8Array(stored.data.length);
    for (let yd = 0; yd < 24; yd++) {
      for (let xd = 0; xd < 16; xd++) {
        const s = ((16 - 1 - xd) * 24 + yd) * 3;
        const d = (yd * 16 + xd) * 3;
        expected.set(stored.data.subarray(s, s + 3), d);
      }
    }
    expect(maxAbsDiff(img.rgb.data, expected)).toBe(0);
  });

  it('splits the alpha channel off exactly', async () => {
    const w = 16;
    const h = 8;
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([i % 256, (i * 3) % 256, 200, (i * 17) % 256], i * 4);
    await sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).png().toFile(file('alpha.png'));
    const img = await decodeImage(file('alpha.png'));
    expect(img.alpha).not.toBeNull();
    for (let i = 0; i < w * h; i++) {
      expect(img.alpha![i]).toBe(rgba[i * 4 + 3]);
      expect([...img.rgb.data.subarray(i * 3, i * 3 + 3)]).toEqual([...rgba.subarray(i * 4, i * 4 + 3)]);
    }
  });

  it('turns greyscale into RGB and reduces 16-bit sources to 8 bits for now', async () => {
    const grey = new Uint16Array(4 * 2).fill(0x8080);
    await sharp(grey, { raw: { width: 4, height: 2, channels: 1 } }).toColourspace('grey16').png().toFile(file('grey16.png'));
    const img = await decodeImage(file('grey16.png'));
    expect(img.source.bitDepth).toBe(16);
    expect(img.rgb.channels).toBe(3);
    expect(img.rgb.data).toBeInstanceOf(Uint8Array);
    expect([...img.rgb.data.subarray(0, 3)]).toEqual([128, 128, 128]);
  });
});

describe('decodeImage — bad files get a code and a one-line reason', () => {
  it('NOT_FOUND for a missing file and for a folder', async () => {
    await expectImageError(decodeImage(file('nope.jpg')), 'NOT_FOUND', /no such file/);
    await mkdir(file('folder.jpg'), { recursive: true });
    await expectImageError(decodeImage(file('folder.jpg')), 'NOT_FOUND', /not a file/);
  });

  it('NOT_AN_IMAGE for a 0-byte file', async () => {
    await writeFile(file('empty.jpg'), '');
    await expectImageError(decodeImage(file('empty.jpg')), 'NOT_AN_IMAGE', /empty \(0 bytes\)/);
  });

  it('NOT_AN_IMAGE for an HTML page named .jpg', async () => {
    await writeFile(file('page.jpg'), '<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body></body></html>\n');
    await expectImageError(decodeImage(file('page.jpg')), 'NOT_AN_IMAGE', /HTML page/);
  });

  it('UNSUPPORTED_FORMAT naming BMP for a bitmap (even named .jpg)', async () => {
    // 2×2 24-bit BMP: 14-byte file header, 40-byte info header, rows padded to 4 bytes.
    const bmp = Buffer.alloc(54 + 2 * 8);
    bmp.write('BM', 0, 'ascii');
    bmp.writeUInt32LE(bmp.length, 2);
    bmp.writeUInt32LE(54, 10);
    bmp.writeUInt32LE(40, 14);
    bmp.writeInt32LE(2, 18);
    bmp.writeInt32LE(2, 22);
    bmp.writeUInt16LE(1, 26);
    bmp.writeUInt16LE(24, 28);
    await writeFile(file('scan.bmp'), bmp);
    await writeFile(file('scan-really-bmp.jpg'), bmp);
    await expectImageError(decodeImage(file('scan.bmp')), 'UNSUPPORTED_FORMAT', /BMP images are not supported/);
    await expectImageError(decodeImage(file('scan-really-bmp.jpg')), 'UNSUPPORTED_FORMAT', /BMP/);
  });

  it('CORRUPT for a truncated JPEG', async () => {
    const full = await readFile(SAMPLE);
    await writeFile(file('truncated.jpg'), full.subarray(0, Math.floor(full.length * 0.6)));
    await expectImageError(decodeImage(file('truncated.jpg')), 'CORRUPT', /truncated\.jpg: cannot decode the JPEG data/);
  });

  it('TOO_LARGE from the header of a PNG claiming 50000×50000, before any decoding', async () => {
    const png = Buffer.from(await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } }).png().toBuffer());
    // IHDR width/height at bytes 16–23. The CRC no longer matches, so decoding would fail as CORRUPT: TOO_LARGE
    // proves the limit was checked first, from the header alone.
    png.writeUInt32BE(50000, 16);
    png.writeUInt32BE(50000, 20);
    await writeFile(file('bomb.png'), png);
    await expectImageError(decodeImage(file('bomb.png')), 'TOO_LARGE', /50000×50000 \(2500\.0 MP\) exceeds the limit of 200\.0 MP/);
  });

  it('TOO_LARGE for a real image above a caller-given limit', async () => {
    await expectImageError(decodeImage(SAMPLE, { maxPixels: 320 * 240 - 1 }), 'TOO_LARGE', /320×240/);
    await expect(decodeImage(SAMPLE, { maxPixels: 320 * 240 })).resolves.toMatchObject({ width: 320 });
  });
});

describe('sniffFormat', () => {
  const bytes = (...parts: (string | number[])[]): Uint8Array =>
    Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

  it('recognises the readable formats by their signatures', () => {
    expect(sniffFormat(bytes([0xff, 0xd8, 0xff, 0xe0]))).toEqual({ kind: 'supported', format: 'jpeg' });
    expect(sniffFormat(bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '))).toEqual({ kind: 'supported', format: 'webp' });
    expect(sniffFormat(bytes('II*', [0]))).toEqual({ kind: 'supported', format: 'tiff' });
    expect(sniffFormat(bytes('GIF89a'))).toEqual({ kind: 'supported', format: 'gif' });
    expect(sniffFormat(bytes([0, 0, 0, 0x1c], 'ftypavif', [0, 0, 0, 0], 'avifmif1miaf'))).toEqual({ kind: 'supported', format: 'avif' });
  });

  it('names formats it cannot read', () => {
    expect(sniffFormat(bytes([0, 0, 0, 0x18], 'ftypheic', [0, 0, 0, 0], 'mif1heic'))).toEqual({ kind: 'supported', format: 'heic' });
    expect(sniffFormat(bytes('8BPS', [0, 1]))).toEqual({ kind: 'unsupported', format: 'PSD (Photoshop)' });
    expect(sniffFormat(bytes('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'))).toEqual({
      kind: 'unsupported',
      format: 'SVG (vector graphics)',
    });
  });

  it('does not take text that starts with "BM" for a bitmap', () => {
    expect(sniffFormat(bytes('BMW service history, 1998 to 2004'))).toEqual({ kind: 'unknown' });
  });
});

describe('encodeImage', () => {
  const img = pattern(40, 30);

  it('PNG is lossless', async () => {
    const png = await encodeImage(img, null, { format: 'png' });
    const back = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect(back.info).toMatchObject({ width: 40, height: 30, channels: 3 });
    expect(maxAbsDiff(back.data, img.data)).toBe(0);
  });

  it('JPEG keeps full-resolution chroma (4:4:4) from quality 90, subsamples below', async () => {
    const hi = await sharp(await encodeImage(img, null, { format: 'jpg', quality: 90 })).metadata();
    const lo = await sharp(await encodeImage(img, null, { format: 'jpg', quality: 89 })).metadata();
    expect(hi.chromaSubsampling).toBe('4:4:4');
    expect(lo.chromaSubsampling).toBe('4:2:0');
  });

  it('writes each output format as itself', async () => {
    for (const [format, name] of [['jpg', 'jpeg'], ['png', 'png'], ['webp', 'webp'], ['tiff', 'tiff'], ['avif', 'heif']] as const) {
      const meta = await sharp(await encodeImage(img, null, { format })).metadata();
      expect([format, meta.format, meta.width, meta.height]).toEqual([format, name, 40, 30]);
    }
  });

  it('keeps alpha in PNG and WebP (lossless) and flattens it onto white for JPEG', async () => {
    const alpha = new Uint8Array(40 * 30);
    for (let i = 0; i < alpha.length; i++) alpha[i] = i % 2 ? 255 : 0;
    const png = await sharp(await encodeImage(img, alpha, { format: 'png' })).raw().toBuffer({ resolveWithObject: true });
    expect(png.info.channels).toBe(4);
    for (let i = 0; i < alpha.length; i++) expect(png.data[i * 4 + 3]).toBe(alpha[i]);

    const clear = new Uint8Array(40 * 30); // fully transparent
    const jpg = await sharp(await encodeImage(img, clear, { format: 'jpg', quality: 95 })).raw().toBuffer({ resolveWithObject: true });
    expect(jpg.info.channels).toBe(3);
    expect(Math.min(...jpg.data)).toBeGreaterThanOrEqual(252); // white, within JPEG rounding
  });

  it('carries EXIF and GPS over from the original, writes orientation 1 and an sRGB profile, and keeps the pixels', async () => {
    const src = await decodeImage(SAMPLE);
    const png = await encodeImage(src.rgb, null, { format: 'png', keepMetadataFrom: SAMPLE });
    const exif = await exifr.parse(png, { gps: true, tiff: true, exif: true });
    expect(exif).toMatchObject({ Make: 'Canon', Model: 'Canon EOS 70D' });
    expect(exif.latitude).toBeCloseTo(49.1951, 4);
    expect(exif.longitude).toBeCloseTo(16.6068, 4);
    expect((exif.DateTimeOriginal as Date).toISOString().slice(0, 10)).toBe('2015-10-29');
    const meta = await sharp(png).metadata();
    expect(meta.orientation ?? 1).toBe(1);
    expect(meta.icc).toBeDefined();
    const back = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect(back.info.channels).toBe(3);
    expect(maxAbsDiff(back.data, src.rgb.data)).toBe(0);
  });

  it('writes upright pixels with orientation 1 for a sideways original', async () => {
    const stored = pattern(24, 16);
    await sharp(stored.data, { raw: { width: 24, height: 16, channels: 3 } })
      .jpeg({ quality: 95 })
      .withExif({ IFD0: { Make: 'Kodak' } })
      .withMetadata({ orientation: 6 })
      .toFile(file('sideways.jpg'));
    const src = await decodeImage(file('sideways.jpg'));
    const out = await encodeImage(src.rgb, null, { format: 'jpg', keepMetadataFrom: file('sideways.jpg') });
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height, meta.orientation ?? 1]).toEqual([16, 24, 1]);
    expect((await exifr.parse(out)).Make).toBe('Kodak');
  });

  it('refuses sizes the format cannot store before encoding', () => {
    expect(() => checkOutputSize('webp', 16384, 10)).toThrow(ImageError);
    expect(() => checkOutputSize('webp', 16383, 16383)).not.toThrow();
    expect(() => checkOutputSize('jpg', 10, 65536)).toThrow(/JPG stores at most 65535 pixels per side/);
    expect(() => checkOutputSize('avif', 16385, 1)).toThrow(/16384/);
    expect(() => checkOutputSize('webp', 20000, 15000)).toThrow(expect.objectContaining({ code: 'OUTPUT_TOO_LARGE', message: expect.stringMatching(/20000×15000/) }));
  });

  it('rejects mismatched buffers and quality out of range with the values named', async () => {
    await expect(encodeImage({ ...img, width: 41 }, null, { format: 'png' })).rejects.toThrow(/3600 bytes, expected 3690/);
    await expect(encodeImage(img, new Uint8Array(5), { format: 'png' })).rejects.toThrow(/alpha plane has 5 samples, expected 1200/);
    await expect(encodeImage(img, null, { format: 'jpg', quality: 0 })).rejects.toThrow(/quality must be an integer from 1 to 100, got 0/);
  });
});

describe('resizeTo / resizePlane', () => {
  it('keeps a linear ramp linear when halving (Lanczos-3 reproduces linear functions away from the borders)', async () => {
    // Horizontal ramp v(x) = 2x + 40 on 64×8, halved to 32×4. Output pixel j covers input centre 2j + 0.5, so its
    // independent expected value is 2(2j + 0.5) + 40 = 4j + 41. Tolerance 1 for 8-bit rounding; the 3-pixel kernel
    // support (6 input pixels when halving) is kept away from the edges.
    const w = 64;
    const data = new Uint8Array(w * 8 * 3);
    for (let y = 0; y < 8; y++) for (let x = 0; x < w; x++) data.fill(2 * x + 40, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const out = await resizeTo({ data, width: w, height: 8, channels: 3 }, 32, 4);
    expect([out.width, out.height, out.channels, out.data.length]).toEqual([32, 4, 3, 32 * 4 * 3]);
    for (let j = 4; j < 28; j++) {
      for (let c = 0; c < 3; c++) expect(Math.abs(out.data[(1 * 32 + j) * 3 + c]! - (4 * j + 41))).toBeLessThanOrEqual(1);
    }
  });

  it('keeps a constant image constant and resizes an alpha plane to the requested size', async () => {
    const flat = await resizeTo({ data: new Uint8Array(12 * 9 * 3).fill(77), width: 12, height: 9, channels: 3 }, 36, 27);
    expect(new Set(flat.data)).toEqual(new Set([77]));
    const alpha = await resizePlane(new Uint8Array(10 * 6).fill(255), { width: 10, height: 6 }, 40, 24);
    expect(alpha.length).toBe(40 * 24);
    expect(new Set(alpha)).toEqual(new Set([255]));
  });

  it('keeps 16-bit samples 16-bit', async () => {
    const out = await resizeTo({ data: new Uint16Array(4 * 4 * 3).fill(40000), width: 4, height: 4, channels: 3 }, 8, 8);
    expect(out.data).toBeInstanceOf(Uint16Array);
    expect(new Set(out.data)).toEqual(new Set([40000]));
  });
});

describe('writeAtomic', () => {
  const tempsIn = async (d: string): Promise<string[]> => (await readdir(d)).filter((n) => n.startsWith('.revive-tmp-'));

  it('writes the bytes under the final name and leaves no temp file', async () => {
    const d = await mkdtemp(path.join(dir, 'atomic-'));
    const bytes = Buffer.from('restored photo bytes');
    await writeAtomic(path.join(d, 'out.jpg'), bytes);
    expect(await readFile(path.join(d, 'out.jpg'))).toEqual(bytes);
    expect(await tempsIn(d)).toEqual([]);
  });

  it('replaces an existing file whole', async () => {
    const d = await mkdtemp(path.join(dir, 'atomic-'));
    await writeFile(path.join(d, 'out.jpg'), 'old content that is longer than the new one');
    await writeAtomic(path.join(d, 'out.jpg'), Buffer.from('new'));
    expect(await readFile(path.join(d, 'out.jpg'), 'utf8')).toBe('new');
  });

  it('stages the complete bytes in the tagged temp file beside the output; the final name appears only at the end', async () => {
    const d = await mkdtemp(path.join(dir, 'atomic-'));
    const final = path.join(d, 'out.jpg');
    const bytes = Buffer.from('restored photo bytes');
    const seen: { temp: string; content: Buffer; finalExists: boolean }[] = [];
    await writeAtomic(final, bytes, {
      tempTag: 'job-3',
      beforeRename: async (temp) => {
        seen.push({ temp, content: await readFile(temp), finalExists: existsSync(final) });
      },
    });
    expect(seen).toEqual([{ temp: atomicTempPath(final, 'job-3'), content: bytes, finalExists: false }]);
    expect(await readFile(final)).toEqual(bytes);
    expect(await readdir(d)).toEqual(['out.jpg']);
  });

  it('leaves the old file under the final name untouched when a step before the rename fails', async () => {
    const d = await mkdtemp(path.join(dir, 'atomic-'));
    const final = path.join(d, 'out.jpg');
    await writeFile(final, 'the previous result');
    let during = '';
    const failing = writeAtomic(final, Buffer.from('half a new photo'), {
      tempTag: 'job-4',
      beforeRename: async () => {
        during = await readFile(final, 'utf8');
        throw new ImageError('WRITE_FAILED', 'metadata copy failed');
      },
    });
    await expectImageError(failing, 'WRITE_FAILED', /metadata copy failed/);
    expect(during).toBe('the previous result');
    expect(await readFile(final, 'utf8')).toBe('the previous result');
    expect(await readdir(d)).toEqual(['out.jpg']);
  });

  it('fails with WRITE_FAILED and removes its temp file when the rename fails', async () => {
    const d = await mkdtemp(path.join(dir, 'atomic-'));
    // A non-empty folder under the final name: the temp file is written, then the rename cannot replace it.
    await mkdir(path.join(d, 'out.jpg', 'inside'), { recursive: true });
    const err = await expectImageError(writeAtomic(path.join(d, 'out.jpg'), Buffer.from('x'), { tempTag: 'job-7' }), 'WRITE_FAILED');
    expect(err.message).toMatch(/cannot write .*out\.jpg: E(ISDIR|NOTEMPTY|EXIST)/);
    expect(await tempsIn(d)).toEqual([]);
  });

  it('fails with WRITE_FAILED when the folder does not exist, naming the path and the system error only', async () => {
    const final = path.join(dir, 'no-such-folder', 'out.jpg');
    const err = await expectImageError(writeAtomic(final, Buffer.from('x')), 'WRITE_FAILED');
    expect(err.message).toBe(`cannot write ${final}: ENOENT`);
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('passes an ImageError from beforeRename on with its code and cause; names a plain error by its message', async () => {
    const d = await mkdtemp(path.join(dir, 'atomic-'));
    const own = new ImageError('CORRUPT', 'exiftool said no');
    const a = await expectImageError(writeAtomic(path.join(d, 'a.jpg'), Buffer.from('x'), { beforeRename: () => Promise.reject(own) }), 'CORRUPT');
    expect(a.message).toBe('exiftool said no');
    expect(a.cause).toBe(own);
    const plain = new Error('boom');
    const b = await expectImageError(writeAtomic(path.join(d, 'b.jpg'), Buffer.from('x'), { beforeRename: () => Promise.reject(plain) }), 'WRITE_FAILED');
    expect(b.message).toBe(`cannot write ${path.join(d, 'b.jpg')}: boom`);
    expect(b.cause).toBe(plain);
    expect(await readdir(d)).toEqual([]);
  });

  it('says so when the temp file cannot be removed after a failure', async () => {
    const d = await mkdtemp(path.join(dir, 'atomic-'));
    const final = path.join(d, 'out.jpg');
    const temp = atomicTempPath(final, 'job-5');
    // A step replaces the temp file with a folder that is not empty, then fails: rm (not recursive) cannot remove it.
    const beforeRename = async (t: string): Promise<void> => {
      await rm(t);
      await mkdir(path.join(t, 'inside'), { recursive: true });
      throw new Error('boom');
    };
    const err = await expectImageError(writeAtomic(final, Buffer.from('x'), { tempTag: 'job-5', beforeRename }), 'WRITE_FAILED');
    expect(err.message).toMatch(new RegExp(`^cannot write ${final.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: boom; the temp file ${temp.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} could not be removed \\((ERR_FS_EISDIR|EISDIR|ENOTEMPTY)\\)$`));
  });

  it('closes every file handle it opens, on success and on failure', async () => {
    // Linux lists a process's open files in /proc/self/fd; a handle left open would add an entry per write.
    const open = (): number => readdirSync('/proc/self/fd').length;
    const d = await mkdtemp(path.join(dir, 'atomic-'));
    await writeAtomic(path.join(d, 'warm.jpg'), Buffer.from('x'), { beforeRename: async () => undefined });
    const before = open();
    for (let i = 0; i < 20; i++) {
      await writeAtomic(path.join(d, `ok${i}.jpg`), Buffer.from('x'), { beforeRename: async () => undefined });
      await writeAtomic(path.join(d, `bad${i}.jpg`), Buffer.from('x'), { beforeRename: () => Promise.reject(new Error('no')) }).catch(() => undefined);
    }
    expect(open()).toBeLessThan(before + 5);
  });

  it('lists every file a killed write can leave', () => {
    const t = atomicTempPath('/o/a.png', 'job1');
    expect(atomicLeftovers('/o/a.png', 'job1')).toEqual([t, `${t}_exiftool_tmp`, `${t}.icc`, `${t}.thumb.jpg`]);
  });

  it('names the temp file predictably from the tag, in the same folder', () => {
    expect(atomicTempPath('/photos/a_revive.jpg', 'job-7')).toBe('/photos/.revive-tmp-job-7-a_revive.jpg');
    expect(() => atomicTempPath('/photos/a.jpg', '../x')).toThrow(/temp tag/);
  });
});

describe('the sample photo', () => {
  it('is the committed file PROVENANCE.md describes', async () => {
    const hash = createHash('sha256').update(await readFile(SAMPLE)).digest('hex');
    const provenance = await readFile(path.join(path.dirname(SAMPLE), 'PROVENANCE.md'), 'utf8');
    expect(provenance).toContain(hash);
  });
});
