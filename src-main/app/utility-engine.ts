/**
 * The desktop app's engine spawner: Electron's utilityProcess.fork instead of child_process.fork. A utility process
 * is Chromium's kind of Node child: it shows up as "Revive engine" in `app.getAppMetrics()` and in
 * `child-process-gone`, runs Node with Electron's own runtime (no separate Node needed in the package), and dies
 * with the app. The host (engine/host.ts) sees the same {@link EngineChannel} as under fork; the child's side of the
 * difference is engine/process/transport.ts.
 *
 * utilityProcess.fork may only be called after the app's `ready` event; the host calls the spawner on the first
 * request, which the core makes only after `ready`.
 */
import { utilityProcess, type UtilityProcess } from 'electron';
import {
  defaultEngineEntry,
  ENGINE_CLOSE_REQUEST,
  engineExecArgv,
  OutputTail,
  type EngineChannel,
  type EngineListeners,
  type EngineSpawner,
} from '../engine/spawn';

/** The name the engine process carries in Electron's process metrics. */
export const ENGINE_SERVICE_NAME = 'Revive engine';

export interface UtilityEngineOptions {
  /**
   * The engine's entry module; default the one beside engine/spawn (`process/main.ts` from source). A build that
   * bundles the engine passes its output file here.
   */
  entry?: string;
  /** Node options for the child; default tsx's loader when the entry is TypeScript, none otherwise. */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
}

/** `process.env` without unset keys: utilityProcess wants string values only. */
function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** A channel to a process that never started: sends go nowhere, the exit has been reported. */
function deadChannel(): EngineChannel {
  return { pid: undefined, send() {}, kill() {}, disconnect() {} };
}

/** A spawner using Electron's utilityProcess.fork (the desktop app). */
export function utilityEngine(options: UtilityEngineOptions = {}): EngineSpawner {
  const entry = options.entry ?? defaultEngineEntry();
  const execArgv = options.execArgv ?? engineExecArgv(entry);
  return (listeners: EngineListeners): EngineChannel => {
    const tail = new OutputTail();
    let exited = false;
    const finish = (code: number | null): void => {
      if (exited) return;
      exited = true;
      listeners.onExit({ code, signal: null, outputTail: tail.text });
    };
    let child: UtilityProcess;
    try {
      child = utilityProcess.fork(entry, [], {
        execArgv,
        env: stringEnv(options.env ?? process.env),
        serviceName: ENGINE_SERVICE_NAME,
        // Captured, not inherited: a crash report wants the engine's last words.
        stdio: 'pipe',
      });
    } catch (err) {
      // A process that never started emits nothing: report the exit ourselves, after the host has the channel.
      tail.keep(String((err as Error).message ?? err));
      queueMicrotask(() => finish(null));
      return deadChannel();
    }
    child.stdout?.on('data', tail.keep);
    child.stderr?.on('data', tail.keep);
    child.on('message', (m: unknown) => listeners.onMessage(m));
    // 'error' (a V8 fatal error) is always followed by 'exit'; keep its location for the report.
    child.on('error', (type: string, location: string) => tail.keep(`\n${type} at ${location}`));
    child.on('exit', (code: number) => finish(code));
    // kill() before the process has spawned does nothing (it has no pid yet): kill it as soon as it has one.
    let killWhenSpawned = false;
    child.once('spawn', () => {
      if (killWhenSpawned) child.kill();
    });
    return {
      get pid() {
        return child.pid;
      },
      send(message) {
        if (!exited) child.postMessage(message);
      },
      kill() {
        // SIGTERM on POSIX, TerminateProcess on Windows; the engine installs no SIGTERM handler, so it ends at once.
        if (exited) return;
        if (child.pid === undefined || !child.kill()) killWhenSpawned = true;
      },
      disconnect() {
        if (!exited) child.postMessage(ENGINE_CLOSE_REQUEST);
      },
    };
  };
}
