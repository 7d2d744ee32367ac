import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fromJobSettings, fromSettings, toJobSettings, toSettingsPatch } from '../../../src-main/core/contract-mapping';
import { openReviveCore } from '../../../src-main/core/services';
import { EngineHost } from '../../../src-main/engine/host';
import type { HostMessage } from '../../../src-main/engine/protocol';
import type { EngineChannel, EngineSpawner } from '../../../src-main/engine/spawn';
import type { JobProgress } from '../../../src-main/jobs/progress';
import { defaultSettings } from '../../../src-main/settings';
import { DEFAULT_SETTINGS } from '../../support/fake-core';
import { writePhoto } from '../../support/job-fixtures';
import { tempFolders } from '../../support/temp-folders';

const tmp = tempFolders();

describe('core services: translation between the contract and the core', () => {
  it('round-trips job settings, folder output included', () => {
    const s = { ...DEFAULT_SETTINGS, scale: 2 as const, output: { kind: 'folder' as const, dir: '/out' }, device: 'cpu' as const };
    const j = toJobSettings(s);
    expect(j).toMatchObject({ model: 'realesrgan-x4fast', scale: 2, outputDir: '/out', provider: 'cpu', overwrite: false });
    expect(fromJobSettings(j)).toEqual(s);
    expect(fromJobSettings({ ...j, outputDir: null }).output).toEqual({ kind: 'beside' });
  });

  it('carries the metadata choice and file dates into the job, leaving the defaults out of it', () => {
    const sharing = { ...DEFAULT_SETTINGS, metadata: 'no-gps' as const, keepFileTimes: true };
    const j = toJobSettings(sharing);
    expect(j).toMatchObject({ metadata: 'no-gps', keepFileTimes: true });
    expect(fromJobSettings(j)).toEqual(sharing);
    // Defaults stay out of the snapshot, so results made before the options existed still count as the same.
    const plain = toJobSettings(DEFAULT_SETTINGS);
    expect('metadata' in plain || 'keepFileTimes' in plain).toBe(false);
    expect(toJobSettings({ ...DEFAULT_SETTINGS, metadata: 'none' }).metadata).toBe('none');
  });

  it('maps the settings sections both ways', () => {
    const core = defaultSettings();
    const app = fromSettings(core);
    expect(app.defaults.modelId).toBe(core.enhance.model);
    expect(app.recursive).toBe(core.queue.recursive);
    expect(toSettingsPatch({ theme: 'dark', recursive: false }, core)).toEqual({ appearance: { theme: 'dark' }, queue: { recursive: false } });
    expect(toSettingsPatch({ defaults: { scale: 3 } }, core).enhance?.scale).toBe(3);
    // The pixel limit of the Settings screen reaches the queue section (issue 13 point 8).
    expect(app.maxInputMegapixels).toBe(core.queue.maxInputMegapixels);
    expect(toSettingsPatch({ maxInputMegapixels: 400 }, core)).toEqual({ queue: { maxInputMegapixels: 400 } });
  });

  it('carries the naming pattern both ways; a suffix set alone becomes the pattern {name}<suffix>', () => {
    const core = defaultSettings();
    expect(fromSettings(core).defaults.namePattern).toBe('{name}_{model}_{scale}x');
    expect(toJobSettings({ ...DEFAULT_SETTINGS, namePattern: '{date}-{name}' }).namePattern).toBe('{date}-{name}');
    expect(toJobSettings(DEFAULT_SETTINGS)).not.toHaveProperty('namePattern');
    expect(toSettingsPatch({ defaults: { namePattern: '{name}-{scale}x' } }, core).enhance?.namePattern).toBe('{name}-{scale}x');
    expect(toSettingsPatch({ defaults: { suffix: '_web' } }, core).enhance).toMatchObject({ suffix: '_web', namePattern: '{name}_web' });
    expect(toSettingsPatch({ defaults: { scale: 2 } }, core).enhance?.namePattern).toBe('{name}_{model}_{scale}x');
  });
});

