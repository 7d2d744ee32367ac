import { describe, expect, it, vi } from 'vitest';
import { ReviveError } from '../../src-preload/contract';
import { AppState } from '../../src-renderer/src/lib/app-state.svelte';
import { StartState } from '../../src-renderer/src/features/start/start-state.svelte';
import { estimateSeconds } from '../../src-preload/estimate';
import { LibraryState } from '../../src-renderer/src/features/library/library-state.svelte';
import { CompareState } from '../../src-renderer/src/features/compare/compare-state.svelte';
import { pathsFromText, splitPhotos } from '../../src-renderer/src/features/start/dropped-files';
import { fakeApi, item, SETTINGS } from './fake-api';

describe('AppState', () => {
  it('loads settings, models and the queue, subscribes to every event, and unsubscribes on dispose', async () => {
    const { api, listeners } = fakeApi();
    const app = new AppState(api);
    await app.init();
    expect(app.ready).toBe(true);
    expect(app.host).toBe('bridge');
    expect(app.settings.defaults).toEqual(SETTINGS);
    expect(app.models.models.map((m) => m.id)).toEqual(['realesrgan-x4fast']);
    expect([...listeners.keys()].sort()).toEqual(['app:error', 'job:progress', 'model:install-progress', 'queue:changed']);
    app.dispose();
    expect([...listeners.values()].every((s) => s.size === 0)).toBe(true);
  });

  it('shows core errors and failed loads as error notices with their code', async () => {
    const { api, emit } = fakeApi({ settingsGet: vi.fn(async () => Promise.reject(new ReviveError({ code: 'INVALID_SETTINGS', message: 'settings.json is damaged' }))) });
    const app = new AppState(api);
    await app.init();
    expect(app.ready).toBe(true);
    // The headline is the catalogue's sentence; the core's own words stay behind "Details".
    expect(app.notices[0]).toMatchObject({ kind: 'error', code: 'INVALID_SETTINGS', message: 'That setting cannot be saved.', detail: 'settings.json is damaged' });
    emit('app:error', { code: 'ENGINE_CRASHED', message: 'the engine stopped', context: 'batch' });
    expect(app.notices[1]).toMatchObject({ code: 'ENGINE_CRASHED', message: 'The restoring process stopped unexpectedly.', detail: 'batch: the engine stopped' });
    app.dismiss(app.notices[0]!.id);
    expect(app.notices).toHaveLength(1);
  });

  it('opens compare from a link and ignores malformed ones', () => {
    const { api } = fakeApi();
    const app = new AppState(api);
    app.openLink('#compare?before=%2Fimg%2Fa&after=%2Fimg%2Fb&title=T');
    expect(app.screen).toBe('compare');
    expect(app.compare.pair).toMatchObject({ beforeUrl: '/img/a', afterUrl: '/img/b', title: 'T' });
    app.go('start');
    app.openLink('#compare?before=x');
    app.openLink('#nonsense');
    expect(app.screen).toBe('start');
    app.openLink('#library');
    expect(app.screen).toBe('library');
  });
});

