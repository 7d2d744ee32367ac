/**
 * copyMetadata and copyArguments (imaging/metadata.ts) in the test process, so mutation testing reaches them: the
 * argument list in full, the history timestamp in three time zones, and real copies read back with Debian's exiftool
 * (the independent reader; the code under test uses the bundled exiftool-vendored).
 */
import { execFileSync } from 'node:child_process';
import { readdir, readFile, rm, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { closeMetadataTool, copyArguments, copyMetadata, EXIF_THUMBNAIL_SIDE, reviveVersion } from '../../../src-main/imaging/metadata';
import { EXIFTOOL, gradient, readTags, writeMetadataPhoto } from '../../fixtures/metadata-photos';

const root = await mkdtemp(path.join(os.tmpdir(), 'revive-metadata-copy-'));
afterAll(async () => {
  await closeMetadataTool();
  await rm(root, { recursive: true, force: true });
});

const SOFTWARE = `Revive ${reviveVersion()}`;
const base = { source: '/p/a.jpg', width: 192, height: 144 };

describe('copyArguments in full', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  /** The (fake) current local time as ExifTool writes it, "YYYY:MM:DD hh:mm:ss", by Intl rather than by hand. */
  const localStamp = (): string => new Date().toLocaleString('sv-SE', { hour12: false }).replace(/-/g, ':');

  it('a JPEG without provenance, every size and orientation tag present', () => {
    const present = new Set([
      'ExifIFD:ExifImageWidth',
      'ExifIFD:ExifImageHeight',
      'XMP-exif:PixelXDimension',
      'XMP-exif:PixelYDimension',
      'XMP-tiff:ImageWidth',
      'XMP-tiff:ImageHeight',
      'IFD0:Orientation',
      'XMP-tiff:Orientation',
    ]);
    expect(copyArguments({ ...base, format: 'jpg' }, present, 'm')).toEqual([
      '-overwrite_original',
      '-TagsFromFile',
      '/p/a.jpg',
      '-all:all',
      '--IFD1:all',
      '--XMP-xmp:Thumbnails',
      '-IFD0:Orientation#=1',
      '-XMP-tiff:Orientation#=1',
      '-ExifIFD:ExifImageWidth=192',
      '-ExifIFD:ExifImageHeight=144',
      '-XMP-exif:PixelXDimension=192',
      '-XMP-exif:PixelYDimension=144',
      '-XMP-tiff:ImageWidth=192',
      '-XMP-tiff:ImageHeight=144',
      `-IFD0:Software=${SOFTWARE}`,
      `-IFD0:ProcessingSoftware=${SOFTWARE}`,
    ]);
  });

  it('a WebP without GPS, with a new thumbnail, provenance and a history entry stamped in local time', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-03-04T05:06:07Z'));
    // The zone's offset is stubbed (TZ cannot be changed inside a worker thread, where the mutation runner runs
    // tests); the local date and time come from the real zone, formatted independently by Intl ('sv-SE' is ISO-like).
    vi.spyOn(Date.prototype, 'getTimezoneOffset').mockReturnValue(-330);
    const args = copyArguments(
      { ...base, format: 'webp', mode: 'no-gps', thumbnail: '/o/t.jpg', provenance: { model: 'pack-x', scale: 2 } },
      new Set(['IFD0:Orientation', 'XMP-exif:PixelYDimension']),
      '/x/iptc2xmp.args',
    );
    expect(args).toEqual([
      '-overwrite_original',
      '-TagsFromFile',
      '/p/a.jpg',
      '-@',
      '/x/iptc2xmp.args',
      '-all:all',
      '-IPTC:all=',
      '-Photoshop:all=',
      '-GPS:all=',
      '-XMP-exif:GPS*=',
      '--IFD1:all',
      '--XMP-xmp:Thumbnails',
      '-ThumbnailImage<=/o/t.jpg',
      '-IFD0:Orientation#=1',
      '-XMP-exif:PixelYDimension=144',
      `-IFD0:Software=${SOFTWARE}`,
      `-IFD0:ProcessingSoftware=${SOFTWARE} (enhanced 2x with model pack-x)`,
      `-XMP-xmpMM:History+={Action=derived,When=${localStamp()}+05:30,SoftwareAgent=${SOFTWARE},Parameters=enhanced 2x with model pack-x}`,
    ]);
  });

  it('stamps the history with offsets west and east of UTC, hours and minutes padded', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-02T01:02:03Z'));
    const history = (): string => copyArguments({ ...base, format: 'png', provenance: { model: 'm', scale: 4 } }, new Set(), 'm').at(-1)!;
    const offset = vi.spyOn(Date.prototype, 'getTimezoneOffset');
    for (const [minutes, text] of [[210, '-03:30'], [-345, '+05:45'], [0, '+00:00'], [-60, '+01:00'], [600, '-10:00']] as const) {
      offset.mockReturnValue(minutes);
      expect(history()).toBe(`-XMP-xmpMM:History+={Action=derived,When=${localStamp()}${text},SoftwareAgent=${SOFTWARE},Parameters=enhanced 4x with model m}`);
    }
  });

  it('PNG and AVIF map IPTC to XMP; JPEG and TIFF keep their IPTC block', () => {
    for (const format of ['png', 'avif'] as const) {
      expect(copyArguments({ ...base, format }, new Set(), 'map').slice(3, 8)).toEqual(['-@', 'map', '-all:all', '-IPTC:all=', '-Photoshop:all=']);
    }
    for (const format of ['jpg', 'tiff'] as const) {
      const args = copyArguments({ ...base, format }, new Set(), 'map');
      expect(args).not.toContain('-@');
      expect(args).not.toContain('-Photoshop:all=');
    }
  });
});

