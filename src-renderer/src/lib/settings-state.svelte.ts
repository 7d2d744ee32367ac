/** The user's settings: defaults for new jobs and interface preferences, kept in the core (`settings:*`). */
import type { AppSettings, RestoreSettings } from '../../../src-preload/contract';
import type { HostApi } from './api/host';

export class SettingsState {
  #value = $state<AppSettings | null>(null);
  readonly #api: HostApi;
  readonly #report: (err: unknown) => void;

  constructor(api: HostApi, report: (err: unknown) => void) {
    this.#api = api;
    this.#report = report;
  }

  get value(): AppSettings | null {
    return this.#value;
  }

  /** The defaults a new job starts from. */
  get defaults(): RestoreSettings | null {
    return this.#value?.defaults ?? null;
  }

  async load(): Promise<void> {
    this.#value = await this.#api.settingsGet();
  }

  /** Changes some job defaults; the core validates and returns the whole result. */
  async setDefaults(patch: Partial<RestoreSettings>): Promise<void> {
    await this.update({ defaults: patch });
  }

  async update(patch: Parameters<HostApi['settingsSet']>[0]['patch']): Promise<void> {
    try {
      this.#value = await this.#api.settingsSet({ patch });
    } catch (err) {
      this.#report(err);
    }
  }

  reset(): void {
    this.#value = null;
  }
}
