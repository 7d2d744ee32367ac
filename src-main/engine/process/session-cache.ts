/**
 * Keeps the one open model session of the engine process between images of a batch.
 *
 * Opening Real-ESRGAN costs hundreds of milliseconds (graph optimisation), so a batch opens it once. A request for a
 * different model, provider or thread count disposes the old session first (one model in memory at a time); the host
 * says when the batch is over ({@link SessionCache.dispose}). A diffusion pack's four or five models are held the same
 * way, as one group ({@link SessionCache.getGroup}).
 */
import type { OpenedModel, OpenModelOptions } from './session';
import type { ProviderChoice } from './providers';

export type OpenModelFn = (model: string, opts: OpenModelOptions) => Promise<OpenedModel>;

export interface SessionKey {
  modelPath: string;
  provider: ProviderChoice;
  threads?: number;
}

/** Several sessions opened and released together (a diffusion pack's models), cached like one model. */
export interface SessionGroup {
  dispose(): Promise<void>;
}

/** Opens one model of a group with the group's provider and thread count. */
export type OpenGroupMember = (modelPath: string) => Promise<OpenedModel>;

export interface GroupKey {
  /** Identifies what the group holds (pack folder and anything else that changes which models are open). */
  id: string;
  provider: ProviderChoice;
  threads?: number;
}

export class SessionCache {
  readonly #open: OpenModelFn;
  #key: string | undefined;
  #opened: OpenedModel | undefined;
  #group: { key: string; value: SessionGroup } | undefined;
  /** Where late warnings (a GPU failing on its first run) go: the request being served. */
  #onWarning: ((message: string) => void) | undefined;

  constructor(open: OpenModelFn) {
    this.#open = open;
  }

  /**
   * The session for `key`, opening it (and disposing any other) when needed. `onWarning` receives this request's
   * warnings: on a fresh open, the provider fallbacks so far; later, anything the session reports while serving it.
   */
  async get(key: SessionKey, onWarning: (message: string) => void): Promise<OpenedModel> {
    this.#onWarning = onWarning;
    const id = JSON.stringify([key.modelPath, key.provider, key.threads ?? null]);
    if (this.#opened && this.#key === id) return this.#opened;
    await this.dispose();
    const opened = await this.#open(key.modelPath, {
      provider: key.provider,
      ...(key.threads !== undefined ? { threads: key.threads } : {}),
      onWarning: (m) => this.#onWarning?.(m),
    });
    this.#opened = opened;
    this.#key = id;
    for (const w of opened.warnings) onWarning(w);
    return opened;
  }

  /**
   * The group for `key`, built by `open` when needed (disposing whatever else is held: one pack in memory at a time).
   * `open` receives a function that opens each member with the key's provider and threads and routes its warnings to
   * the request being served; if `open` fails it must release the members it opened.
   */
  async getGroup<T extends SessionGroup>(
    key: GroupKey,
    open: (openMember: OpenGroupMember) => Promise<T>,
    onWarning: (message: string) => void,
  ): Promise<T> {
    this.#onWarning = onWarning;
    const id = JSON.stringify(['group', key.id, key.provider, key.threads ?? null]);
    // The key names what `open` builds, so the held value is the T a caller with this key asked for.
    if (this.#group && this.#group.key === id) return this.#group.value as T;
    await this.dispose();
    const value = await open(async (modelPath) => {
      const opened = await this.#open(modelPath, {
        provider: key.provider,
        ...(key.threads !== undefined ? { threads: key.threads } : {}),
        onWarning: (m) => this.#onWarning?.(m),
      });
      for (const w of opened.warnings) this.#onWarning?.(w);
      return opened;
    });
    this.#group = { key: id, value };
    return value;
  }

  /** Releases the session or group, if any. */
  async dispose(): Promise<void> {
    const opened = this.#opened;
    const group = this.#group;
    this.#opened = undefined;
    this.#key = undefined;
    this.#group = undefined;
    if (opened) await opened.runner.dispose();
    if (group) await group.value.dispose();
  }
}
