/**
 * Reading and writing settings with `conf` (a JSON file written atomically, validated by the JSON Schema on every
 * write, with versioned migrations). Outside Electron conf needs an absolute `cwd`: the user-data folder.
 *
 * On open: conf runs the migrations between the file's recorded version and {@link SETTINGS_VERSION}, then the
 * content is parsed with the zod schema, which fills fields added since the file was written (conf only merges
 * defaults one level deep) and rejects values that are wrong, naming them.
 */
import Conf, { type Options } from 'conf';
import path from 'node:path';
import { describeIssues } from '../pixels/zod-issues';
import { defaultSettings, type Settings, type SettingsPatch, SettingsSchema, settingsJsonSchema, SETTINGS_VERSION } from './schema';
import { DEFAULT_SUFFIX, type JobSettings } from './job-settings';
import { namePatternProblem } from './name-pattern';

/** A step from one settings version to the next; `store` is conf's (get/set/delete by dotted key). */
export type SettingsMigrations = NonNullable<Options<Record<string, unknown>>['migrations']>;

/**
 * Migrations by the version that introduced them (semver); add one entry per change of the format, e.g.
 * `'1.2.0': (store) => { store.set('enhance.outputDir', store.get('outputFolder')); … }`.
 */
export const SETTINGS_MIGRATIONS: SettingsMigrations = {
  // 1.1.0 named results by pattern: a suffix the user chose keeps naming their results ("{name}<suffix>"); the old
  // default suffix gives way to the new default pattern (which the schema fills in).
  '1.1.0': (store) => {
    const suffix = store.get('enhance.suffix');
    if (store.get('enhance.namePattern') !== undefined || typeof suffix !== 'string' || suffix === DEFAULT_SUFFIX) return;
    const pattern = `{name}${suffix}`;
    if (namePatternProblem(pattern) === null) store.set('enhance.namePattern', pattern);
  },
};

export interface SettingsOptions {
  /** Absolute folder for `settings.json` (the user-data folder). */
  cwd: string;
  /** Replace the migrations and version (tests of the mechanism). */
  migrations?: SettingsMigrations;
  version?: string;
}

export class SettingsStore {
  readonly #conf: Conf<Record<string, unknown>>;

  constructor(options: SettingsOptions) {
    if (!path.isAbsolute(options.cwd)) {
      throw new Error(`the settings folder must be an absolute path, got ${JSON.stringify(options.cwd)}`);
    }
    this.#conf = new Conf<Record<string, unknown>>({
      cwd: options.cwd,
      configName: 'settings',
      projectVersion: options.version ?? SETTINGS_VERSION,
      migrations: options.migrations ?? SETTINGS_MIGRATIONS,
      schema: settingsJsonSchema().properties as Options<Record<string, unknown>>['schema'],
      defaults: defaultSettings() as unknown as Record<string, unknown>,
    });
    // Normalise once: fill nested defaults, reject a hand-edited file with wrong values (naming them).
    this.#write(this.#parse(this.#conf.store));
  }

  /** The settings file. */
  get path(): string {
    return this.#conf.path;
  }

  /** The current settings, complete and valid. */
  get(): Settings {
    return this.#parse(this.#conf.store);
  }

  /**
   * Changes some fields. Validated as a whole before anything is written.
   * @throws naming each offending field; nothing is changed then.
   */
  set(patch: SettingsPatch): Settings {
    const current = this.get();
    const merged: Record<string, unknown> = { ...current };
    for (const [section, values] of Object.entries(patch)) {
      if (!(section in current)) throw new Error(`unknown settings section ${JSON.stringify(section)}`);
      merged[section] = { ...(current as Record<string, object>)[section], ...(values as object) };
    }
    const next = this.#parse(merged);
    this.#write(next);
    return next;
  }

  /** Back to the defaults. */
  reset(): Settings {
    const d = defaultSettings();
    this.#write(d);
    return d;
  }

  /** A new job's settings snapshot: the enhance defaults with per-batch changes. */
  jobSettings(changes: Partial<JobSettings> = {}): JobSettings {
    const r = SettingsSchema.shape.enhance.safeParse({ ...this.get().enhance, ...changes });
    if (!r.success) throw new Error(`invalid settings for this batch — ${describeIssues(r.error)}`);
    return r.data;
  }

  #parse(value: unknown): Settings {
    const { __internal__: _internal, ...rest } = value as Record<string, unknown>;
    const r = SettingsSchema.safeParse(rest);
    if (!r.success) throw new Error(`invalid settings in ${this.#conf.path} — ${describeIssues(r.error)}`);
    return r.data;
  }

  #write(s: Settings): void {
    for (const [k, v] of Object.entries(s)) this.#conf.set(k, v);
  }
}