describe('StartState', () => {
  it('adds typed paths once, uploads files in a browser, and starts a job with the settings', async () => {
    const { api } = fakeApi({ upload: vi.fn(async (files: File[]) => files.map((f) => `/uploads/c1/${f.name}`)) });
    const s = new StartState(api, (e) => {
      throw e;
    });
    await s.addPaths(['/photos/a.jpg']);
    await s.addPaths(['/photos/a.jpg', '/photos/b.jpg']);
    expect(s.inputs.map((i) => i.path)).toEqual(['/photos/a.jpg', '/photos/b.jpg']);
    await s.addFiles([new File(['x'], 'c.jpg', { type: 'image/jpeg' })]);
    expect(s.inputs.map((i) => i.path)).toContain('/uploads/c1/c.jpg');
    s.setDimensions('/photos/a.jpg', 2000, 1500);
    expect(s.megapixels).toEqual({ known: 3, unknown: 2 });
    expect(await s.start(SETTINGS)).toBe(true);
    expect(api.jobsStart).toHaveBeenCalledWith({ paths: ['/photos/a.jpg', '/photos/b.jpg', '/uploads/c1/c.jpg'], settings: SETTINGS });
    expect(s.inputs).toHaveLength(0);
  });

  it('asks which format to use when a result would be too large, and queues nothing until answered', async () => {
    const tooLarge = [{ path: '/photos/pano.jpg', name: 'pano.jpg', outWidth: 16400, outHeight: 40, format: 'webp' as const, maxSide: 16383 }];
    const { api } = fakeApi({ jobsCheck: vi.fn(async () => ({ tooLarge, formats: ['jpg' as const, 'png' as const] })) });
    const errors: unknown[] = [];
    const s = new StartState(api, (e) => errors.push(e));
    await s.addPaths(['/photos/pano.jpg', '/photos/small.jpg']);
    const webp = { ...SETTINGS, format: 'webp' as const };

    expect(await s.start(webp)).toBe(false);
    expect(api.jobsStart).not.toHaveBeenCalled();
    expect(s.question).toEqual({ check: { tooLarge, formats: ['jpg', 'png'] }, settings: webp });
    // Going back: still nothing queued, the photos still wait.
    expect(await s.answer(null)).toBe(false);
    expect(s.question).toBeNull();
    expect(s.inputs).toHaveLength(2);
    expect(api.jobsStart).not.toHaveBeenCalled();

    expect(await s.start(webp)).toBe(false);
    expect(await s.answer('png')).toBe(true);
    expect(api.jobsStart).toHaveBeenCalledWith({ paths: ['/photos/pano.jpg', '/photos/small.jpg'], settings: webp, fallbackFormat: 'png' });
    expect(s.inputs).toHaveLength(0);
    expect(errors).toEqual([]);
  });

  it('reports a batch no format can hold instead of asking', async () => {
    const tooLarge = [{ path: '/p/x.jpg', name: 'x.jpg', outWidth: 5_000_000_000, outHeight: 4, format: 'png' as const, maxSide: 2 ** 31 - 1 }];
    const { api } = fakeApi({ jobsCheck: vi.fn(async () => ({ tooLarge, formats: [] })) });
    const errors: unknown[] = [];
    const s = new StartState(api, (e) => errors.push(e));
    await s.addPaths(['/p/x.jpg']);
    expect(await s.start(SETTINGS)).toBe(false);
    expect(s.question).toBeNull();
    expect(String(errors[0])).toMatch(/too large for every format; choose a smaller scale/);
  });

  it('uses the file’s own path in Electron instead of uploading', async () => {
    const { api } = fakeApi({ pathForFile: (f: File) => `/home/me/${f.name}` });
    const s = new StartState(api, () => undefined);
    await s.addFiles([new File(['x'], 'd.png')]);
    expect(api.inputsAdd).toHaveBeenCalledWith({ paths: ['/home/me/d.png'], recursive: false });
  });

  it('estimates time from a speed, and nothing without one; reads pasted paths', () => {
    expect(estimateSeconds(12, { secondsPerMegapixel: 2.5, basis: 'measured' })).toBe(30);
    expect(estimateSeconds(12, null)).toBeNull();
    expect(pathsFromText('/a/b.jpg\nnot a path\r\nC:\\x\\y.png\nfile:///c.jpg')).toEqual(['/a/b.jpg', 'C:\\x\\y.png', '/c.jpg']);
  });
});

describe('LibraryState', () => {
  it('lets only the newest search answer land', async () => {
    let release: (v: unknown) => void = () => undefined;
    const slow = new Promise((r) => (release = r));
    const { api } = fakeApi();
    api.libraryList
      .mockImplementationOnce(async () => {
        await slow;
        return { entries: [{ id: 1 } as never], total: 1 };
      })
      .mockImplementationOnce(async () => ({ entries: [], total: 0 }));
    const lib = new LibraryState(api, () => undefined);
    const first = lib.setFilters({ text: 'a' });
    const second = lib.setFilters({ text: 'ab' });
    await second;
    release(undefined);
    await first;
    expect(lib.total).toBe(0);
    expect(lib.filtered).toBe(true);
    expect(api.libraryList).toHaveBeenLastCalledWith({ text: 'ab', status: 'all', limit: 200 });
  });
});

