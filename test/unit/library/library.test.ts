import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LibraryStore, type LibraryQuery, type NewLibraryEntry } from '../../../src-main/library/library-store';
import { removeEntry, rerun } from '../../../src-main/jobs/library-actions';
import { ThumbnailCache } from '../../../src-main/library/thumbnails';
import { cameraName, normaliseExifDate, readPhotoFacts } from '../../../src-main/library/photo-facts';
import { QueueStore } from '../../../src-main/jobs/queue-store';
import { parseJobSettings } from '../../../src-main/settings/job-settings';
import { tempWorld, writePhoto, type TempWorld } from '../../support/job-fixtures';
import { spawnSync } from 'node:child_process';

const settings = parseJobSettings({ model: 'realesrgan-x4fast', scale: 4, format: 'png' });

function entry(over: Partial<NewLibraryEntry> & { sourcePath: string }): NewLibraryEntry {
  return {
    itemId: null,
    jobId: null,
    sourceHash: 'h',
    sourceSize: 100,
    sourceWidth: 10,
    sourceHeight: 10,
    outputPath: null,
    outputSize: null,
    outputWidth: null,
    outputHeight: null,
    model: 'realesrgan-x4fast',
    settings,
    settingsKey: 'k',
    status: 'done',
    error: null,
    ms: 5,
    startedAt: 0,
    finishedAt: 0,
    device: 'cpu',
    dateTaken: null,
    camera: null,
    hasGps: false,
    ...over,
  };
}

describe('library queries', () => {
  let w: TempWorld;
  let lib: LibraryStore;
  const rows: (NewLibraryEntry & { id: number })[] = [];

  beforeEach(() => {
    w = tempWorld();
    lib = new LibraryStore(w.store.db);
    rows.length = 0;
    const cameras = [null, 'Canon EOS 5D', 'NIKON D70', 'Canon PowerShot A70'];
    const models = ['realesrgan-x4fast', 'realesrgan-x4plus'];
    const folders = ['/photos/1987', '/photos/1987/summer', '/photos/1990', '/photos/19870']; // 19870 must not match 1987/
    for (let i = 0; i < 60; i++) {
      const e = entry({
        sourcePath: `${folders[i % 4]}/IMG_${String(i).padStart(4, '0')}${i % 5 === 0 ? '_Oma' : ''}.jpg`,
        camera: cameras[i % 4]!,
        model: models[i % 2]!,
        status: i % 7 === 0 ? 'failed' : 'done',
        error: i % 7 === 0 ? 'CORRUPT' : null,
        dateTaken: i % 3 === 0 ? null : `19${80 + (i % 15)}-0${1 + (i % 9)}-15 12:00:00`,
        finishedAt: 1_000_000 + ((i * 7919) % 60) * 1000, // distinct, shuffled finish times
      });
      rows.push({ ...e, id: lib.insert(e) });
    }
  });
  afterEach(() => w.cleanup());

  /** The same query answered by plain JavaScript over the inserted rows. */
  function expected(q: LibraryQuery): number[] {
    return rows
      .filter((r) => !q.failedOnly || r.status === 'failed')
      .filter((r) => !q.name || path.basename(r.sourcePath).toLowerCase().includes(q.name.toLowerCase()))
      .filter((r) => !q.folder || path.dirname(r.sourcePath) === q.folder || path.dirname(r.sourcePath).startsWith(q.folder + '/'))
      .filter((r) => !q.camera || (r.camera ?? '').toLowerCase().includes(q.camera.toLowerCase()))
      .filter((r) => !q.model || r.model === q.model)
      .filter((r) => !q.takenFrom || (r.dateTaken !== null && r.dateTaken >= q.takenFrom))
      .filter((r) => !q.takenTo || (r.dateTaken !== null && r.dateTaken.slice(0, q.takenTo.length) <= q.takenTo))
      .sort((a, b) => b.finishedAt - a.finishedAt || b.id - a.id)
      .slice(0, q.limit ?? 100)
      .map((r) => r.id);
  }

  const queries: [string, LibraryQuery][] = [
    ['recent', { limit: 10 }],
    ['name, case-insensitive', { name: 'oma' }],
    ['name with a LIKE wildcard is literal', { name: '_Oma' }],
    ['folder with subfolders', { folder: '/photos/1987' }],
    ['camera part', { camera: 'canon' }],
    ['model', { model: 'realesrgan-x4plus' }],
    ['failed only', { failedOnly: true }],
    ['date taken range by prefixes', { takenFrom: '1985', takenTo: '1989-06' }],
    ['combined', { folder: '/photos', camera: 'nikon', takenFrom: '1980-01-01', failedOnly: false, limit: 5 }],
  ];
  for (const [name, q] of queries) {
    it(`answers "${name}" like an independent filter`, () => {
      const want = expected(q);
      expect(want.length).toBeGreaterThan(0); // the fixture exercises the filter
      expect(lib.search(q).map((e) => e.id)).toEqual(want);
    });
  }

  it('folder without subfolders matches that folder only', () => {
    const got = lib.search({ folder: '/photos/1987', includeSubfolders: false, limit: 1000 });
    expect(new Set(got.map((e) => e.sourceDir))).toEqual(new Set(['/photos/1987']));
  });

  it('round-trips every field', () => {
    const r = rows[1]!;
    const got = lib.get(r.id);
    expect(got).toMatchObject({ ...r, sourceName: path.basename(r.sourcePath), sourceDir: path.dirname(r.sourcePath) });
  });

  it('rejects a bad limit naming it', () => {
    expect(() => lib.search({ limit: 0 })).toThrow(/limit must be 1–10000, got 0/);
  });
});

