/**
 * Metadata, orientation, colour profile and bit depth through the real pipeline: the engine process running the
 * realesrgan-x4fast pack on 48×36 photos, compared before/after with two independent readers — Debian's exiftool
 * (`-j -G1 -a`) and exifr — against a list of tags allowed to change. The measured table is in docs/metadata.md.
 * Maker notes are also checked tag by tag on two real camera JPEGs (test/fixtures/real-camera).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import exifr from 'exifr';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineHost, type EnhanceJob, type EnhanceResult } from '../../src-main/engine/host';
import type { OutputFormat } from '../../src-main/imaging/formats';
import { ADOBE_RGB_ICC, exiftool, readTags, writeMetadataPhoto, XMP_TITLE } from '../fixtures/metadata-photos';

const PACK = path.resolve(import.meta.dirname, '../../models/realesrgan-x4fast');
const FORMATS: readonly OutputFormat[] = ['jpg', 'png', 'webp', 'tiff', 'avif'];
/** Output formats with no IPTC block: IPTC must arrive as XMP (IPTC Core mapping). */
const NO_IPTC = new Set<OutputFormat>(['png', 'webp', 'avif']);

let dir: string;
let host: EngineHost;
let original: string;
/** sha256 of every original, checked after all tests: nothing may write to an original. */
const hashes = new Map<string, string>();

const sha = async (file: string): Promise<string> => createHash('sha256').update(await readFile(file)).digest('hex');

async function remember(file: string): Promise<string> {
  hashes.set(file, await sha(file));
  return file;
}

function run(input: string, output: string, extra: Partial<EnhanceJob> = {}): Promise<EnhanceResult> {
  return host.enhance({ input, output, modelDir: PACK, scale: 4, format: 'png', provider: 'cpu', threads: 2, ...extra });
}

/**
 * Groups that describe the file's container and pixels rather than the photo (they differ between formats by
 * nature), and derived values.
 */
const STRUCTURAL_GROUPS = new Set(['SourceFile', 'ExifTool', 'System', 'File', 'Composite', 'JFIF', 'PNG', 'PNG-pHYs', 'RIFF', 'QuickTime', 'Meta', 'APP14']);
/** IFD0 tags that are part of a TIFF file's own structure. */
const TIFF_STRUCTURE = new Set([
  'ImageWidth', 'ImageHeight', 'BitsPerSample', 'Compression', 'PhotometricInterpretation', 'StripOffsets', 'SamplesPerPixel',
  'RowsPerStrip', 'StripByteCounts', 'PlanarConfiguration', 'Predictor', 'SampleFormat', 'ExtraSamples',
  // libvips writes the resolution into every TIFF (a JPEG keeps it in JFIF, which a TIFF has no place for).
  'XResolution', 'YResolution', 'ResolutionUnit',
]);

/**
 * Tags that describe how the original file was encoded, which ExifTool leaves out of a copy on purpose (its "unsafe"
 * tags): DCF interoperability (R98 = "DCF basic file", a claim about the camera's file), the original JPEG's
 * compression ratio, and the chroma siting of its YCbCr data. Real camera files carry them (test/fixtures/real-camera).
 */
const ORIGINAL_ENCODING = new Set(['InteropIFD:InteropIndex', 'InteropIFD:InteropVersion', 'ExifIFD:CompressedBitsPerPixel', 'IFD0:YCbCrPositioning']);

/** Tags allowed to change, and what they must be afterwards (checked separately). */
const TIFF_ALLOWED = new Set([
  'IFD0:YCbCrPositioning', // meaningless in an RGB TIFF: exiftool does not write it there
]);
const ALLOWED_TO_CHANGE = new Set([
  'IFD0:Orientation', // 1: the pixels are upright
  'ExifIFD:ExifImageWidth', // the new size
  'ExifIFD:ExifImageHeight',
  'IFD0:Software', // provenance
  'IFD0:ProcessingSoftware',
  'XMP-x:XMPToolkit', // the XMP writer's name
  'XMP-xmpMM:History',
]);

/** The photo's own tags as exiftool reads them, keyed "Group:Name", without structure, ICC and thumbnail. */
function photoTags(tags: Record<string, unknown>, format: OutputFormat | 'source'): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(tags)) {
    const [group, name] = key.includes(':') ? (key.split(':') as [string, string]) : [key, ''];
    if (STRUCTURAL_GROUPS.has(group) || group.startsWith('ICC')) continue;
    if (group === 'IFD1') continue; // the thumbnail: must be gone, checked separately
    if (format === 'tiff' && group === 'IFD0' && TIFF_STRUCTURE.has(name)) continue;
    out.set(key, value);
  }
  return out;
}

