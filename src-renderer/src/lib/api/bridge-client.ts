/**
 * `window.revive` for a page opened in a browser from `revive serve`: the same contract, carried over the bridge's
 * WebSocket instead of Electron IPC. Requests are matched to responses by id; events fan out to subscribers.
 * Files the user drops are uploaded into this connection's folder on the host first, then added by their host path.
 */
import { createApi, type Transport } from '../../../../src-preload/api';
import type { Channel, EventName, Result, ReviveApi } from '../../../../src-preload/contract';
import type { HostExtras } from './host';

interface Pending {
  resolve: (r: Result<unknown>) => void;
}

type ServerMessage =
  | { type: 'hello'; connectionId: string }
  | { type: 'result'; id: number | null; result: Result<unknown> }
  | { type: 'event'; event: EventName; payload: unknown };

export interface BridgeClient {
  api: ReviveApi & HostExtras;
  /** Resolves when the socket is open and the server said hello. */
  ready: Promise<void>;
  close(): void;
}

export interface BridgeClientOptions {
  /** Page URL (default `location.href`): gives the host, port and token. */
  pageUrl?: string;
  /** For tests. */
  WebSocketImpl?: typeof WebSocket;
  fetchImpl?: typeof fetch;
}

/** Connects to the bridge that served this page. */
export function connectBridge(opts: BridgeClientOptions = {}): BridgeClient {
  const page = new URL(opts.pageUrl ?? location.href);
  const token = page.searchParams.get('token') ?? '';
  const WS = opts.WebSocketImpl ?? WebSocket;
  const doFetch = opts.fetchImpl ?? fetch.bind(globalThis);
  const socket = new WS(`${page.protocol === 'https:' ? 'wss' : 'ws'}://${page.host}/ws?token=${encodeURIComponent(token)}`);
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let connectionId: string | null = null;
  let closedError: string | null = null;

  const ready = new Promise<void>((resolve, reject) => {
    socket.addEventListener('message', (ev: MessageEvent) => {
      const msg = JSON.parse(String(ev.data)) as ServerMessage;
      if (msg.type === 'hello') {
        connectionId = msg.connectionId;
        resolve();
      } else if (msg.type === 'result' && msg.id !== null) {
        pending.get(msg.id)?.resolve(msg.result);
        pending.delete(msg.id);
      } else if (msg.type === 'event') {
        for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
      }
    });
    socket.addEventListener('close', () => {
      closedError = 'the connection to Revive closed; reload the page';
      for (const p of pending.values()) p.resolve({ ok: false, error: { code: 'DISCONNECTED', message: closedError } });
      pending.clear();
      reject(new Error(closedError));
    });
  });
  // A page that never connects should show the failure where it is awaited, not as an unhandled rejection.
  ready.catch(() => undefined);

  const transport: Transport = {
    async invoke(channel: Channel, payload: unknown) {
      await ready.catch(() => undefined);
      if (closedError) return { ok: false, error: { code: 'DISCONNECTED', message: closedError } };
      const id = nextId++;
      return new Promise<Result<unknown>>((resolve) => {
        pending.set(id, { resolve });
        socket.send(JSON.stringify({ type: 'invoke', id, channel, payload }));
      });
    },
    subscribe(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
  };

  const extras: HostExtras = {
    async upload(files, onProgress) {
      await ready;
      const paths: string[] = [];
      let done = 0;
      for (const file of files) {
        const res = await doFetch(`/upload?connection=${encodeURIComponent(connectionId ?? '')}&name=${encodeURIComponent(file.name)}`, {
          method: 'POST',
          body: file,
          credentials: 'same-origin',
        });
        if (!res.ok) throw new Error(`upload of ${file.name} failed: ${res.status} ${(await res.text()).trim()}`);
        paths.push(((await res.json()) as { path: string }).path);
        done += 1;
        onProgress?.(done, files.length);
      }
      return paths;
    },
  };

  return { api: Object.assign(createApi(transport), extras), ready, close: () => socket.close() };
}
