/**
 * The parent side of the engine process: {@link EngineHost}.
 *
 * The host owns at most one engine process, started on first use, and sends it one request at a time (callers may
 * call `enhance` concurrently; requests queue). Faults stay per item:
 * - cancelling (AbortSignal) kills the process — onnxruntime's session.run cannot be interrupted — removes the item's
 *   temp file and rejects with AbortedError;
 * - if the process dies on its own (crash, OOM killer), the item fails with ENGINE_CRASHED and the reason
 *   ("engine process exited with signal SIGKILL"); the next request starts a fresh process.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { atomicLeftovers } from '../imaging/atomic';
import { EXIFTOOL_WATCH_MS } from '../imaging/exiftool-watchdog';

/**
 * Removes a dead engine's temp files. When there were any, the engine died mid-write and its ExifTool may still be
 * finishing an edit — renaming its `<temp>_exiftool_tmp` over the temp file — until its watchdog sees the engine gone
 * (imaging/exiftool-watchdog.ts): so look again once that time has passed (found by test/fault/process-tree.test.ts:
 * a temp file reappeared after `revive serve` was stopped mid-write).
 */
async function removeLeftovers(files: readonly string[]): Promise<void> {
  const present = files.filter((f) => existsSync(f));
  await Promise.all(files.map((f) => rm(f, { force: true })));
  if (present.length === 0) return;
  await new Promise((r) => setTimeout(r, 3 * EXIFTOOL_WATCH_MS + 200));
  await Promise.all(files.map((f) => rm(f, { force: true })));
}
import type { FaceBox } from '../pipelines/faces/face-box';
import { AbortedError, type StageProgress } from '../pixels/types';
import { describeIssues } from '../pixels/zod-issues';
import { EngineError } from './engine-error';
import { requestFromJob, type EnhanceJob } from './enhance-job';
import {
  ENGINE_ERROR_CODES,
  EngineEventSchema,
  EnhanceRequestSchema,
  type ColorizeReport,
  type EngineEvent,
  type EnhanceRequest,
} from './protocol';
import { forkEngine, type EngineChannel, type EngineExit, type EngineSpawner } from './spawn';

export type { EnhanceJob } from './enhance-job';

export interface EnhanceResult {
  id: string;
  width: number;
  height: number;
  ms: number;
  provider: string;
  /** Warnings the engine reported for this item (provider fallback, smaller tiles after out-of-memory). */
  warnings: string[];
  /** The faces stage's boxes in the written image (absent when the chain had no faces stage). */
  faces?: FaceBox[];
  /** What the colour stage did, when the chain had one. */
  colorize?: ColorizeReport;
}

export interface EnhanceCallbacks {
  onProgress?: (p: StageProgress) => void;
  onWarning?: (message: string) => void;
  /** Time estimates for the model stages still to run (diffusion on the CPU), refined as stages start. */
  onEstimate?: (e: { ms: number; basis: string }) => void;
  signal?: AbortSignal;
}

export interface EngineHostOptions {
  /** How to start the engine process; default child_process.fork of engine/process/main. */
  spawner?: EngineSpawner;
}

/** The request in flight and how to settle it. */
interface Active {
  id: string;
  kind: 'enhance' | 'dispose';
  /** Output path (enhance only), for temp-file cleanup. */
  output?: string;
  callbacks: EnhanceCallbacks;
  warnings: string[];
  cancelled: boolean;
  resolve(value: EnhanceResult | undefined): void;
  reject(err: Error): void;
}

/** One line saying how the engine ended, for the failed item's message. */
export function describeExit(exit: EngineExit): string {
  const how = exit.signal ? `with signal ${exit.signal}` : exit.code !== null ? `with code ${exit.code}` : 'before it could start';
  const last = exit.outputTail.trim().split('\n').filter((l) => l.trim()).pop();
  return `engine process exited ${how}${last ? ` (last output: ${last.trim().slice(0, 300)})` : ''}`;
}

export class EngineHost {
  readonly #spawn: EngineSpawner;
  #channel: EngineChannel | undefined;
  #active: Active | undefined;
  /** Serialises requests: each waits for the previous one to settle. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Resolvers waiting for the current process to exit (close, kill). */
  #exitWaiters: (() => void)[] = [];
  /** Set when the host killed the engine for breaking the protocol; reported instead of "exited with signal". */
  #protocolError: string | undefined;

  constructor(options: EngineHostOptions = {}) {
    this.#spawn = options.spawner ?? forkEngine();
  }

  /** Process id of the running engine, if one is running (tests use it to simulate crashes). */
  get pid(): number | undefined {
    return this.#channel?.pid;
  }

  /**
   * Enhances one image in the engine process. Resolves when the output file is in place; rejects with AbortedError
   * when cancelled, with EngineError (code ENGINE_CRASHED, …) when the engine died, or with EngineError carrying the
   * engine's code (NOT_AN_IMAGE, CORRUPT, …) when the item failed.
   */
  enhance(job: EnhanceJob, callbacks: EnhanceCallbacks = {}): Promise<EnhanceResult> {
    let raw: Record<string, unknown>;
    try {
      raw = requestFromJob(job, job.id ?? randomUUID());
    } catch (err) {
      return Promise.reject(new EngineError('BAD_REQUEST', `invalid enhance request: ${(err as Error).message}`));
    }
    const parsed = EnhanceRequestSchema.safeParse(raw);
    if (!parsed.success) {
      return Promise.reject(new EngineError('BAD_REQUEST', `invalid enhance request: ${describeIssues(parsed.error)}`));
    }
    const request = parsed.data;
    const run = this.#queue.then(() => this.#run(request, callbacks));
    this.#queue = run.catch(() => undefined);
    return run as Promise<EnhanceResult>;
  }