/** The IPTC → XMP (IPTC Core) mapping the fixture's IPTC tags take in formats without an IPTC block. */
const IPTC_AS_XMP: ReadonlyArray<readonly [string, string]> = [
  ['IPTC:Keywords', 'XMP-dc:Subject'],
  ['IPTC:Caption-Abstract', 'XMP-dc:Description'],
  ['IPTC:By-line', 'XMP-dc:Creator'],
  ['IPTC:City', 'XMP-photoshop:City'],
];

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

const EXIFR_EXIF = ['Make', 'Model', 'Artist', 'Copyright', 'ImageDescription', 'DateTimeOriginal', 'OffsetTimeOriginal', 'CreateDate', 'ExposureTime', 'FNumber', 'ISO', 'FocalLength', 'LensModel', 'latitude', 'longitude', 'GPSAltitude'];
const EXIFR_XMP = ['title', 'Rating'];
/**
 * What exifr 7 reads in each output format (measured): not the eXIf chunk of PNG, not the XMP of AVIF, no WebP at all.
 */
const EXIFR_READS: Readonly<Record<OutputFormat, readonly string[]>> = {
  jpg: [...EXIFR_EXIF, ...EXIFR_XMP],
  tiff: [...EXIFR_EXIF, ...EXIFR_XMP],
  png: ['title'],
  avif: EXIFR_EXIF,
  webp: [],
};

/** Tags read with exifr (the second reader), flattened: the fields a photo library relies on. */
async function exifrFields(file: string, fields: readonly string[]): Promise<Record<string, unknown>> {
  // The whole file in memory: exifr reads files in chunks and misses a TIFF IFD stored after the pixel strips.
  // iptc stays off: with it on, exifr 7.1.3 returns nothing at all for a TIFF (measured).
  const all = (await exifr.parse(await readFile(file), { tiff: true, exif: true, gps: true, xmp: true, iptc: false, makerNote: false, ihdr: false, icc: false, jfif: false })) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of fields) {
    const v = all[k];
    out[k] = v instanceof Date ? v.toISOString() : typeof v === 'object' && v && 'value' in v ? (v as { value: unknown }).value : v;
  }
  return out;
}

/**
 * Asserts that `file`'s EXIF thumbnail shows the result itself: at most 160 pixels a side, the result's aspect ratio,
 * and close to the result reduced to the same size (PSNR ≥ 30 dB, computed here; the old thumbnail showed the
 * original's different pixels at another size).
 */