describe('library actions', () => {
  let w: TempWorld;
  let lib: LibraryStore;
  let thumbs: ThumbnailCache;
  beforeEach(() => {
    w = tempWorld();
    lib = new LibraryStore(w.store.db);
    thumbs = new ThumbnailCache(w.dataDir, 64);
  });
  afterEach(() => w.cleanup());

  it('remove deletes the row and thumbnails, keeps the output unless asked, and never deletes the original', async () => {
    const src = await writePhoto(path.join(w.photos, 'a.png'), 1, 40, 20);
    const out = await writePhoto(path.join(w.photos, 'a_revive.png'), 2, 160, 80);
    const original = readFileSync(src);
    const id = lib.insert(entry({ sourcePath: src, outputPath: out }));
    const t = await thumbs.ensure(id, src, out);
    expect(t.errors).toEqual([]);
    expect(existsSync(t.before!) && existsSync(t.after!)).toBe(true);

    await removeEntry(lib, thumbs, id);
    expect(() => lib.get(id)).toThrow(/no library entry/);
    expect(existsSync(t.before!) || existsSync(t.after!)).toBe(false);
    expect(existsSync(out)).toBe(true);
    expect(readFileSync(src).equals(original)).toBe(true);

    const id2 = lib.insert(entry({ sourcePath: src, outputPath: out }));
    expect(await removeEntry(lib, thumbs, id2, { deleteOutput: true })).toEqual({ deletedOutput: out });
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(src).equals(original)).toBe(true);
  });

  it('refuses to delete an "output" that is an original photo', async () => {
    const a = await writePhoto(path.join(w.photos, 'a.png'), 1);
    const b = await writePhoto(path.join(w.photos, 'b.png'), 2);
    // An entry whose output path is its own source (a corrupted row), and one whose output is another photo's original.
    const self = lib.insert(entry({ sourcePath: a, outputPath: a }));
    lib.insert(entry({ sourcePath: b, outputPath: null }));
    const other = lib.insert(entry({ sourcePath: '/elsewhere/c.png', outputPath: b }));
    await expect(removeEntry(lib, thumbs, self, { deleteOutput: true })).rejects.toThrow(/refusing to delete .*a\.png: it is an original/);
    await expect(removeEntry(lib, thumbs, other, { deleteOutput: true })).rejects.toThrow(/b\.png: it is an original/);
    expect(existsSync(a) && existsSync(b)).toBe(true);
    expect(lib.count()).toBe(3);
  });

  it('re-run queues the source as a new forced job with the changed settings', async () => {
    const src = await writePhoto(path.join(w.photos, 'a.png'), 1);
    const id = lib.insert(entry({ sourcePath: src }));
    const q = new QueueStore(w.store.db);
    const job = rerun(lib, q, id, { format: 'webp', scale: 2 });
    expect(job).toMatchObject({ force: true, state: 'active', settings: { ...settings, format: 'webp', scale: 2 } });
    expect(q.items(job.id).map((i) => i.sourcePath)).toEqual([src]);
    const gone = lib.insert(entry({ sourcePath: path.join(w.photos, 'missing.png') }));
    expect(() => rerun(lib, q, gone)).toThrow(/original .*missing\.png is no longer there/);
  });

  it('thumbnails are small upright WebP files', async () => {
    const src = await writePhoto(path.join(w.photos, 'wide.png'), 3, 300, 100);
    const t = await thumbs.ensure(1, src, null);
    expect(t.after).toBeNull();
    const head = readFileSync(t.before!).subarray(0, 12).toString('latin1');
    expect(head.slice(0, 4) + head.slice(8, 12)).toBe('RIFFWEBP');
  });
});

