/**
 * Keeps the one open model session of the engine process between images of a batch.
 *
 * Opening Real-ESRGAN costs hundreds of milliseconds (graph optimisation), so a batch opens it once. A request for a
 * different model, provider or thread count disposes the old session first (one model in memory at a time); the host
 * says when the batch is over ({@link SessionCache.dispose}).
 */
import type { OpenedModel, OpenModelOptions } from './session';
import type { ProviderChoice } from './providers';

export type OpenModelFn = (model: string, opts: OpenModelOptions) => Promise<OpenedModel>;

export interface SessionKey {
  modelPath: string;
  provider: ProviderChoice;
  threads?: number;
}

export class SessionCache {
  readonly #open: OpenModelFn;
  #key: string | undefined;
  #opened: OpenedModel | undefined;
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

  /** Releases the session, if any. */
  async dispose(): Promise<void> {
    const opened = this.#opened;
    this.#opened = undefined;
    this.#key = undefined;
    if (opened) await opened.runner.dispose();
  }
}
