/**
 * Starting the engine process, behind a small interface ({@link EngineSpawner}): the CLI and `revive serve` use
 * {@link forkEngine} (child_process.fork), the desktop app passes its utilityProcess spawner
 * (src-main/app/utility-engine.ts); the host cannot tell them apart.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { appPaths } from '../pixels/app-paths';
import type { HostMessage } from './protocol';

/** How the engine process ended. */
export interface EngineExit {
  code: number | null;
  signal: string | null;
  /** The last lines the process wrote to stderr/stdout (for crash reports). */
  outputTail: string;
}

/** What a spawner reports back to the host. */
export interface EngineListeners {
  onMessage(message: unknown): void;
  /** Called exactly once, when the process has ended (or failed to start). */
  onExit(exit: EngineExit): void;
}

/** A running engine process as the host sees it. */
export interface EngineChannel {
  readonly pid: number | undefined;
  send(message: HostMessage): void;
  /**
   * Ends the process at once — a model run cannot be interrupted any other way: SIGKILL under child_process.fork;
   * under utilityProcess its kill() (SIGTERM, which the engine does not handle, or TerminateProcess on Windows).
   */
  kill(): void;
  /**
   * Asks the process to finish: it releases its model and exits. Under child_process.fork this closes the IPC
   * channel; a parent whose channel cannot be closed (utilityProcess) sends {@link ENGINE_CLOSE_REQUEST} instead.
   */
  disconnect(): void;
}

export type EngineSpawner = (listeners: EngineListeners) => EngineChannel;

/**
 * The environment variable naming the engine's cache folder (derived model graphs: engine/process/vae-norm-cache.ts).
 * The host sets it to a folder of the data folder before the engine starts, so nothing is left in the system temp folder.
 */
export const ENGINE_CACHE_ENV = 'REVIVE_ENGINE_CACHE';

export interface ForkOptions {
  /** The child's entry module; default {@link defaultEngineEntry}. */
  entry?: string;
  /** Node options for the child; default: tsx's loader when the entry is TypeScript, none otherwise. */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * The engine entry for the layout this process runs from (pixels/app-paths.ts): `engine/process/main.ts` from source
 * (dev, tests, the CLI under REVIVE_DEV=1), the bundle `dist/engine/main.js` when built or packaged — plain JS that
 * `child_process.fork` and Electron's `utilityProcess.fork` both start without a loader.
 */
export function defaultEngineEntry(): string {
  return appPaths().engineEntry;
}

/**
 * What a parent that cannot close its channel posts to ask the engine to release its model and exit. It travels
 * beside the protocol, not in it: the engine's transport (engine/process/transport.ts) answers it, the request
 * handler never sees it.
 */
export const ENGINE_CLOSE_REQUEST = Object.freeze({ type: 'close-engine' });

/** True for {@link ENGINE_CLOSE_REQUEST} (after a structured clone). */
export function isCloseRequest(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === ENGINE_CLOSE_REQUEST.type;
}

/**
 * Node options the engine entry needs: tsx's loader (by absolute URL, so the child's cwd does not matter) when the
 * entry is TypeScript (running from source), none when it is built JavaScript.
 */
export function engineExecArgv(entry: string): string[] {
  if (!entry.endsWith('.ts')) return [];
  const require = createRequire(import.meta.url);
  return ['--import', pathToFileURL(require.resolve('tsx')).href];
}

const TAIL_BYTES = 4096;

/** The last few KiB a process wrote to stdout/stderr, kept for the crash report ({@link EngineExit.outputTail}). */
export class OutputTail {
  #text = '';

  /** Appends a chunk, dropping the oldest text beyond the limit. */
  readonly keep = (chunk: Buffer | string): void => {
    this.#text = (this.#text + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'))).slice(-TAIL_BYTES);
  };

  get text(): string {
    return this.#text;
  }
}

/** A spawner using child_process.fork (plain Node: the CLI and tests). */
export function forkEngine(options: ForkOptions = {}): EngineSpawner {
  const entry = options.entry ?? defaultEngineEntry();
  const execArgv = options.execArgv ?? engineExecArgv(entry);
  return (listeners) => {
    const tail = new OutputTail();
    let exited = false;
    const child = fork(entry, [], {
      execArgv,
      env: options.env ?? process.env,
      // stdout/stderr are captured, not inherited: the CLI's stdout carries --json lines, and a crash report wants
      // the engine's last words.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    child.stdout?.on('data', tail.keep);
    child.stderr?.on('data', tail.keep);
    const finish = (code: number | null, signal: string | null): void => {
      if (exited) return;
      exited = true;
      listeners.onExit({ code, signal, outputTail: tail.text });
    };
    child.on('message', (m) => listeners.onMessage(m));
    child.on('exit', (code, signal) => finish(code, signal));
    child.on('error', (err) => {
      // Spawn failures and IPC send failures arrive here; a process that never started will not emit 'exit'.
      tail.keep(`\n${err.message}`);
      if (child.pid === undefined) finish(null, null);
    });
    return {
      get pid() {
        return child.pid;
      },
      send(message) {
        child.send(message);
      },
      kill() {
        child.kill('SIGKILL');
      },
      disconnect() {
        if (child.connected) child.disconnect();
      },
    };
  };
}
