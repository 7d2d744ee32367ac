/**
 * The shell settings' schema in plain Node: defaults, validation naming the field, patches, and the JSON Schema
 * enforced by conf — the library electron-store is built on, given the same schema and defaults the app gives it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultShellSettings,
  parseShellSettings,
  patchShellSettings,
  SHELL_SETTINGS_NAME,
  shellSettingsJsonSchema,
} from '../../../src-main/settings/shell-schema';

describe('shell settings schema', () => {
  it('defaults to nothing remembered and nothing decided', () => {
    expect(defaultShellSettings()).toEqual({
      window: null,
      lastFolders: { addPhotos: null, addFolder: null },
      shellIntegration: { choice: 'undecided', confirmHandoff: true },
    });
  });

  it('fills what an older file lacks and ignores the store’s bookkeeping', () => {
    const s = parseShellSettings({ __internal__: { migrations: { version: '0.1.0' } }, window: { x: 1, y: 2, width: 800, height: 600, maximized: false } }, 'shell.json');
    expect(s.window).toEqual({ x: 1, y: 2, width: 800, height: 600, maximized: false });
    expect(s.lastFolders).toEqual({ addPhotos: null, addFolder: null });
    expect(s).not.toHaveProperty('__internal__');
  });

  it('refuses wrong values, naming the field and the file', () => {
    expect(() => parseShellSettings({ shellIntegration: { choice: 'maybe' } }, '/x/shell.json')).toThrow(/\/x\/shell\.json — shellIntegration\.choice/);
    expect(() => parseShellSettings({ window: { x: 0, y: 0, width: -5, height: 10 } }, 'f')).toThrow(/window\.width/);
    expect(() => parseShellSettings({ lastFolders: { addPhotos: '' } }, 'f')).toThrow(/lastFolders\.addPhotos/);
  });

  it('patches a section’s fields, replaces the window whole, and validates the result', () => {
    const base = defaultShellSettings();
    const a = patchShellSettings(base, { lastFolders: { addPhotos: '/photos' } }, 'f');
    expect(a.lastFolders).toEqual({ addPhotos: '/photos', addFolder: null });
    const b = patchShellSettings(a, { window: { x: 5, y: 6, width: 700, height: 500, maximized: true } }, 'f');
    expect(b.window).toEqual({ x: 5, y: 6, width: 700, height: 500, maximized: true });
    expect(patchShellSettings(b, { window: null }, 'f').window).toBeNull();
    expect(() => patchShellSettings(base, { shellIntegration: { choice: 'yes' as 'enabled' } }, 'f')).toThrow(/shellIntegration\.choice/);
    expect(() => patchShellSettings(base, { theme: {} } as never, 'f')).toThrow(/unknown shell settings section "theme"/);
  });

  describe('as conf enforces it', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'revive-shell-schema-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const open = (): Conf<Record<string, unknown>> =>
      new Conf<Record<string, unknown>>({
        cwd: dir,
        configName: SHELL_SETTINGS_NAME,
        schema: shellSettingsJsonSchema() as never,
        defaults: defaultShellSettings() as unknown as Record<string, unknown>,
      });

    it('accepts the defaults and valid writes, and refuses invalid ones on write', () => {
      const conf = open();
      expect(conf.path).toBe(path.join(dir, 'shell.json'));
      conf.set('lastFolders', { addPhotos: '/home/me/Pictures', addFolder: null });
      conf.set('window', { x: -1200, y: 40, width: 1024, height: 700, maximized: false });
      expect(() => conf.set('shellIntegration', { choice: 'sometimes' })).toThrow(/Config schema violation/);
      expect(() => conf.set('window', { x: 0, y: 0, width: 'wide', height: 1 })).toThrow(/Config schema violation/);
      expect(parseShellSettings(open().store, conf.path).lastFolders.addPhotos).toBe('/home/me/Pictures');
    });

    it('refuses a hand-edited file with wrong values when it is read', () => {
      writeFileSync(path.join(dir, 'shell.json'), JSON.stringify({ shellIntegration: { choice: 42 } }));
      expect(() => open()).toThrow(/Config schema violation/);
    });
  });
});