/** A plain 96×72 JPEG (or PNG) as the encoder would leave it, with no metadata. */
async function plainTarget(name: string): Promise<string> {
  const file = path.join(root, name);
  const img = sharp(gradient(96, 72), { raw: { width: 96, height: 72, channels: 3 } });
  await (name.endsWith('.png') ? img.png() : img.jpeg()).toFile(file);
  return file;
}

describe('copyMetadata', () => {
  it('copies onto a JPEG: upright, the new size, provenance, a new thumbnail made from the result, no temp left', async () => {
    const dir = await mkdtemp(path.join(root, 'jpg-'));
    const source = await writeMetadataPhoto(root, 'rotated.jpg', { orientation: 6, adobeRgb: false });
    const target = path.join(dir, 'out.jpg');
    await rm(target, { force: true });
    await sharp(await readFile(await plainTarget('p1.jpg'))).toFile(target);
    const warnings = await copyMetadata(target, { source, format: 'jpg', width: 96, height: 72, provenance: { model: 'pack-y', scale: 2 } });
    expect(warnings).toEqual([]);
    const tags = readTags(target);
    expect(tags['IFD0:Make']).toBe('Canon');
    expect(tags['IFD0:Orientation']).toBe('Horizontal (normal)');
    expect([tags['ExifIFD:ExifImageWidth'], tags['ExifIFD:ExifImageHeight']]).toEqual([96, 72]);
    expect(tags['IFD0:Software']).toBe(SOFTWARE);
    expect(tags['IFD0:ProcessingSoftware']).toBe(`${SOFTWARE} (enhanced 2x with model pack-y)`);
    expect(tags['GPS:GPSAltitude']).toBeDefined();
    expect(tags['IPTC:City']).toBe('Brno');
    // The new thumbnail is the result scaled to fit 160×160: 160×120, not the original's 16×12.
    const thumb = await sharp(execFileSync(EXIFTOOL, ['-b', '-ThumbnailImage', target])).metadata();
    expect([thumb.width, thumb.height]).toEqual([EXIF_THUMBNAIL_SIDE, 120]);
    expect(await readdir(dir)).toEqual(['out.jpg']);
  });

  it('onto a PNG without GPS: IPTC arrives as XMP, no IPTC block, no thumbnail', async () => {
    const source = await writeMetadataPhoto(root, 'plain.jpg', { adobeRgb: false });
    const target = await plainTarget('p2.png');
    expect(await copyMetadata(target, { source, format: 'png', width: 96, height: 72, mode: 'no-gps' })).toEqual([]);
    const tags = readTags(target);
    expect(tags['XMP-dc:Subject']).toEqual(['leaf', 'autumn', 'Brno']);
    expect(Object.keys(tags).filter((k) => k.startsWith('IPTC:') || k.startsWith('GPS:') || k.startsWith('IFD1:'))).toEqual([]);
    expect(tags['IFD0:ProcessingSoftware']).toBe(SOFTWARE);
  });

  it('mode none leaves the target untouched; an original without metadata gives no warning', async () => {
    const target = await plainTarget('p3.jpg');
    const before = await readFile(target);
    expect(await copyMetadata(target, { source: '/no/such/file.jpg', format: 'jpg', width: 96, height: 72, mode: 'none' })).toEqual([]);
    expect((await readFile(target)).equals(before)).toBe(true);
    const bare = await plainTarget('bare.jpg');
    expect(await copyMetadata(target, { source: bare, format: 'jpg', width: 96, height: 72 })).toEqual([]);
    expect(readTags(target)['IFD0:Software']).toBe(SOFTWARE);
  });
});
