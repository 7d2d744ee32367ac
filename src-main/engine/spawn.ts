/**
 * Starting the engine process, behind a small interface so the Electron shell can swap child_process.fork for
 * utilityProcess.fork without touching the host.
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
  /** Ends the process at once (SIGKILL where signals exist): a model run cannot be interrupted any other way. */
  kill(): void;
  /** Asks the process to finish: it releases its model and exits when the channel closes. */
  disconnect(): void;
}

export type EngineSpawner = (listeners: EngineListeners) => EngineChannel;

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

/** Node options that let a child run TypeScript: tsx's loader by absolute URL, so the child's cwd does not matter. */
function tsxExecArgv(): string[] {
  const require = createRequire(import.meta.url);
  return ['--import', pathToFileURL(require.resolve('tsx')).href];
}

const TAIL_BYTES = 4096;

/** A spawner using child_process.fork (plain Node: the CLI and tests). */
export function forkEngine(options: ForkOptions = {}): EngineSpawner {
  const entry = options.entry ?? defaultEngineEntry();
  const execArgv = options.execArgv ?? (entry.endsWith('.ts') ? tsxExecArgv() : []);
  return (listeners) => {
    let tail = '';
    let exited = false;
    const keepTail = (chunk: Buffer): void => {
      tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
    };
    const child = fork(entry, [], {
      execArgv,
      env: options.env ?? process.env,
      // stdout/stderr are captured, not inherited: the CLI's stdout carries --json lines, and a crash report wants
      // the engine's last words.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    child.stdout?.on('data', keepTail);
    child.stderr?.on('data', keepTail);
    const finish = (code: number | null, signal: string | null): void => {
      if (exited) return;
      exited = true;
      listeners.onExit({ code, signal, outputTail: tail });
    };
    child.on('message', (m) => listeners.onMessage(m));
    child.on('exit', (code, signal) => finish(code, signal));
    child.on('error', (err) => {
      // Spawn failures and IPC send failures arrive here; a process that never started will not emit 'exit'.
      keepTail(Buffer.from(`\n${err.message}`));
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