describe('openReviveCore', () => {
  it('opens a data folder, lists the bundled packs, lets only one process run its queue, and closes', async () => {
    const dir = tmp('revive-core-');
    const core = await openReviveCore(dir, { version: '9.9.9' });
    try {
      expect(core.version).toBe('9.9.9');
      const models = await core.models();
      expect(models.find((m) => m.id === 'realesrgan-x4fast')).toMatchObject({ kind: 'pixel-sr', builtIn: true, scale: 4 });
      await expect(openReviveCore(dir)).rejects.toMatchObject({ code: 'QUEUE_LOCKED' });
      expect(await core.queue()).toEqual({ items: [], jobs: [] });
      const s = await core.setSettings({ theme: 'light' });
      expect(s.theme).toBe('light');
      await expect(core.setSettings({ defaults: { quality: 500 } as never })).rejects.toMatchObject({ code: 'INVALID_SETTINGS' });
      writeFileSync(path.join(dir, 'not-a-photo.jpg'), '<html>');
      const added = await core.addInputs([path.join(dir, 'not-a-photo.jpg'), path.join(dir, 'missing.jpg')], false);
      expect(added.rejected.map((r) => r.path)).toContain(path.join(dir, 'missing.jpg'));
      // A file that is not an image is refused and never becomes loadable, whatever its name says.
      expect(added.added).toEqual([]);
      expect(added.rejected.find((r) => r.path === path.join(dir, 'not-a-photo.jpg'))?.reason).toBeTruthy();
      expect(core.allowList.isAllowed(path.join(dir, 'not-a-photo.jpg'))).toBe(false);
      const passwd = await core.addInputs(['/etc/passwd'], false);
      expect(passwd.added).toEqual([]);
      expect(core.allowList.isAllowed('/etc/passwd')).toBe(false);
      await expect(core.previewRegion('/etc/passwd', { x: 0, y: 0, width: 8, height: 8 }, DEFAULT_SETTINGS)).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    } finally {
      await core.close();
    }
    const again = await openReviveCore(dir);
    await again.close();
  });
});

describe('removing queue items', () => {
  it('removes a running item once its cancel has stopped the engine, not before', async () => {
    const dir = tmp('revive-core-remove-');
    // An engine that takes every photo and never answers: the item stays running until the host kills it.
    const killed: number[] = [];
    let received!: () => void;
    const engineHasPhoto = new Promise<void>((resolve) => (received = resolve));
    const spawner: EngineSpawner = (listeners) => {
      const pid = 4000 + killed.length;
      const exit = (signal: string | null): void => queueMicrotask(() => listeners.onExit({ code: signal ? null : 0, signal, outputTail: '' }));
      const channel: EngineChannel = {
        pid,
        send: (m: HostMessage) => {
          if (m.type === 'dispose') queueMicrotask(() => listeners.onMessage({ type: 'disposed', id: m.id }));
          else received();
        },
        kill: () => {
          killed.push(pid);
          exit('SIGKILL');
        },
        disconnect: () => exit(null),
      };
      return channel;
    };
    const core = await openReviveCore(dir, { engineHost: new EngineHost({ spawner }) });
    try {
      // Photos live outside the data folder and reach a job through inputs:add, as from the page.
      const photo = await writePhoto(path.join(tmp('revive-photos-'), 'a.png'), 1);
      await core.addInputs([photo], false);
      const running = new Promise<number>((resolve) => {
        core.on('progress', (p: JobProgress) => {
          if (p.kind === 'item' && p.state === 'running') resolve(p.itemId);
        });
      });
      const { itemIds } = await core.startJob([photo], DEFAULT_SETTINGS, true);
      const itemId = await running;
      expect(itemIds).toEqual([itemId]);
      await engineHasPhoto;

      await core.remove([itemId]);
      expect(killed).toHaveLength(1);
      expect((await core.queue()).items.map((i) => i.id)).not.toContain(itemId);
    } finally {
      await core.close();
    }
  });
});

