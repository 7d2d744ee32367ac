/**
 * Keeps the engine process's open model sessions between images of a batch.
 *
 * Opening Real-ESRGAN costs hundreds of milliseconds (graph optimisation) and a diffusion pack's models seconds, so a
 * batch opens each once. A chain uses several (super-resolution, then the face detector and a face pack; later
 * inpaint and colorize packs), so the cache holds every stage's sessions side by side — single models
 * ({@link SessionCache.get}) and groups opened and released together ({@link SessionCache.getGroup}: a diffusion
 * pack's models, the faces stage's detector + restorer). It is bounded: at most {@link SessionCacheOptions.maxEntries}
 * entries and an estimate of their memory (the model files' sizes) within {@link SessionCacheOptions.maxBytes}; the
 * least recently used entries are released first, never the one just asked for. Everything is released when the
 * host says the batch is over ({@link SessionCache.dispose}) or after {@link SessionCacheOptions.idleMs} without a
 * request ({@link SessionCache.endUse} arms that timer; a request in progress is never cut off).
 */
import { statSync } from 'node:fs';
import os from 'node:os';
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

/** How a member is opened besides the group's provider and threads. */
export interface MemberOptions {
  /** onnxruntime's intra-op spin-waiting; see {@link OpenModelOptions.spinning}. */
  spinning?: boolean;
}

/** Opens one model of a group with the group's provider and thread count. */
export type OpenGroupMember = (modelPath: string, opts?: MemberOptions) => Promise<OpenedModel>;

export interface GroupKey {
  /** Identifies what the group holds (pack folder and anything else that changes which models are open). */
  id: string;
  provider: ProviderChoice;
  threads?: number;
}

export interface SessionCacheOptions {
  /** Most entries (models and groups) held at once; default {@link DEFAULT_MAX_ENTRIES}. */
  maxEntries?: number;
  /** Budget for the held entries' estimated memory in bytes; default half of the machine's memory. */
  maxBytes?: number;
  /** Everything is released after this long without a request (ms); default {@link DEFAULT_IDLE_MS}; 0 = never. */
  idleMs?: number;
  /** Estimated memory of one opened model (bytes); default {@link modelFileBytes}. */
  estimateBytes?: (modelPath: string) => number;
}

/** Enough for a whole chain: enhance, faces (one group), inpaint, colorize — and one spare. */
export const DEFAULT_MAX_ENTRIES = 5;
export const DEFAULT_IDLE_MS = 5 * 60_000;

/**
 * A model's weights as its file (and external-data file) sizes: what a session holds at least; the runtime's working
 * memory comes and goes with each run.
 */
export function modelFileBytes(modelPath: string): number {
  let bytes = 0;
  for (const p of [modelPath, `${modelPath}_data`, `${modelPath}.data`]) {
    try {
      bytes += statSync(p).size;
    } catch {
      // No such file: the model has no external data under that name.
    }
  }
  return bytes;
}

interface Entry {
  value: OpenedModel | SessionGroup;
  bytes: number;
  release(): Promise<void>;
}

export class SessionCache {
  readonly #open: OpenModelFn;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #idleMs: number;
  readonly #estimate: (modelPath: string) => number;
  /** In least-recently-used order: a hit moves its entry to the end. */
  readonly #entries = new Map<string, Entry>();
  #idleTimer: NodeJS.Timeout | undefined;
  /** Where late warnings (a GPU failing on its first run) go: the request being served. */
  #onWarning: ((message: string) => void) | undefined;

  constructor(open: OpenModelFn, opts: SessionCacheOptions = {}) {
    this.#open = open;
    this.#maxEntries = Math.max(1, opts.maxEntries ?? DEFAULT_MAX_ENTRIES);
    this.#maxBytes = opts.maxBytes ?? os.totalmem() / 2;
    this.#idleMs = opts.idleMs ?? DEFAULT_IDLE_MS;
    this.#estimate = opts.estimateBytes ?? modelFileBytes;
  }