describe('photo facts', () => {
  let w: TempWorld;
  beforeEach(() => {
    w = tempWorld();
  });
  afterEach(() => w.cleanup());

  it('reads date taken, camera and GPS presence from EXIF (written by exiftool)', async () => {
    const file = await writePhoto(path.join(w.photos, 'tagged.jpg'), 1);
    // writePhoto wrote PNG bytes; exiftool needs the real format, so make a JPEG with sharp's default of the same size.
    const sharp = (await import('sharp')).default;
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#406080' } }).jpeg().toFile(file);
    const r = spawnSync('exiftool', ['-q', '-overwrite_original', '-DateTimeOriginal=1987:06:05 14:03:02', '-Make=Canon', '-Model=Canon EOS 5D', '-GPSLatitude=48.1', '-GPSLatitudeRef=N', '-GPSLongitude=11.5', '-GPSLongitudeRef=E', file]);
    expect(r.status, r.stderr?.toString()).toBe(0);
    expect(await readPhotoFacts(file)).toEqual({ facts: { dateTaken: '1987-06-05 14:03:02', camera: 'Canon EOS 5D', hasGps: true }, warning: null });
    const plain = await writePhoto(path.join(w.photos, 'plain.png'), 2);
    expect((await readPhotoFacts(plain)).facts).toEqual({ dateTaken: null, camera: null, hasGps: false });
    // A JPEG whose EXIF block is cut short: the reader's failure is reported, the facts are empty.
    const broken = path.join(w.photos, 'broken.jpg');
    mkdirSync(w.photos, { recursive: true });
    writeFileSync(broken, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x40, 0x00]), Buffer.from('Exif\0\0MM\0*\0\0\0\x08\xff\xff')]));
    expect((await readPhotoFacts(broken)).facts).toEqual({ dateTaken: null, camera: null, hasGps: false });
    // WebP is outside what exifr reads: empty facts, and no per-photo warning for a known limit.
    const webp = path.join(w.photos, 'x.webp');
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } }).webp().toFile(webp);
    expect(await readPhotoFacts(webp)).toEqual({ facts: { dateTaken: null, camera: null, hasGps: false }, warning: null });
  });

  it('normalises dates and camera names', () => {
    expect(normaliseExifDate('1987:06:05 14:03:02')).toBe('1987-06-05 14:03:02');
    expect(normaliseExifDate('0000:00:00 00:00:00')).toBeNull();
    expect(normaliseExifDate('yesterday')).toBeNull();
    expect(cameraName('NIKON CORPORATION', 'NIKON D70')).toBe('NIKON D70');
    expect(cameraName('Apple', 'iPhone 12')).toBe('Apple iPhone 12');
    expect(cameraName(undefined, undefined)).toBeNull();
  });
});