describe('results too large for their format', () => {
  it('jobs are checked before they are queued; with a fallback format only the too-large photos use it', async () => {
    const dir = tmp('revive-core-');
    // Nothing may run: the check happens before the engine is ever asked.
    const spawner: EngineSpawner = () => {
      throw new Error('the engine must not start');
    };
    const core = await openReviveCore(dir, { engineHost: new EngineHost({ spawner }) });
    try {
      await core.pause(false);
      const photos = tmp('revive-photos-');
      // 4100 × 4 = 16 400 > 16 383 (WebP's largest side); 40 × 4 fits.
      const pano = path.join(photos, 'pano.png');
      const small = path.join(photos, 'small.png');
      mkdirSync(photos, { recursive: true });
      await sharp({ create: { width: 4100, height: 10, channels: 3, background: '#808080' } }).png().toFile(pano);
      await sharp({ create: { width: 40, height: 30, channels: 3, background: '#808080' } }).png().toFile(small);
      const webp = { ...DEFAULT_SETTINGS, format: 'webp' as const, scale: 4 as const };
      await core.addInputs([pano, small], false);

      const check = await core.checkJob([pano, small], webp);
      expect(check.tooLarge.map((t) => [t.path, t.outWidth, t.outHeight, t.format, t.maxSide])).toEqual([[pano, 16400, 40, 'webp', 16383]]);
      expect(check.formats).toEqual(['jpg', 'png', 'tiff']);
      expect((await core.checkJob([pano, small], { ...webp, format: 'png' })).tooLarge).toEqual([]);

      // Without a fallback the whole batch is refused and nothing is queued.
      await expect(core.startJob([pano, small], webp, true)).rejects.toMatchObject({ code: 'OUTPUT_TOO_LARGE', message: expect.stringMatching(/nothing was queued: .*pano\.png: the result would be 16400×40, but WEBP stores at most 16383/) });
      expect((await core.queue()).items).toEqual([]);

      const started = await core.startJob([pano, small], webp, true, 'png');
      expect(started.itemIds).toHaveLength(2);
      expect((await core.queue()).items.map((i) => i.source).sort()).toEqual([pano, small]);
    } finally {
      await core.close();
    }
  });
});

describe('the input pixel limit before the size check', () => {
  it('a photo over the app-wide limit is not "too large for the format": it is refused when added, the others go on', async () => {
    const dir = tmp('revive-core-bomb-');
    const spawner: EngineSpawner = () => {
      throw new Error('the engine must not start');
    };
    // Photos outside the data folder (the core refuses inputs inside it), added as the page adds them.
    const data = path.join(dir, 'data');
    mkdirSync(data, { recursive: true });
    const photos = path.join(dir, 'photos');
    mkdirSync(photos, { recursive: true });
    // A real JPEG whose header claims 60000×60000: 240 000 pixels a side at 4×, more than JPEG stores.
    const jpeg = await sharp({ create: { width: 16, height: 12, channels: 3, background: '#405060' } }).jpeg().toBuffer();
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    jpeg.writeUInt16BE(60000, sof + 5);
    jpeg.writeUInt16BE(60000, sof + 7);
    const bomb = path.join(photos, 'bomb.jpg');
    writeFileSync(bomb, jpeg);
    const small = await writePhoto(path.join(photos, 'small.png'), 1);
    const jpg = { ...DEFAULT_SETTINGS, format: 'jpg' as const, scale: 4 as const };
    // With the app's limit raised above a header's size, that photo is like any other: one claiming 20000×3000
    // (60 MP, which this computer can hold at 4×) is too large for JPEG at 4× (80 000 px wide). A 3600 MP header is
    // refused whatever the limit: no result that large fits in memory here (imaging/output-capacity.ts).
    const wideJpeg = Buffer.from(jpeg);
    wideJpeg.writeUInt16BE(3000, sof + 5);
    wideJpeg.writeUInt16BE(20000, sof + 7);
    const wide = path.join(photos, 'wide.jpg');
    writeFileSync(wide, wideJpeg);
    writeFileSync(path.join(data, 'settings.json'), JSON.stringify({ queue: { maxInputMegapixels: 4000 } }));
    const raised = await openReviveCore(data, { engineHost: new EngineHost({ spawner }) });
    try {
      await raised.addInputs([bomb, wide, small], false);
      expect((await raised.checkJob([bomb, wide, small], jpg)).tooLarge.map((t) => t.path)).toEqual([wide]);
    } finally {
      await raised.close();
    }
    writeFileSync(path.join(data, 'settings.json'), JSON.stringify({ queue: { maxInputMegapixels: 200 } }));
    const core = await openReviveCore(data, { engineHost: new EngineHost({ spawner }) });
    try {
      await core.pause(false);
      // Over the app's limit it is refused when added (issue 13 point 3), in plain words and with its code; it is
      // never reported as "too large for the format", and the other photo is taken.
      const added = await core.addInputs([bomb, small], false);
      expect(added.added.map((a) => a.path)).toEqual([small]);
      expect(added.rejected).toEqual([{ path: bomb, code: 'TOO_LARGE', reason: '60000×60000 (3600 MP) is over the 200 MP limit' }]);
      expect((await core.checkJob([small], jpg)).tooLarge).toEqual([]);
      const started = await core.startJob([small], jpg, true);
      expect(started.itemIds).toHaveLength(1);
    } finally {
      await core.close();
    }
  });
});