  /** What is held now, least recently used first (ids as the cache keys them), and the estimated bytes. */
  get held(): { ids: string[]; bytes: number } {
    return { ids: [...this.#entries.keys()], bytes: [...this.#entries.values()].reduce((s, e) => s + e.bytes, 0) };
  }

  /**
   * The session for `key`, opening it when needed. `onWarning` receives this request's warnings: on a fresh open, the
   * provider fallbacks so far; later, anything the session reports while serving it.
   */
  async get(key: SessionKey, onWarning: (message: string) => void): Promise<OpenedModel> {
    this.#onWarning = onWarning;
    const id = JSON.stringify([key.modelPath, key.provider, key.threads ?? null]);
    const hit = this.#touch(id);
    if (hit) return hit.value as OpenedModel;
    // Its size is known before it opens: make room first, so the old and the new are not in memory together.
    await this.#makeRoom(undefined, this.#estimate(key.modelPath), 1);
    const opened = await this.#open(key.modelPath, { ...this.#openOptions(key), onWarning: (m) => this.#onWarning?.(m) });
    for (const w of opened.warnings) onWarning(w);
    await this.#add(id, { value: opened, bytes: this.#estimate(key.modelPath), release: () => opened.runner.dispose() });
    return opened;
  }

  /**
   * The group for `key`, built by `open` when needed. `open` receives a function that opens each member with the
   * key's provider and threads and routes its warnings to the request being served; if `open` fails it must release
   * the members it opened.
   */
  async getGroup<T extends SessionGroup>(
    key: GroupKey,
    open: (openMember: OpenGroupMember) => Promise<T>,
    onWarning: (message: string) => void,
  ): Promise<T> {
    this.#onWarning = onWarning;
    const id = JSON.stringify(['group', key.id, key.provider, key.threads ?? null]);
    // The key names what `open` builds, so the held value is the T a caller with this key asked for.
    const hit = this.#touch(id);
    if (hit) return hit.value as T;
    // Its size is known only once open; a free place at least is made first.
    await this.#makeRoom(undefined, 0, 1);
    let bytes = 0;
    const value = await open(async (modelPath, member = {}) => {
      const opened = await this.#open(modelPath, {
        ...this.#openOptions(key),
        ...(member.spinning !== undefined ? { spinning: member.spinning } : {}),
        onWarning: (m) => this.#onWarning?.(m),
      });
      bytes += this.#estimate(modelPath);
      for (const w of opened.warnings) this.#onWarning?.(w);
      return opened;
    });
    await this.#add(id, { value, bytes, release: () => value.dispose() });
    return value;
  }

  /** A request starts: the idle timer must not release what it is using. */
  beginUse(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  /** A request ended: after {@link SessionCacheOptions.idleMs} without another, everything is released. */
  endUse(): void {
    clearTimeout(this.#idleTimer);
    if (this.#idleMs <= 0 || this.#entries.size === 0) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      // Nothing awaits this: a failure to release is only reported.
      this.dispose().catch((err: unknown) => process.stderr.write(`engine: releasing idle model sessions failed: ${String(err)}\n`));
    }, this.#idleMs);
    // An idle engine must not stay alive for its timer alone.
    this.#idleTimer.unref();
  }

  /** Releases every held session and group. */
  async dispose(): Promise<void> {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await releaseAll(entries);
  }

  #openOptions(key: { provider: ProviderChoice; threads?: number }): OpenModelOptions {
    return { provider: key.provider, ...(key.threads !== undefined ? { threads: key.threads } : {}) };
  }

  #touch(id: string): Entry | undefined {
    const hit = this.#entries.get(id);
    if (hit) {
      this.#entries.delete(id);
      this.#entries.set(id, hit);
    }
    return hit;
  }

  /** Holds a new entry, then releases the least recently used others until the bounds hold again. */
  async #add(id: string, entry: Entry): Promise<void> {
    this.#entries.set(id, entry);
    await this.#makeRoom(id, 0, 0);
  }

  /**
   * Releases least recently used entries (never `keep`) until `extraEntries` more entries of `extraBytes` more bytes
   * would fit the bounds.
   */
  async #makeRoom(keep: string | undefined, extraBytes: number, extraEntries: number): Promise<void> {
    const evicted: Entry[] = [];
    let bytes = this.held.bytes + extraBytes;
    for (const [id, entry] of this.#entries) {
      if (this.#entries.size + extraEntries <= this.#maxEntries && bytes <= this.#maxBytes) break;
      if (id === keep) continue;
      this.#entries.delete(id);
      bytes -= entry.bytes;
      evicted.push(entry);
    }
    await releaseAll(evicted);
  }
}

/** Releases every entry even when one fails; the first failure is rethrown after all were tried. */
async function releaseAll(entries: readonly Entry[]): Promise<void> {
  const results = await Promise.allSettled(entries.map((e) => e.release()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
