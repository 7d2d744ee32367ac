/**
 * The web bridge behind `revive serve`: the built interface and the IPC contract over HTTP + WebSocket, on the
 * loopback interface only, so a browser (or an SSH port-forward to one) can drive the same core as the desktop app.
 *
 * Guards, in the order a request meets them:
 *   1. Host header — must be a loopback name with our port. A DNS-rebinding page reaches us under a foreign name.
 *   2. Token — a random 256-bit secret in the URL we print. The page load with `?token=` sets a SameSite=Strict,
 *      HttpOnly cookie that authorises the page's own requests (scripts, images, uploads); the WebSocket carries the
 *      token in its URL.
 *   3. Origin — the WebSocket handshake and uploads must come from our own origin (another site's page may know our
 *      port, never the token, and its requests carry its own Origin).
 *   4. The allow-list — images and downloads are served only for files the core put on it; a zip (`/zip`) only of
 *      results named by library row or batch, each also on the allow-list.
 * Messages then go through the same dispatcher as Electron IPC (src-main/ipc/dispatch.ts).
 */
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { ReviveCore } from '../core/port';
import { createDispatcher, type Dispatch } from '../ipc/dispatch';
import { createHandlers } from '../ipc/handlers';
import { rendererCsp } from '../core/csp';
import { openConnection, type Connection } from './connection';
import { receiveUpload, refuse, serveAllowedFile } from './files';
import { cookieName, isLoopbackHost, isOwnOrigin, readCookie, tokenMatches } from './guards';
import { serveStatic } from './static';
import { serveResultsZip } from './zip';

export { isLoopbackHost, isOwnOrigin, tokenMatches } from './guards';
export { sanitizeUploadName } from './files';

export interface BridgeOptions {
  core: ReviveCore;
  /** The built interface (vite output with index.html). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Fixed token (tests); default 32 random bytes, hex. */
  token?: string;
  /** Largest accepted upload in bytes (default 1 GiB). */
  maxUploadBytes?: number;
  /** Reports bridge-side failures that no client is waiting for. */
  onError?: (message: string, err?: unknown) => void;
  /** Also used as the dispatcher's hook for handler crashes. */
  platform?: string;
}

export interface Bridge {
  /** The URL to open, token included. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Open WebSocket connections. */
  readonly connections: number;
  close(): Promise<void>;
}

/** The Content-Security-Policy of every page the bridge serves: only our own scripts, styles, images and socket. */
export const BRIDGE_CSP = rendererCsp();

/** Starts the bridge on 127.0.0.1. Resolves once listening. */
export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const token = opts.token ?? randomBytes(32).toString('hex');
  const maxUpload = opts.maxUploadBytes ?? 1024 ** 3;
  const core = opts.core;
  const report = opts.onError ?? (() => undefined);
  const dispatch: Dispatch = createDispatcher(createHandlers(core, { name: 'Revive', platform: opts.platform ?? process.platform }), {
    onInternalError: (channel, err) => report(`handler for ${channel} failed`, err),
  });
  const connections = new Map<string, Connection>();
  let port = 0;

  function authorised(req: IncomingMessage, url: URL): boolean {
    return tokenMatches(url.searchParams.get('token'), token) || tokenMatches(readCookie(req, cookieName(port)), token);
  }

  function handleUpload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> | void {
    if (!isOwnOrigin(req.headers.origin, port)) return refuse(res, 403, 'uploads are accepted from the Revive page only');
    const conn = connections.get(url.searchParams.get('connection') ?? '');
    if (!conn) return refuse(res, 409, 'unknown connection: open the page and its socket first');
    return receiveUpload(req, res, { allowList: core.allowList, uploadDir: conn.uploadDir, name: url.searchParams.get('name') ?? 'upload', maxUpload });
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isLoopbackHost(req.headers.host, port)) return refuse(res, 421, 'this server answers only to 127.0.0.1 or localhost');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (!authorised(req, url)) return refuse(res, 403, 'missing or wrong token: open the URL printed by `revive serve`');
    const method = req.method ?? 'GET';
    if (url.pathname === '/upload' && method === 'POST') return handleUpload(req, res, url);
    if (method !== 'GET' && method !== 'HEAD') return refuse(res, 405, `method ${method} not allowed`);
    if (url.pathname.startsWith('/img/')) return serveAllowedFile(core.allowList, req, res, url.pathname.slice(5), false);
    if (url.pathname.startsWith('/download/')) return serveAllowedFile(core.allowList, req, res, url.pathname.slice(10), true);
    if (url.pathname === '/zip') return serveResultsZip(core, url.searchParams, res);
    const extra: http.OutgoingHttpHeaders = { 'content-security-policy': BRIDGE_CSP };
    if (url.searchParams.has('token')) {
      extra['set-cookie'] = `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
    }
    return serveStatic(opts.rendererDir, url.pathname, res, extra);
  }

  const server = http.createServer((req, res) => {
    handleRequest(req, res).catch((err: unknown) => {
      report(`request ${req.method} ${req.url?.split('?')[0]} failed`, err);
      if (!res.headersSent) refuse(res, 500, (err as Error).message);
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const reject = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!isLoopbackHost(req.headers.host, port)) return reject(421, 'Misdirected Request');
    if (!isOwnOrigin(req.headers.origin, port)) return reject(403, 'Forbidden Origin');
    if (url.pathname !== '/ws' || !tokenMatches(url.searchParams.get('token'), token)) return reject(403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => openConnection(ws, { core, dispatch, connections, report }));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    get connections() {
      return connections.size;
    },
    async close() {
      for (const c of connections.values()) c.socket.terminate();
      connections.clear();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