describe('checking photos when they are added (issue 13 point 3)', () => {
  it('refuses a text file, a damaged header and a truncated file with codes and no path, and reads the size of the rest', async () => {
    const dir = tmp('revive-core-add-');
    const photos = path.join(dir, 'photos');
    mkdirSync(photos);
    const good = await writePhoto(path.join(photos, 'good.png'), 1);
    const text = path.join(photos, 'notes.jpg');
    writeFileSync(text, 'shopping list: milk, eggs\n');
    // A JPEG start-of-image marker followed by garbage: it sniffs as a JPEG but its header cannot be read.
    const damaged = path.join(photos, 'damaged.jpg');
    writeFileSync(damaged, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 0x41)]));
    const core = await openReviveCore(path.join(dir, 'data'), { engineHost: new EngineHost({ spawner: () => { throw new Error('no engine'); } }) });
    try {
      const r = await core.addInputs([good, text, damaged], false);
      const meta = await sharp(good).metadata();
      expect(r.added).toEqual([{ path: good, sizeBytes: expect.any(Number), width: meta.width, height: meta.height }]);
      const byPath = Object.fromEntries(r.rejected.map((x) => [path.basename(x.path), x]));
      expect(byPath['notes.jpg']).toMatchObject({ code: 'NOT_AN_IMAGE' });
      expect(byPath['damaged.jpg']).toMatchObject({ code: 'CORRUPT' });
      for (const x of r.rejected) expect(x.reason).not.toContain(photos);
    } finally {
      await core.close();
    }
  });
});

describe('engine processes', () => {
  it('start with the spawner the caller gives (the app: utilityProcess), the preview engine as well as the batch one', async () => {
    const dir = tmp('revive-core-spawner-');
    // An engine that refuses every photo as corrupt: enough to see who started it.
    const spawned: number[] = [];
    const spawner: EngineSpawner = (listeners) => {
      const pid = 5000 + spawned.length;
      spawned.push(pid);
      const exit = (signal: string | null): void => queueMicrotask(() => listeners.onExit({ code: signal ? null : 0, signal, outputTail: '' }));
      return {
        pid,
        send: (m: HostMessage) =>
          queueMicrotask(() =>
            listeners.onMessage(m.type === 'dispose' ? { type: 'disposed', id: m.id } : { type: 'failed', id: m.id, code: 'CORRUPT', message: 'scripted' }),
          ),
        kill: () => exit('SIGKILL'),
        disconnect: () => exit(null),
      };
    };
    const core = await openReviveCore(dir, { spawner });
    try {
      const photo = await writePhoto(path.join(tmp('revive-photos-'), 'a.png'), 1);
      await core.addInputs([photo], false);
      const failed = new Promise<void>((resolve) => {
        core.on('progress', (p: JobProgress) => {
          if (p.kind === 'item' && p.state === 'failed') resolve();
        });
      });
      await core.startJob([photo], DEFAULT_SETTINGS, true);
      await failed;
      expect(spawned).toEqual([5000]);
      await expect(core.previewRegion(photo, { x: 0, y: 0, width: 8, height: 8 }, DEFAULT_SETTINGS)).rejects.toMatchObject({ code: 'CORRUPT' });
      expect(spawned).toEqual([5000, 5001]);
    } finally {
      await core.close();
    }
  });
});