describe('CompareState', () => {
  it('previews a region with the given settings and leaves selection mode', async () => {
    const { api } = fakeApi();
    const c = new CompareState(api, () => undefined);
    c.open({ title: 'p', beforeUrl: '/b', afterUrl: '/a', sourcePath: '/photos/p.jpg' });
    c.toggleSelecting();
    await c.previewRegion({ x: 1, y: 2, width: 32, height: 32 }, SETTINGS);
    expect(api.previewRegion).toHaveBeenCalledWith({ path: '/photos/p.jpg', rect: { x: 1, y: 2, width: 32, height: 32 }, settings: SETTINGS });
    expect(c.selecting).toBe(false);
    expect(c.preview?.afterUrl).toBe('/img/a');
    c.setSplit(1.7);
    expect(c.split).toBe(1);
  });

  it('fits a newly loaded image into the stage', () => {
    const { api } = fakeApi();
    const c = new CompareState(api, () => undefined);
    c.setStageSize({ width: 1000, height: 500 });
    c.setImageSize({ width: 4000, height: 1000 });
    expect(c.view.scale).toBeCloseTo(0.25, 12);
    void item;
  });
});

describe('errors in a photographer’s words (issue 13 point 3)', () => {
  it('shows one notice for repeated identical failures and no thumbnail warning for a photo that already failed', async () => {
    const { api, emit } = fakeApi({ jobsList: vi.fn(async () => ({ items: [item(1, { state: 'failed', error: { code: 'CORRUPT', message: 'x' } })], jobs: [] })) });
    const app = new AppState(api);
    await app.init();
    for (let i = 0; i < 3; i++) emit('app:error', { code: 'WRITE_FAILED', message: 'disk full', context: 'batch' });
    expect(app.notices).toHaveLength(1);
    expect(app.notices[0]).toMatchObject({ message: 'The result could not be saved.', hint: expect.stringContaining('disk'), detail: 'batch: disk full' });
    emit('job:progress', { kind: 'warning', jobId: 1, itemId: 1, message: 'thumbnail: VipsJpeg: Premature end of input file' });
    expect(app.notices).toHaveLength(1);
    emit('job:progress', { kind: 'warning', jobId: 1, itemId: 2, message: 'colour profile /srv/data/uploads/c-1/a.jpg ignored' });
    expect(app.notices.at(-1)!.message).toBe('colour profile a.jpg ignored');
  });

  it('refuses a non-photo chosen in the browser dialog visibly, and shows refusals by name with their code', async () => {
    const { api } = fakeApi({
      inputsAdd: vi.fn(async () => ({
        added: [],
        rejected: [{ path: '/srv/data/uploads/c-1/scan.jpg', reason: 'damaged JPEG header — Input file has corrupt header', code: 'CORRUPT' }],
      })),
    });
    const s = new StartState(api, (e) => {
      throw e;
    });
    s.refuseFiles([new File(['hello'], 'notes.txt', { type: 'text/plain' })]);
    expect(s.rejected).toEqual([{ path: 'notes.txt', name: 'notes.txt', code: 'NOT_AN_IMAGE', reason: 'text/plain, 5 bytes' }]);
    await s.addPaths(['/srv/data/uploads/c-1/scan.jpg']);
    expect(s.rejected).toEqual([{ path: '/srv/data/uploads/c-1/scan.jpg', name: 'scan.jpg', code: 'CORRUPT', reason: 'damaged JPEG header — Input file has corrupt header' }]);
  });

  it('keeps photos and refuses other files chosen in the dialog', () => {
    const files = [new File(['x'], 'a.JPG'), new File(['x'], 'b.heic'), new File(['x'], 'c', { type: 'image/png' }), new File(['x'], 'notes.txt', { type: 'text/plain' })];
    const { photos, refused } = splitPhotos(files);
    expect(photos.map((f) => f.name)).toEqual(['a.JPG', 'b.heic', 'c']);
    expect(refused.map((f) => f.name)).toEqual(['notes.txt']);
  });
});
