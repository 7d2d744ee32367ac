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
 *   4. The allow-list — images and downloads are served only for files the core put on it.
 * Messages then go through the same dispatcher as Electron IPC (src-main/ipc/dispatch.ts).
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { ERROR_CODES, type Result } from '../../src-preload/contract';
import { allowFileAndTarget, imageContentType, resolveAllowedFile } from '../core/allowed-file';
import { CodedError, errorCode } from '../pixels/coded-error';
import type { ReviveCore } from '../core/port';
import { createDispatcher, type CallContext, type Dispatch } from '../ipc/dispatch';
import { forwardEvents } from '../ipc/events';
import { createHandlers } from '../ipc/handlers';
import { parseClientMessage, type ServerMessage } from './messages';
import { serveStatic } from './static';
import { rendererCsp } from '../core/csp';

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

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether a Host header names this server on a loopback address (`127.0.0.1:<port>`, `localhost:<port>`, `[::1]:<port>`). */
export function isLoopbackHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(host.trim().toLowerCase());
  return !!m && LOOPBACK_HOSTS.has(m[1]!) && Number(m[2]) === port;
}

/** Whether an Origin header is our own page (`http://` + a loopback Host with our port). */
export function isOwnOrigin(origin: string | undefined, port: number): boolean {
  if (!origin) return false;
  const m = /^http:\/\/(.+)$/.exec(origin.trim().toLowerCase());
  return !!m && isLoopbackHost(m[1], port);
}

/** Constant-time token comparison. */
export function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (typeof given !== 'string' || given.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(token));
}

function cookieName(port: number): string {
  // Cookies ignore ports; two bridges on one machine must not overwrite each other's.
  return `revive_token_${port}`;
}

function readCookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
}

/** Safe file name for an upload: the base name with anything outside a conservative set replaced. */
export function sanitizeUploadName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^\p{L}\p{N}._ ()-]/gu, '_').replace(/^\.+/, '').slice(0, 180);
  return cleaned.length ? cleaned : 'upload';
}

async function uniquePath(dir: string, name: string): Promise<string> {
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let i = 0; i < 10_000; i += 1) {
    const candidate = path.join(dir, i === 0 ? name : `${stem}-${i}${ext}`);
    try {
      await stat(candidate);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return candidate;
      throw err;
    }
  }
  throw new CodedError('UPLOAD_FAILED', `no free name for ${name} in ${dir}`);
}

interface Connection {
  id: string;
  socket: WebSocket;
  uploadDir: string;
  ctx: CallContext;
  unsubscribe: () => void;
}

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

  const imageUrl = (file: string): string => `/img/${encodeURIComponent(file)}`;
  const downloadUrl = (file: string): string => `/download/${encodeURIComponent(file)}`;

  function authorised(req: IncomingMessage, url: URL): boolean {
    return tokenMatches(url.searchParams.get('token'), token) || tokenMatches(readCookie(req, cookieName(port)), token);
  }

  function refuse(res: ServerResponse, status: number, message: string): void {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`${message}\n`);
  }

  async function serveFile(req: IncomingMessage, res: ServerResponse, encoded: string, download: boolean): Promise<void> {
    let requested: string;
    try {
      requested = decodeURIComponent(encoded);
    } catch {
      return refuse(res, 400, 'malformed path');
    }
    let real: string;
    try {
      real = await resolveAllowedFile(core.allowList, requested);
    } catch (err) {
      const code = errorCode(err);
      return refuse(res, code === 'NOT_FOUND' ? 404 : 403, code === 'NOT_FOUND' ? 'not found' : 'not on the allow-list');
    }
    const info = await stat(real);
    const etag = `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
    if (!download && req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    const headers: http.OutgoingHttpHeaders = {
      'content-type': download ? 'application/octet-stream' : imageContentType(real),
      'content-length': info.size,
      'cache-control': 'private, no-cache',
      'x-content-type-options': 'nosniff',
      etag,
    };
    if (download) headers['content-disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(path.basename(real))}`;
    res.writeHead(200, headers);
    await pipeline(createReadStream(real), res);
  }

  async function handleUpload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!isOwnOrigin(req.headers.origin, port)) return refuse(res, 403, 'uploads are accepted from the Revive page only');
    const conn = connections.get(url.searchParams.get('connection') ?? '');
    if (!conn) return refuse(res, 409, 'unknown connection: open the page and its socket first');
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (!Number.isFinite(declared)) return refuse(res, 411, 'content-length required');
    if (declared > maxUpload) return refuse(res, 413, `upload of ${declared} bytes exceeds the ${maxUpload}-byte limit`);
    const name = sanitizeUploadName(url.searchParams.get('name') ?? 'upload');
    await mkdir(conn.uploadDir, { recursive: true });
    const target = await uniquePath(conn.uploadDir, name);
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxUpload) req.destroy(new Error(`upload exceeded ${maxUpload} bytes`));
    });
    await pipeline(req, createWriteStream(target, { flags: 'wx' }));
    await allowFileAndTarget(core.allowList, target);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ path: target }));
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isLoopbackHost(req.headers.host, port)) return refuse(res, 421, 'this server answers only to 127.0.0.1 or localhost');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (!authorised(req, url)) return refuse(res, 403, 'missing or wrong token: open the URL printed by `revive serve`');
    const method = req.method ?? 'GET';
    if (url.pathname === '/upload' && method === 'POST') return handleUpload(req, res, url);
    if (method !== 'GET' && method !== 'HEAD') return refuse(res, 405, `method ${method} not allowed`);
    if (url.pathname.startsWith('/img/')) return serveFile(req, res, url.pathname.slice(5), false);
    if (url.pathname.startsWith('/download/')) return serveFile(req, res, url.pathname.slice(10), true);
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
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  function send(ws: WebSocket, msg: ServerMessage): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  }

  function onConnection(ws: WebSocket): void {
    const id = randomUUID();
    const uploadDir = path.join(core.uploadsDir, id);
    core.allowList.allowDir(uploadDir);
    const ctx: CallContext = {
      host: 'bridge',
      imageUrl,
      downloadUrl,
      upload: { dir: uploadDir, url: `/upload?connection=${id}` },
    };
    const unsubscribe = forwardEvents(core, (event, payload) => send(ws, { type: 'event', event, payload }));
    const conn: Connection = { id, socket: ws, uploadDir, ctx, unsubscribe };
    connections.set(id, conn);
    send(ws, { type: 'hello', connectionId: id });
    ws.on('message', (data, isBinary) => {
      const parsed = parseClientMessage(data, isBinary);
      if (!parsed.ok) {
        send(ws, { type: 'result', id: parsed.id, result: { ok: false, error: parsed.error } });
        return;
      }
      const { id: requestId, channel, payload } = parsed.message;
      dispatch(channel, payload, ctx).then(
        (result: Result<unknown>) => send(ws, { type: 'result', id: requestId, result }),
        // The dispatcher never rejects; if it ever does, the client still gets an answer rather than hanging.
        (err: unknown) => send(ws, { type: 'result', id: requestId, result: { ok: false, error: { code: ERROR_CODES.internal, message: String(err) } } }),
      );
    });
    ws.on('close', () => {
      unsubscribe();
      connections.delete(id);
    });
    ws.on('error', (err) => report(`socket ${id} failed`, err));
  }

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
