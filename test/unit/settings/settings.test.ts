import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsStore } from '../../../src-main/settings/settings-store';
import { defaultSettings, settingsJsonSchema } from '../../../src-main/settings/schema';

describe('settings', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'revive-settings-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts from the defaults and writes them to settings.json in the given folder', () => {
    const s = new SettingsStore({ cwd: dir });
    expect(s.path).toBe(path.join(dir, 'settings.json'));
    expect(s.get()).toEqual(defaultSettings());
    expect(s.get().enhance).toMatchObject({ model: 'realesrgan-x4fast', scale: 4, format: 'same', suffix: '_revive', outputDir: null });
    const onDisk = JSON.parse(readFileSync(s.path, 'utf8')) as Record<string, unknown>;
    expect(onDisk.queue).toEqual({ recursive: true, skipDone: true, checkSpace: true, maxInputMegapixels: 200 });
  });

  it('persists changes, validates them as a whole, and names the offending field', () => {
    const s = new SettingsStore({ cwd: dir });
    s.set({ enhance: { scale: 2, format: 'webp', metadata: 'no-gps' } });
    const reopened = new SettingsStore({ cwd: dir });
    expect(reopened.get().enhance).toMatchObject({ scale: 2, format: 'webp', model: 'realesrgan-x4fast', metadata: 'no-gps' });
    expect(() => reopened.set({ enhance: { scale: 5 as 4 } })).toThrow(/enhance\.scale/);
    expect(() => reopened.set({ library: { thumbnailSize: 10 } })).toThrow(/library\.thumbnailSize/);
    expect(() => reopened.set({ enhance: { suffix: 'a/b' } })).toThrow(/enhance\.suffix: must not contain path separators/);
    // A refused change leaves everything as it was.
    expect(new SettingsStore({ cwd: dir }).get().enhance.scale).toBe(2);
  });

  it('fills fields added since the file was written and keeps the user’s values', () => {
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ enhance: { model: 'my-pack', scale: 1, format: 'png' } }));
    const s = new SettingsStore({ cwd: dir });
    expect(s.get().enhance).toMatchObject({ model: 'my-pack', scale: 1, format: 'png', suffix: '_revive', provider: 'auto' });
    expect(s.get().appearance.theme).toBe('system');
  });

  it('refuses a hand-edited file with wrong values, naming them', () => {
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ appearance: { theme: 'purple' } }));
    expect(() => new SettingsStore({ cwd: dir })).toThrow(/appearance/);
  });

  it('runs migrations between the file’s version and the current one, once', () => {
    writeFileSync(
      path.join(dir, 'settings.json'),
      JSON.stringify({ outputFolder: '/old/place', __internal__: { migrations: { version: '1.0.0' } } }),
    );
    let runs = 0;
    const migrations = {
      '2.0.0': (store: { get(k: string): unknown; set(k: string, v: unknown): void; delete(k: string): void }) => {
        runs++;
        store.set('enhance', { ...(store.get('enhance') as object), outputDir: store.get('outputFolder') });
        store.delete('outputFolder');
      },
    };
    const s = new SettingsStore({ cwd: dir, version: '2.0.0', migrations });
    expect(s.get().enhance.outputDir).toBe('/old/place');
    expect(JSON.parse(readFileSync(s.path, 'utf8')).outputFolder).toBeUndefined();
    new SettingsStore({ cwd: dir, version: '2.0.0', migrations });
    expect(runs).toBe(1);
  });

  it('1.1.0: a suffix the user chose keeps naming their results; the old default gives way to the new pattern', () => {
    const file = path.join(dir, 'settings.json');
    const old = (suffix: string): string => JSON.stringify({ enhance: { model: 'realesrgan-x4fast', scale: 4, format: 'same', suffix }, __internal__: { migrations: { version: '1.0.0' } } });
    writeFileSync(file, old('_mine'));
    expect(new SettingsStore({ cwd: dir }).get().enhance.namePattern).toBe('{name}_mine');
    writeFileSync(file, old('_revive'));
    expect(new SettingsStore({ cwd: dir }).get().enhance.namePattern).toBe('{name}_{model}_{scale}x');
    // A suffix no pattern can say literally (braces) is left to the default rather than misread as tokens.
    writeFileSync(file, old('_{x}'));
    expect(new SettingsStore({ cwd: dir }).get().enhance.namePattern).toBe('{name}_{model}_{scale}x');
  });

  it('builds a job snapshot from the defaults plus per-batch changes', () => {
    const s = new SettingsStore({ cwd: dir });
    expect(s.jobSettings({ scale: 2 })).toMatchObject({ model: 'realesrgan-x4fast', scale: 2, format: 'same' });
    expect(() => s.jobSettings({ quality: 0 })).toThrow(/quality/);
  });

  it('needs an absolute folder (conf outside Electron)', () => {
    expect(() => new SettingsStore({ cwd: 'relative/dir' })).toThrow(/absolute path, got "relative\/dir"/);
  });

  it('exports a JSON Schema that matches the defaults’ shape (for electron-store)', () => {
    const js = settingsJsonSchema().properties;
    expect(Object.keys(js).sort()).toEqual(Object.keys(defaultSettings()).sort());
  });
});
