/** Installed model packs, the inference device, installs in progress and verification results. */
import type { DeviceInfo, EventPayload, ModelInfo } from '../../../../src-preload/contract';
import type { HostApi } from '../../lib/api/host';

export type InstallProgress = EventPayload<'model:install-progress'>;

export class ModelsState {
  #models = $state<ModelInfo[]>([]);
  #device = $state<DeviceInfo | null>(null);
  #installs = $state<InstallProgress[]>([]);
  #verified = $state<Record<string, { ok: boolean; problems: string[] }>>({});
  #busy = $state<string | null>(null);
  readonly #api: HostApi;
  readonly #report: (err: unknown) => void;

  constructor(api: HostApi, report: (err: unknown) => void) {
    this.#api = api;
    this.#report = report;
  }

  get models(): readonly ModelInfo[] {
    return this.#models;
  }
  get device(): DeviceInfo | null {
    return this.#device;
  }
  get installs(): readonly InstallProgress[] {
    return this.#installs;
  }
  get verified(): Readonly<Record<string, { ok: boolean; problems: string[] }>> {
    return this.#verified;
  }
  /** Id of the pack being verified or removed, or "install". */
  get busy(): string | null {
    return this.#busy;
  }

  byId(id: string): ModelInfo | undefined {
    return this.#models.find((m) => m.id === id);
  }

  async load(): Promise<void> {
    const [models, device] = await Promise.all([this.#api.modelsList(), this.#api.deviceInfo()]);
    this.#models = models.models;
    this.#device = device;
  }

  applyInstallProgress(p: InstallProgress): void {
    const i = this.#installs.findIndex((x) => x.installId === p.installId);
    if (i === -1) this.#installs = [...this.#installs, p];
    else this.#installs[i] = p;
  }

  async install(source: { kind: 'folder'; path: string } | { kind: 'url'; url: string }): Promise<boolean> {
    this.#busy = 'install';
    try {
      await this.#api.modelsAdd({ source });
      await this.load();
      return true;
    } catch (err) {
      this.#report(err);
      return false;
    } finally {
      this.#busy = null;
    }
  }

  async verify(id: string): Promise<void> {
    this.#busy = id;
    try {
      this.#verified = { ...this.#verified, [id]: await this.#api.modelsVerify({ id }) };
    } catch (err) {
      this.#report(err);
    } finally {
      this.#busy = null;
    }
  }

  async remove(id: string): Promise<void> {
    this.#busy = id;
    try {
      await this.#api.modelsRemove({ id });
      await this.load();
    } catch (err) {
      this.#report(err);
    } finally {
      this.#busy = null;
    }
  }

  reset(): void {
    this.#models = [];
    this.#device = null;
    this.#installs = [];
    this.#verified = {};
  }
}
