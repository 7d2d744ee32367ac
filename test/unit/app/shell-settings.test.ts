/**
 * The shell settings through the real electron-store, with `electron` mocked (electron-store reads the app's
 * version and user-data folder from it, and registers one ipcMain listener for renderer-side stores).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const fakeApp = { version: '0.1.0', userData: '/nonexistent-user-data' };
vi.mock('electron', () => {
  const app = { getVersion: () => fakeApp.version, getPath: () => fakeApp.userData };
  const ipcMain = { on: vi.fn() };
  return { default: { app, ipcMain, shell: {} }, app, ipcMain, shell: {} };
});

const { openShellSettings, ShellSettingsStore } = await import('../../../src-main/app/shell-settings');
const { WINDOW_STATE_FILE } = await import('../../../src-main/app/window-state');

describe('shell settings (electron-store)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'revive-shell-settings-'));
    fakeApp.version = '0.1.0';
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps shell.json in the given folder, starting from the defaults', () => {
    const s = new ShellSettingsStore({ cwd: dir });
    expect(s.path).toBe(path.join(dir, 'shell.json'));
    expect(s.get()).toEqual({ window: null, lastFolders: { addPhotos: null, addFolder: null }, shellIntegration: { choice: 'undecided', confirmHandoff: true } });
    const onDisk = JSON.parse(readFileSync(s.path, 'utf8')) as Record<string, unknown>;
    expect(onDisk.shellIntegration).toEqual({ choice: 'undecided', confirmHandoff: true });
    expect(() => new ShellSettingsStore({ cwd: 'relative/dir' })).toThrow(/absolute path/);
  });

  it('persists changes and refuses a wrong one as a whole, naming the field', () => {
    const s = new ShellSettingsStore({ cwd: dir });
    s.set({ window: { x: 10, y: 20, width: 900, height: 650, maximized: true }, shellIntegration: { choice: 'enabled' } });
    expect(() => s.set({ lastFolders: { addPhotos: '/p' }, shellIntegration: { choice: 'perhaps' as 'enabled' } })).toThrow(/shellIntegration\.choice/);
    const reopened = new ShellSettingsStore({ cwd: dir });
    expect(reopened.get()).toEqual({
      window: { x: 10, y: 20, width: 900, height: 650, maximized: true },
      lastFolders: { addPhotos: null, addFolder: null },
      shellIntegration: { choice: 'enabled', confirmHandoff: true },
    });
  });

  it('remembers the folder each dialog picked from', () => {
    const s = new ShellSettingsStore({ cwd: dir });
    expect(s.lastFolder('addPhotos')).toBeUndefined();
    s.rememberPick('addPhotos', ['/home/me/Pictures/2019/a.jpg', '/home/me/Pictures/2019/b.jpg']);
    s.rememberPick('addFolder', ['/mnt/scans/box-3']);
    s.rememberPick('addFolder', []);
    const reopened = new ShellSettingsStore({ cwd: dir });
    expect(reopened.lastFolder('addPhotos')).toBe('/home/me/Pictures/2019');
    expect(reopened.lastFolder('addFolder')).toBe('/mnt/scans');
  });

  it('starts again from the defaults when the file is damaged or hand-edited wrong', () => {
    writeFileSync(path.join(dir, 'shell.json'), '{ "window": ');
    expect(new ShellSettingsStore({ cwd: dir }).get().window).toBeNull();
    writeFileSync(path.join(dir, 'shell.json'), JSON.stringify({ shellIntegration: { choice: 'purple' }, lastFolders: { addPhotos: '/kept?' } }));
    const s = new ShellSettingsStore({ cwd: dir });
    expect(s.get().shellIntegration.choice).toBe('undecided');
    expect(s.get().lastFolders.addPhotos).toBeNull();
  });

  it('fills fields added since the file was written and keeps the user’s values', () => {
    writeFileSync(path.join(dir, 'shell.json'), JSON.stringify({ lastFolders: { addPhotos: '/photos' } }));
    const s = new ShellSettingsStore({ cwd: dir });
    expect(s.get().lastFolders).toEqual({ addPhotos: '/photos', addFolder: null });
    expect(s.get().shellIntegration).toEqual({ choice: 'undecided', confirmHandoff: true });
  });

  it('runs migrations between the app version that wrote the file and the running one, once', () => {
    writeFileSync(
      path.join(dir, 'shell.json'),
      JSON.stringify({ lastFolder: '/old/place', __internal__: { migrations: { version: '0.1.0' } } }),
    );
    fakeApp.version = '0.2.0';
    const migrate = vi.fn((store: { get(k: string): unknown; set(k: string, v: unknown): void; delete(k: string): void }) => {
      store.set('lastFolders.addPhotos', store.get('lastFolder'));
      store.delete('lastFolder');
    });
    const s = new ShellSettingsStore({ cwd: dir, migrations: { '0.2.0': migrate } });
    expect(migrate).toHaveBeenCalledTimes(1);
    expect(s.get().lastFolders.addPhotos).toBe('/old/place');
    new ShellSettingsStore({ cwd: dir, migrations: { '0.2.0': migrate } });
    expect(migrate).toHaveBeenCalledTimes(1);
  });

  it('brings in the window place an older version kept in window-state.json, once', () => {
    writeFileSync(path.join(dir, WINDOW_STATE_FILE), JSON.stringify({ x: 30, y: 40, width: 200, height: 700, maximized: true }));
    const s = openShellSettings(dir);
    // Raised to the smallest usable width, as the old loader did.
    expect(s.get().window).toEqual({ x: 30, y: 40, width: 400, height: 700, maximized: true });
    expect(existsSync(path.join(dir, WINDOW_STATE_FILE))).toBe(false);
    // A place saved since wins over a stale legacy file.
    s.set({ window: { x: 1, y: 1, width: 800, height: 600, maximized: false } });
    writeFileSync(path.join(dir, WINDOW_STATE_FILE), JSON.stringify({ x: 99, y: 99, width: 999, height: 999 }));
    expect(openShellSettings(dir).get().window).toMatchObject({ x: 1, y: 1 });
  });
});