async function expectFreshThumbnail(file: string): Promise<void> {
  const thumb = execFileSync('exiftool', ['-b', '-ThumbnailImage', file]);
  expect(thumb.length, 'the result has an EXIF thumbnail').toBeGreaterThan(0);
  const tm = await sharp(thumb).metadata();
  const om = await sharp(file).metadata();
  expect(Math.max(tm.width, tm.height)).toBeLessThanOrEqual(160);
  expect(Math.abs(tm.width / tm.height - om.width / om.height)).toBeLessThan(0.05);
  const a = await sharp(thumb).removeAlpha().raw().toBuffer();
  const b = await sharp(file).resize(tm.width, tm.height, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  const psnr = 10 * Math.log10((255 * 255) / (se / a.length));
  expect(psnr, 'EXIF thumbnail vs the result').toBeGreaterThanOrEqual(30);
}

/** What each output format kept, for the table in docs/metadata.md (printed by the last test). */
const measured: Record<string, Record<string, string>> = {};

beforeAll(async () => {
  expect(existsSync(path.join(PACK, 'revive-pack.json')), `the x4fast pack is missing at ${PACK}: run "npm run setup:packs"`).toBe(true);
  expect(existsSync(ADOBE_RGB_ICC), `${ADOBE_RGB_ICC} is missing: apt-get install libgs-common`).toBe(true);
  dir = await mkdtemp(path.join(os.tmpdir(), 'revive-metadata-'));
  original = await remember(await writeMetadataPhoto(dir, 'original.jpg'));
  host = new EngineHost();
});

afterAll(async () => {
  await host?.close();
  // Originals byte-identical after everything.
  for (const [file, hash] of hashes) expect(await sha(file), file).toBe(hash);
  await rm(dir, { recursive: true, force: true });
});

describe('every output format keeps the metadata except the listed tags', () => {
  for (const format of FORMATS) {
    it(`${format}: exiftool before/after, IPTC ${NO_IPTC.has(format) ? 'as XMP' : 'kept'}, exifr agrees`, async () => {
      const out = path.join(dir, `out.${format}`);
      const result = await run(original, out, { format });
      expect([result.width, result.height]).toEqual([192, 144]);
      const before = readTags(original);
      const after = readTags(out);
      const b = photoTags(before, 'source');
      const a = photoTags(after, format);

      // 1. Every tag of the original is there with the same value, except the allowed changes and IPTC moved to XMP.
      const missing: string[] = [];
      const changed: string[] = [];
      for (const [key, value] of b) {
        if (ALLOWED_TO_CHANGE.has(key) || (format === 'tiff' && TIFF_ALLOWED.has(key))) continue;
        if (NO_IPTC.has(format) && (key.startsWith('IPTC:') || key.startsWith('Photoshop:'))) continue;
        if (!a.has(key)) missing.push(key);
        else if (JSON.stringify(a.get(key)) !== JSON.stringify(value)) changed.push(`${key}: ${JSON.stringify(value)} → ${JSON.stringify(a.get(key))}`);
      }
      expect(missing, `${format}: tags lost`).toEqual([]);
      expect(changed, `${format}: tags changed`).toEqual([]);

      // 2. Nothing added but the listed tags (and IPTC's XMP counterparts).
      const mapped = new Set(IPTC_AS_XMP.map(([, x]) => x));
      const added = [...a.keys()].filter((k) => !b.has(k) && !ALLOWED_TO_CHANGE.has(k) && !(NO_IPTC.has(format) && mapped.has(k)));
      expect(added, `${format}: unexpected tags`).toEqual([]);

      // 3. IPTC: kept as IPTC, or carried as XMP with the same values.
      if (NO_IPTC.has(format)) {
        for (const [iptc, xmp] of IPTC_AS_XMP) expect(asList(a.get(xmp)), `${iptc} → ${xmp}`).toEqual(asList(b.get(iptc)));
        expect([...a.keys()].filter((k) => k.startsWith('IPTC:'))).toEqual([]);
      } else {
        for (const [iptc] of IPTC_AS_XMP) expect(a.get(iptc)).toEqual(b.get(iptc));
      }

      // 4. The allowed changes are the right ones.
      expect(after['IFD0:Orientation']).toBe('Horizontal (normal)');
      expect([after['ExifIFD:ExifImageWidth'], after['ExifIFD:ExifImageHeight']]).toEqual([192, 144]);
      expect(after['IFD0:Software']).toBe('Revive 0.1.0');
      expect(after['IFD0:ProcessingSoftware']).toBe('Revive 0.1.0 (enhanced 4x with model realesrgan-x4fast)');
      expect(after['XMP-xmpMM:History']).toMatchObject([{ Action: 'derived', SoftwareAgent: 'Revive 0.1.0', Parameters: 'enhanced 4x with model realesrgan-x4fast' }]);
      // The thumbnail is never stale: a JPEG gets a new one made from the result, the other formats none.
      expect(before['IFD1:ThumbnailImage'], 'the fixture has an EXIF thumbnail').toBeDefined();
      if (format === 'jpg') await expectFreshThumbnail(out);
      else expect(Object.keys(after).filter((k) => k.startsWith('IFD1:'))).toEqual([]);

      // 5. The colour profile: the original's Adobe RGB bytes, exactly.
      const iccOut = (await sharp(out).metadata()).icc;
      const iccIn = (await sharp(original).metadata()).icc;
      expect(iccOut && Buffer.compare(iccOut, iccIn!) === 0, `${format}: ICC profile`).toBe(true);

      // 6. The second reader sees the same photo.
      const fields = EXIFR_READS[format];
      const xb = await exifrFields(original, fields);
      const xa = fields.length ? await exifrFields(out, fields) : {};
      expect(xa, `${format}: exifr`).toEqual(xb);
      for (const [k, v] of Object.entries(xb)) expect(v, `exifr read ${k} from the original`).toBeDefined();

      const has = (prefix: string): boolean => [...a.keys()].some((k) => k.startsWith(prefix));
      measured[format] = {
        EXIF: has('ExifIFD:') && has('IFD0:') ? 'kept' : 'lost',
        XMP: a.get('XMP-dc:Title') === XMP_TITLE ? 'kept' : 'lost',
        IPTC: NO_IPTC.has(format) ? 'as XMP (IPTC Core)' : has('IPTC:') ? 'kept' : 'lost',
        ICC: 'kept (original bytes)',
        GPS: a.get('GPS:GPSLatitude') === b.get('GPS:GPSLatitude') && has('GPS:') ? 'kept' : 'lost',
        'maker notes': a.get('Canon:CanonModelID') === b.get('Canon:CanonModelID') && a.has('Canon:CanonModelID') ? 'kept' : 'lost',
        'exifr agrees': { jpg: 'yes (EXIF, GPS, XMP)', tiff: 'yes (EXIF, GPS, XMP)', png: 'yes (XMP; exifr reads no PNG eXIf)', avif: 'yes (EXIF, GPS; exifr reads no AVIF XMP)', webp: 'n/a (exifr reads no WebP)' }[format],
      };
    });
  }

  it('records the per-format table (docs/metadata.md)', () => {
    expect(Object.keys(measured).sort()).toEqual([...FORMATS].sort());
    const cols = ['EXIF', 'XMP', 'IPTC', 'ICC', 'GPS', 'maker notes', 'exifr agrees'];
    const lines = [`| format | ${cols.join(' | ')} |`, `|---|${cols.map(() => '---').join('|')}|`];
    for (const f of FORMATS) lines.push(`| ${f} | ${cols.map((c) => measured[f]![c]).join(' | ')} |`);
    process.stdout.write(`\n${lines.join('\n')}\n`);
    for (const f of FORMATS) expect(Object.values(measured[f]!).filter((v) => v === 'lost'), f).toEqual([]);
  });
});

/**
 * Real camera JPEGs: each carries its camera's Exif segment byte for byte, maker note included, on 40×30 pixels made
 * from the camera's own thumbnail (test/fixtures/real-camera/PROVENANCE.md). Two maker-note layouts: Canon's (a bare
 * IFD whose offsets count from the TIFF header) and Fujifilm's (a "FUJIFILM" header, offsets counted from the maker
 * note itself), so a copy that moves the block without fixing its offsets would show.
 */
const REAL_CAMERA = path.resolve(import.meta.dirname, '../fixtures/real-camera');
const CAMERA_PHOTOS: ReadonlyArray<{ file: string; group: string; atLeast: number }> = [
  { file: 'canon-eos-rebel-t4i.jpg', group: 'Canon', atLeast: 241 },
  { file: 'fujifilm-finepix-z1.jpg', group: 'FujiFilm', atLeast: 21 },
];

/**
 * Every maker-note tag of `file` (ExifTool's family-0 group MakerNotes) with its raw value (`-n`). Keyed "Group:Name"
 * by family-1 group, and "Group:CopyN:Name" for the Nth duplicate of a name (family 4): a Canon maker note repeats 13
 * names (FNumber, LensType, …) in its sub-directories, which plain JSON keys would collapse into one. Binary values
 * are compared in full (`-b`, base64) where ExifTool gives them; with `-b`, `MakerNotes:all` leaves out a few large
 * blocks (Canon's DustRemovalData, measured), which keep the "(Binary data N bytes …)" text: their length is compared.
 */
function makerNoteTags(file: string): Record<string, unknown> {
  const read = (extra: string[]): Record<string, unknown> => {
    // ExifTool's own reading warnings too ("ExifTool:Warning"), so an output that ExifTool has to repair shows.
    const [tags] = JSON.parse(exiftool(['-j', '-G1:4', '-a', '-n', ...extra, '-MakerNotes:all', '-Warning', file])) as Record<string, unknown>[];
    const { SourceFile: _, ...rest } = tags!;
    return rest;
  };
  return { ...read([]), ...read(['-b']) };
}

describe('real camera maker notes survive every output format', () => {
  /** Each original's maker-note tags, read once for its five formats. */
  const originals = new Map<string, Record<string, unknown>>();
  for (const { file, group, atLeast } of CAMERA_PHOTOS) {
    for (const format of FORMATS) {
      it(`${file} → ${format}: every maker-note tag equal (raw values, binaries in full)`, async () => {
        const input = await remember(path.join(REAL_CAMERA, file));
        const out = path.join(dir, `${path.basename(file, '.jpg')}-out.${format}`);
        const result = await run(input, out, { format });
        expect(result.warnings, `${file} → ${format}: warnings`).toEqual([]);
        if (!originals.has(input)) originals.set(input, makerNoteTags(input));
        const before = originals.get(input)!;
        // The fixture really has a parsed maker note of its maker (not an empty or unknown block).
        expect(Object.keys(before).filter((k) => k.startsWith(`${group}:`)).length).toBeGreaterThanOrEqual(atLeast);
        const after = makerNoteTags(out);
        const lost = Object.keys(before).filter((k) => !(k in after));
        const changed = Object.keys(before)
          .filter((k) => k in after && JSON.stringify(after[k]) !== JSON.stringify(before[k]))
          .map((k) => `${k}: ${JSON.stringify(before[k])} → ${JSON.stringify(after[k])}`);
        const added = Object.keys(after).filter((k) => !(k in before));
        expect({ lost, changed, added }, `${file} → ${format}`).toEqual({ lost: [], changed: [], added: [] });

        // The rest of the camera's tags too: equal except the listed changes and the tags that describe the
        // original file's encoding, which ExifTool deliberately does not copy ("unsafe" tags: they would be false
        // for the new file).
        const rawBefore = readTags(input);
        const rawAfter = readTags(out);
        const b = photoTags(rawBefore, 'source');
        const a = photoTags(rawAfter, format);
        // A TIFF keeps the resolution in its own IFD0 (structure, left out of `a`): it must still say the same.
        const resolution = ['IFD0:XResolution', 'IFD0:YResolution', 'IFD0:ResolutionUnit'];
        if (format === 'tiff') for (const k of resolution) expect(rawAfter[k], `${file} → tiff: ${k}`).toEqual(rawBefore[k]);
        const allowed = (k: string): boolean =>
          ALLOWED_TO_CHANGE.has(k) || ORIGINAL_ENCODING.has(k) || (format === 'tiff' && (TIFF_ALLOWED.has(k) || resolution.includes(k)));
        const gone = [...b.keys()].filter((k) => !allowed(k) && !a.has(k));
        const differ = [...b.keys()].filter((k) => !allowed(k) && a.has(k) && JSON.stringify(a.get(k)) !== JSON.stringify(b.get(k)));
        const extra = [...a.keys()].filter((k) => !allowed(k) && !b.has(k));
        expect({ gone, differ, extra }, `${file} → ${format}: all tags`).toEqual({ gone: [], differ: [], extra: [] });
      });
    }
  }
});

describe('metadata settings', () => {
  it('extended XMP (an 80 kB packet) survives a JPEG round trip', async () => {
    const big = await remember(await writeMetadataPhoto(dir, 'big-xmp.jpg', { extendedXmp: true }));
    const out = path.join(dir, 'big-xmp-out.jpg');
    await run(big, out, { format: 'jpg', scale: 1 });
    const before = readTags(big);
    const after = readTags(out);
    expect(String(before['XMP-dc:Description']).length).toBeGreaterThan(70_000);
    expect(after['XMP-dc:Description']).toBe(before['XMP-dc:Description']);
    expect(after['XMP-dc:Title']).toBe(XMP_TITLE);
  });

  it('no-gps removes the location and keeps the rest; none keeps only the colour profile', async () => {
    const noGps = path.join(dir, 'no-gps.jpg');
    await run(original, noGps, { format: 'jpg', scale: 1, metadata: 'no-gps' });
    const t = readTags(noGps);
    expect(Object.keys(t).filter((k) => k.startsWith('GPS:') || /GPS/.test(k) && !k.startsWith('Composite'))).toEqual([]);
    expect([t['IFD0:Make'], t['XMP-dc:Title'], t['ExifIFD:DateTimeOriginal']]).toEqual(['Canon', XMP_TITLE, '2015:10:29 14:03:11']);

    const none = path.join(dir, 'none.png');
    await run(original, none, { format: 'png', scale: 1, metadata: 'none' });
    const n = readTags(none);
    const kept = Object.keys(n).filter((k) => !/^(SourceFile|ExifTool|System|File|PNG|PNG-pHYs|Composite|ICC.*):/.test(k) && k !== 'SourceFile');
    expect(kept).toEqual([]);
    expect((await sharp(none).metadata()).icc).toBeDefined();
  });

  it('keeps the original file times when asked', async () => {
    const when = new Date('2001-02-03T04:05:06Z');
    const old = await remember(await writeMetadataPhoto(dir, 'old.jpg', { adobeRgb: false }));
    await utimes(old, when, when);
    const out = path.join(dir, 'old-out.png');
    await run(old, out, { scale: 1, keepFileTimes: true });
    expect((await stat(out)).mtime.toISOString()).toBe(when.toISOString());
  });
});

/** Where displayed pixel (x, y) comes from in the stored image for EXIF orientation `o` (stored size w×h). */
function storedPixelFor(o: number, x: number, y: number, w: number, h: number): [number, number] {
  switch (o) {
    case 1: return [x, y];
    case 2: return [w - 1 - x, y];
    case 3: return [w - 1 - x, h - 1 - y];
    case 4: return [x, h - 1 - y];
    case 5: return [y, x];
    case 6: return [y, h - 1 - x];
    case 7: return [w - 1 - y, h - 1 - x];
    case 8: return [w - 1 - y, x];
    default: throw new RangeError(`orientation ${o}`);
  }
}

describe('orientation', () => {
  it('outputs for orientations 1–8 are upright with Orientation = 1 (pixel check on four flat quadrants)', async () => {
    // Stored 48×32: four flat quadrants of distinct colours, so any flip or turn moves a colour to another corner.
    const W = 48;
    const H = 32;
    const colours = [[220, 40, 40], [40, 200, 60], [50, 70, 220], [235, 235, 235]] as const;
    const quadrant = (x: number, y: number): number => (x < W / 2 ? 0 : 1) + (y < H / 2 ? 0 : 2);
    const stored = Buffer.alloc(W * H * 3);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) stored.set(colours[quadrant(x, y)]!, (y * W + x) * 3);
    for (let o = 1; o <= 8; o++) {
      const input = path.join(dir, `orient-${o}.png`);
      await sharp(stored, { raw: { width: W, height: H, channels: 3 } }).png().toFile(input);
      exiftool(['-q', '-overwrite_original', `-IFD0:Orientation#=${o}`, input]);
      await remember(input);
      const out = path.join(dir, `orient-${o}-out.png`);
      await run(input, out, { scale: 1 });
      const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
      const [dw, dh] = o >= 5 ? [H, W] : [W, H];
      expect([info.width, info.height], `orientation ${o}: size`).toEqual([dw, dh]);
      // Sample each displayed quadrant's centre; its colour must be the stored quadrant the orientation maps it to.
      for (const [fx, fy] of [[0.25, 0.25], [0.75, 0.25], [0.25, 0.75], [0.75, 0.75]] as const) {
        const x = Math.floor(fx * dw);
        const y = Math.floor(fy * dh);
        const [sx, sy] = storedPixelFor(o, x, y, W, H);
        const want = colours[quadrant(sx, sy)]!;
        const got = [...data.subarray((y * dw + x) * info.channels, (y * dw + x) * info.channels + 3)];
        for (let c = 0; c < 3; c++) expect(Math.abs(got[c]! - want[c]!), `orientation ${o} at (${x},${y}): ${got} vs ${want}`).toBeLessThanOrEqual(12);
      }
      expect(readTags(out)['IFD0:Orientation'], `orientation ${o}`).toBe('Horizontal (normal)');
    }
  });
});

