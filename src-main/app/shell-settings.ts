/**
 * The desktop shell's own settings (window place, dialogs' last folders, the file-manager integration choice) in
 * `shell.json` in the user-data folder, kept by electron-store: conf's atomic writes, JSON-Schema validation on every
 * write and versioned migrations, the same mechanism and the same kind of zod-derived schema as the user's settings
 * (settings/settings-store.ts); the schema itself is settings/shell-schema.ts.
 *
 * Unlike the user's settings, a damaged or hand-broken file is not an error worth refusing to start for: the store
 * starts again from the defaults (the worst loss is the window's place).
 */
import ElectronStore, { type Options } from 'electron-store';
import path from 'node:path';
import {
  defaultShellSettings,
  parseShellSettings,
  patchShellSettings,
  SHELL_SETTINGS_NAME,
  shellSettingsJsonSchema,
  type DialogKind,
  type ShellSettings,
  type ShellSettingsPatch,
} from '../settings/shell-schema';
import { takeLegacyWindowState } from './window-state';

type Store = ElectronStore<Record<string, unknown>>;

/** A step from one shell-settings version to the next; `store` is electron-store's (get/set/delete by dotted key). */
export type ShellSettingsMigrations = NonNullable<Options<Record<string, unknown>>['migrations']>;

/**
 * Migrations by the app version that changed the shape (semver; electron-store records `app.getVersion()` and runs
 * the steps between the file's version and the running app's). Empty while the shape is the first one; add one
 * entry per change, e.g. `'0.3.0': (store) => { store.set('lastFolders.addPhotos', store.get('lastFolder')); }`.
 */
export const SHELL_SETTINGS_MIGRATIONS: ShellSettingsMigrations = {};

export interface ShellSettingsOptions {
  /** Absolute folder for `shell.json` (the user-data folder). */
  cwd: string;
  /** Replace the migrations (tests of the mechanism). */
  migrations?: ShellSettingsMigrations;
}

export class ShellSettingsStore {
  readonly #store: Store;

  constructor(options: ShellSettingsOptions) {
    // electron-store would put a relative folder under userData; the caller always knows the folder, so say it.
    if (!path.isAbsolute(options.cwd)) {
      throw new Error(`the shell settings folder must be an absolute path, got ${JSON.stringify(options.cwd)}`);
    }
    this.#store = new ElectronStore<Record<string, unknown>>({
      cwd: options.cwd,
      name: SHELL_SETTINGS_NAME,
      migrations: options.migrations ?? SHELL_SETTINGS_MIGRATIONS,
      schema: shellSettingsJsonSchema() as Options<Record<string, unknown>>['schema'],
      defaults: defaultShellSettings() as unknown as Record<string, unknown>,
      clearInvalidConfig: true,
    });
    // Normalise once: fill nested defaults conf does not merge (it merges one level deep).
    this.#write(parseShellSettings(this.#store.store, this.path));
  }

  /** The settings file. */
  get path(): string {
    return this.#store.path;
  }

  /** The current settings, complete and valid. */
  get(): ShellSettings {
    return parseShellSettings(this.#store.store, this.path);
  }

  /**
   * Changes some fields, validated as a whole before anything is written.
   * @throws naming each offending field; nothing is changed then.
   */
  set(patch: ShellSettingsPatch): ShellSettings {
    const next = patchShellSettings(this.get(), patch, this.path);
    this.#write(next);
    return next;
  }

  /** The folder a dialog should open in: where it picked from last time, or undefined (the system's choice). */
  lastFolder(kind: DialogKind): string | undefined {
    return this.get().lastFolders[kind] ?? undefined;
  }

  /**
   * Remembers where a dialog's pick came from: the folder holding the first photo or folder picked (so "Add a
   * folder" reopens beside the folder, not inside it). Nothing picked changes nothing.
   */
  rememberPick(kind: DialogKind, picked: readonly string[]): void {
    const first = picked[0];
    if (!first) return;
    this.set({ lastFolders: { [kind]: path.dirname(first) } });
  }

  #write(s: ShellSettings): void {
    for (const [k, v] of Object.entries(s)) this.#store.set(k, v);
  }
}

/**
 * Opens the shell settings in the user-data folder, bringing in the window place an older version kept in
 * `window-state.json` (once: that file is removed).
 */
export function openShellSettings(userData: string): ShellSettingsStore {
  const store = new ShellSettingsStore({ cwd: userData });
  const legacy = takeLegacyWindowState(userData);
  if (legacy && !store.get().window) store.set({ window: legacy });
  return store;
}
