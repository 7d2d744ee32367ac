/**
 * The bridge's request guards as pure functions: which Host and Origin headers are ours, the token comparison, and
 * the per-port cookie that carries the token for the page's own requests (see server.ts for the order they apply in).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

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

export function cookieName(port: number): string {
  // Cookies ignore ports; two bridges on one machine must not overwrite each other's.
  return `revive_token_${port}`;
}

export function readCookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
}