/** Adobe RGB (1998) → sRGB for one 8-bit colour, by the published primaries (both D65): the independent reference. */
function adobeToSrgb(rgb: readonly number[]): number[] {
  const lin = rgb.map((v) => (v / 255) ** (563 / 256));
  // Adobe RGB (1998) → XYZ (D65) and XYZ → linear sRGB, from the two specifications' primaries.
  const A = [[0.5767309, 0.1855540, 0.1881852], [0.2973769, 0.6273491, 0.0752741], [0.0270343, 0.0706872, 0.9911085]];
  const S = [[3.2404542, -1.5371385, -0.4985314], [-0.9692660, 1.8760108, 0.0415560], [0.0556434, -0.2040259, 1.0572252]];
  const xyz = A.map((r) => r[0]! * lin[0]! + r[1]! * lin[1]! + r[2]! * lin[2]!);
  const srgbLin = S.map((r) => r[0]! * xyz[0]! + r[1]! * xyz[1]! + r[2]! * xyz[2]!);
  return srgbLin.map((v) => {
    const c = Math.min(1, Math.max(0, v));
    return Math.round(255 * (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055));
  });
}

describe('colour profile and depth', () => {
  it('an Adobe RGB patch is processed in sRGB and written back in Adobe RGB with the same profile', async () => {
    const patch = [170, 90, 60];
    const input = path.join(dir, 'adobe-patch.png');
    // Stored values ARE Adobe RGB: the profile is attached (not converted into) with exiftool.
    const raw = Buffer.alloc(40 * 30 * 3);
    for (let i = 0; i < 40 * 30; i++) raw.set(patch, i * 3);
    await sharp(raw, { raw: { width: 40, height: 30, channels: 3 } }).png().toFile(input);
    exiftool(['-q', '-overwrite_original', `-ICC_Profile<=${ADOBE_RGB_ICC}`, input]);
    await remember(input);

    // What the model sees: sRGB per the independent computation (tolerance 3 for the profile's LUT precision).
    const { decodeImage } = await import('../../src-main/imaging/read');
    const decoded = await decodeImage(input);
    const srgb = adobeToSrgb(patch);
    const seen = [...decoded.rgb.data.subarray(0, 3)];
    for (let c = 0; c < 3; c++) expect(Math.abs(seen[c]! - srgb[c]!), `decoded ${seen} vs sRGB ${srgb}`).toBeLessThanOrEqual(3);
    expect(Math.max(...seen.map((v, c) => Math.abs(v - patch[c]!)))).toBeGreaterThan(8); // the conversion did happen

    // What is written: Adobe RGB values again (model noise on a flat patch: tolerance 6), with the same profile.
    const out = path.join(dir, 'adobe-patch-out.png');
    await run(input, out, { scale: 1 });
    const meta = await sharp(out).metadata();
    expect(Buffer.compare(meta.icc!, await readFile(ADOBE_RGB_ICC))).toBe(0);
    // keepIccProfile: the stored values, not sharp's conversion of them to sRGB.
    const { data } = await sharp(out).keepIccProfile().raw().toBuffer({ resolveWithObject: true });
    const centre = (15 * 40 + 20) * 3;
    const written = [...data.subarray(centre, centre + 3)];
    for (let c = 0; c < 3; c++) expect(Math.abs(written[c]! - patch[c]!), `written ${written} vs ${patch}`).toBeLessThanOrEqual(6);
  });

  it('a 16-bit Adobe RGB patch reaches the model in sRGB (not the Display P3 sharp uses at 16 bits) and goes back', async () => {
    // sharp 0.35 converts 16-bit RGB with a profile into Display P3 (profile-convert.ts): the sRGB this test computes
    // independently would be missed by ~26 levels in red without the correction.
    const patch = [90, 140, 180];
    const input = path.join(dir, 'adobe-patch-16.png');
    const raw = new Uint16Array(40 * 30 * 3);
    for (let i = 0; i < 40 * 30; i++) raw.set(patch.map((v) => v * 257), i * 3);
    await sharp(raw, { raw: { width: 40, height: 30, channels: 3 } }).toColourspace('rgb16').png().toFile(input);
    exiftool(['-q', '-overwrite_original', `-ICC_Profile<=${ADOBE_RGB_ICC}`, input]);
    await remember(input);
    expect((await sharp(input).metadata()).depth).toBe('ushort');

    const { decodeImage } = await import('../../src-main/imaging/read');
    const srgb = adobeToSrgb(patch);
    // Tolerance 3 (8-bit levels) for the profile's LUT precision, as for the 8-bit patch.
    const deep = await decodeImage(input, { keepDepth: true });
    expect(deep.rgb.data).toBeInstanceOf(Uint16Array);
    const seen16 = [...deep.rgb.data.subarray(0, 3)].map((v) => v / 257);
    for (let c = 0; c < 3; c++) expect(Math.abs(seen16[c]! - srgb[c]!), `16-bit decode ${seen16} vs sRGB ${srgb}`).toBeLessThanOrEqual(3);
    const shallow = await decodeImage(input);
    const seen8 = [...shallow.rgb.data.subarray(0, 3)];
    for (let c = 0; c < 3; c++) expect(Math.abs(seen8[c]! - srgb[c]!), `8-bit decode ${seen8} vs sRGB ${srgb}`).toBeLessThanOrEqual(3);

    // Written at 16 bits (pixel-sr keeps depth) and as 8-bit JPEG: Adobe RGB values again, with the same profile.
    for (const format of ['png', 'jpg'] as const) {
      const out = path.join(dir, `adobe-patch-16-out.${format}`);
      await run(input, out, { scale: 1, format });
      const meta = await sharp(out).metadata();
      expect(Buffer.compare(meta.icc!, await readFile(ADOBE_RGB_ICC)), format).toBe(0);
      const { data } = await sharp(out).keepIccProfile().toColourspace(format === 'png' ? 'rgb16' : 'srgb').raw({ depth: format === 'png' ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
      const centre = (15 * 40 + 20) * 3;
      const samples = format === 'png' ? [...new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2).subarray(centre, centre + 3)].map((v) => v / 257) : [...data.subarray(centre, centre + 3)];
      for (let c = 0; c < 3; c++) expect(Math.abs(samples[c]! - patch[c]!), `${format} written ${samples} vs ${patch}`).toBeLessThanOrEqual(6);
    }
  });

  it('16-bit PNG in → 16-bit PNG and TIFF, 10-bit AVIF out; alpha kept at 16 bits', async () => {
    const w = 24;
    const h = 16;
    // Right half's alpha (30 000) is not a multiple of 257: an 8-bit detour would turn it into 29 812 or 30 069.
    const HALF = 30000;
    const rgba = new Uint16Array(w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 4;
        rgba.set([x * 2500 + 1000, y * 3500 + 2000, 30000, x < w / 2 ? 65535 : HALF], i);
      }
    }
    const input = path.join(dir, 'deep.png');
    await sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).toColourspace('rgb16').png().toFile(input);
    await remember(input);
    expect((await sharp(input).metadata()).depth).toBe('ushort');
    // Tolerance on alpha: 0 for the lossless 16-bit formats (a flat area resampled stays flat); for 10-bit AVIF, two
    // 10-bit steps (2 × 64) for quantisation plus lossy coding.
    const cases = [
      { format: 'png', bits: 16, alphaTolerance: 0 },
      { format: 'tiff', bits: 16, alphaTolerance: 0 },
      { format: 'avif', bits: 10, alphaTolerance: 128 },
    ] as const;
    for (const { format, bits, alphaTolerance } of cases) {
      const out = path.join(dir, `deep-out.${format}`);
      await run(input, out, { format, scale: 2 });
      const meta = await sharp(out).metadata();
      expect([format, meta.depth, meta.bitsPerSample, meta.channels, meta.hasAlpha]).toEqual([format, 'ushort', bits, 4, true]);
      const { data, info } = await sharp(out).toColourspace('rgb16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
      const px = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
      const alphaAt = (x: number, y: number): number => px[(y * info.width + x) * 4 + 3]!;
      // Opaque left half, part-transparent right half, at more than 8-bit precision.
      expect(Math.abs(alphaAt(4, 8) - 65535), format).toBeLessThanOrEqual(alphaTolerance);
      expect(Math.abs(alphaAt(40, 8) - HALF), `${format} alpha ${alphaAt(40, 8)}`).toBeLessThanOrEqual(alphaTolerance);
      // High precision survives in the colour too: sample values are not all multiples of 257 (an 8-bit detour).
      const rs = [...px.filter((_, i) => i % 4 === 0)];
      expect(rs.filter((v) => v % 257 !== 0).length, format).toBeGreaterThan(rs.length / 2);
    }
  });

  it('a 12-bit AVIF stays 12-bit; 8-bit sources make 8-bit AVIF', async () => {
    const w = 24;
    const h = 16;
    const rgb = new Uint16Array(w * h * 3);
    for (let i = 0; i < w * h; i++) rgb.set([(i * 173) % 65536, 20000 + i * 40, 40000], i * 3);
    const input = path.join(dir, 'deep12.avif');
    await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).toColourspace('rgb16').avif({ bitdepth: 12, quality: 90 }).toFile(input);
    await remember(input);
    expect((await sharp(input).metadata()).bitsPerSample).toBe(12);
    const out = path.join(dir, 'deep12-out.avif');
    await run(input, out, { format: 'avif', scale: 2 });
    expect((await sharp(out).metadata()).bitsPerSample).toBe(12);

    const out8 = path.join(dir, 'eight-out.avif');
    await run(original, out8, { format: 'avif', scale: 2 });
    expect((await sharp(out8).metadata()).bitsPerSample).toBe(8);
  });

});