  /** Releases the engine's cached model session (end of a batch). A no-op when no engine runs. */
  disposeSessions(): Promise<void> {
    const run = this.#queue.then(async () => {
      if (!this.#channel) return;
      const id = randomUUID();
      await new Promise<EnhanceResult | undefined>((resolve, reject) => {
        this.#active = { id, kind: 'dispose', callbacks: {}, warnings: [], cancelled: false, resolve, reject };
        this.#channel!.send({ type: 'dispose', id });
      });
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Same as {@link disposeSessions} (the job runner's Engine interface). */
  dispose(): Promise<void> {
    return this.disposeSessions();
  }

  /** Lets queued work finish, then asks the engine to exit and waits until it has (killing it after `graceMs`). */
  async close(graceMs = 5000): Promise<void> {
    await this.#queue;
    const channel = this.#channel;
    if (!channel) return;
    const exited = new Promise<void>((resolve) => this.#exitWaiters.push(resolve));
    channel.disconnect();
    const timer = setTimeout(() => channel.kill(), graceMs);
    await exited;
    clearTimeout(timer);
  }

  #ensureChannel(): EngineChannel {
    if (this.#channel) return this.#channel;
    const channel = this.#spawn({
      onMessage: (m) => this.#onMessage(channel, m),
      onExit: (exit) => this.#onExit(channel, exit),
    });
    this.#channel = channel;
    return channel;
  }

  async #run(request: EnhanceRequest, callbacks: EnhanceCallbacks): Promise<EnhanceResult> {
    const { signal } = callbacks;
    if (signal?.aborted) throw new AbortedError();
    const channel = this.#ensureChannel();
    const result = new Promise<EnhanceResult | undefined>((resolve, reject) => {
      this.#active = {
        id: request.id,
        kind: 'enhance',
        output: request.output,
        callbacks,
        warnings: [],
        cancelled: false,
        resolve,
        reject,
      };
    });
    const onAbort = (): void => {
      const active = this.#active;
      if (!active || active.id !== request.id) return;
      active.cancelled = true;
      channel.kill();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      channel.send(request);
      return (await result)!;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #onMessage(channel: EngineChannel, raw: unknown): void {
    if (channel !== this.#channel) return; // a late message from a process already replaced
    const active = this.#active;
    const parsed = EngineEventSchema.safeParse(raw);
    if (!parsed.success || !active || parsed.data.id !== active.id) {
      // The engine broke the protocol: it cannot be trusted with further work. Killing it settles the active item
      // (ENGINE_CRASHED with this reason) through onExit.
      const why = !parsed.success ? describeIssues(parsed.error) : `event for unknown request ${parsed.data.id}`;
      this.#protocolError = `protocol error from the engine: ${why}`;
      channel.kill();
      return;
    }
    this.#handleEvent(active, parsed.data);
  }

  #handleEvent(active: Active, event: EngineEvent): void {
    switch (event.type) {
      case 'progress':
        active.callbacks.onProgress?.({ stage: event.stage, done: event.done, total: event.total });
        return;
      case 'warning':
        active.warnings.push(event.message);
        active.callbacks.onWarning?.(event.message);
        return;
      case 'estimate':
        active.callbacks.onEstimate?.({ ms: event.ms, basis: event.basis });
        return;
      case 'done':
        this.#active = undefined;
        active.resolve({
          id: event.id,
          width: event.width,
          height: event.height,
          ms: event.ms,
          provider: event.provider,
          warnings: active.warnings,
          ...(event.faces ? { faces: event.faces } : {}),
          ...(event.colorize ? { colorize: event.colorize } : {}),
        });
        return;
      case 'disposed':
        this.#active = undefined;
        active.resolve(undefined);
        return;
      case 'failed':
        this.#active = undefined;
        active.reject(new EngineError(event.code, event.message));
        return;
    }
  }

  #onExit(channel: EngineChannel, exit: EngineExit): void {
    if (channel !== this.#channel) return;
    this.#channel = undefined;
    const active = this.#active;
    this.#active = undefined;
    const protocolError = this.#protocolError;
    this.#protocolError = undefined;
    const waiters = this.#exitWaiters.splice(0);
    const settle = async (): Promise<void> => {
      if (!active) return;
      if (active.kind === 'dispose') {
        active.resolve(undefined); // no process, no session: disposed either way
        return;
      }
      // The engine may have died mid-write: its temp files are named after the request id.
      const output = active.output;
      const cleanup = output
        ? await removeLeftovers(atomicLeftovers(output, active.id)).then(
            () => '',
            (e: unknown) => `; its temp file could not be removed (${String(e)})`,
          )
        : '';
      if (active.cancelled) {
        active.reject(cleanup ? new EngineError(ENGINE_ERROR_CODES.INTERNAL, `cancelled${cleanup}`) : new AbortedError());
      } else {
        const why = protocolError ?? describeExit(exit);
        const code = protocolError ? ENGINE_ERROR_CODES.PROTOCOL : ENGINE_ERROR_CODES.ENGINE_CRASHED;
        active.reject(new EngineError(code, `${why}${cleanup}`));
      }
    };
    void settle().finally(() => waiters.forEach((w) => w()));
  }
}
