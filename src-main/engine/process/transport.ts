/**
 * The engine process's line to its parent, whichever started it:
 * - child_process.fork (the CLI, `revive serve`, tests): `process.send` / `process.on('message')`; the parent going
 *   away closes the IPC channel and Node emits 'disconnect'.
 * - Electron's utilityProcess.fork (the desktop app): `process.parentPort` (`postMessage`, 'message' events carrying
 *   `{ data }`). A parentPort has no 'disconnect': the parent asks for an orderly end with the close request
 *   (`ENGINE_CLOSE_REQUEST`, engine/spawn.ts). If the main process dies, the utility process dies with it: it is a
 *   Chromium child process, and a child whose channel to the browser process breaks quits its run loop and exits.
 *   The model is then not released in order, but its memory goes with the process, so no orphan keeps it.
 *
 * Either way the request handler sees the same three things: messages in, events out, and one "close".
 */
import { isCloseRequest } from '../spawn';

/** The engine's view of its parent. */
export interface ParentLink {
  /** Which mechanism carries the messages (diagnostics and tests). */
  readonly kind: 'fork' | 'utility';
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called at most once, when the parent has gone away or asked the engine to finish. */
  onClose(listener: () => void): void;
}

/** The parts of Electron's `process.parentPort` the engine uses. */
export interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
}

/** The parts of `process` the engine's transport reads (a parameter so tests can pass a stand-in). */
export interface ProcessLike {
  parentPort?: ParentPortLike | null;
  send?: ((message: unknown) => boolean) | undefined;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
}

/** Calls each close listener once, however many times the close arrives. */
function closeOnce(): { listen(fn: () => void): void; fire(): void } {
  const listeners: (() => void)[] = [];
  let closed = false;
  return {
    listen: (fn) => void listeners.push(fn),
    fire: () => {
      if (closed) return;
      closed = true;
      for (const fn of listeners) fn();
    },
  };
}

function utilityLink(port: ParentPortLike): ParentLink {
  const close = closeOnce();
  const listeners: ((message: unknown) => void)[] = [];
  port.on('message', (event) => {
    if (isCloseRequest(event.data)) close.fire();
    else for (const fn of listeners) fn(event.data);
  });
  return {
    kind: 'utility',
    send: (message) => port.postMessage(message),
    onMessage: (fn) => void listeners.push(fn),
    onClose: close.listen,
  };
}

function forkLink(proc: ProcessLike & { send: (message: unknown) => boolean }): ParentLink {
  const close = closeOnce();
  proc.on('disconnect', close.fire);
  return {
    kind: 'fork',
    send: (message) => void proc.send(message),
    onMessage: (fn) => void proc.on('message', fn),
    onClose: close.listen,
  };
}

/**
 * The link to the parent, or null when this process was started some other way (from a shell: there is nobody to
 * serve). A parentPort wins over `process.send`: Electron gives a utility process the former only.
 */
export function connectToParent(proc: ProcessLike = process as unknown as ProcessLike): ParentLink | null {
  if (proc.parentPort) return utilityLink(proc.parentPort);
  if (typeof proc.send === 'function') return forkLink(proc as ProcessLike & { send: (message: unknown) => boolean });
  return null;
}
