/**
 * The two custom protocols the window uses instead of file://:
 * - `revive-app://app/…` serves the built interface (so the page has a real origin for the IPC sender check and a
 *   CSP header), and nothing outside its folder;
 * - `revive-img://f/<encoded path>` serves images, but only files on the allow-list (inputs the user added, their
 *   outputs, thumbnails, previews) — never an arbitrary path, even one the page spells cleverly.
 *
 * The request handlers are plain `(Request) => Promise<Response>` functions with no Electron import, so they are
 * tested directly; {@link installProtocols} only hands them to Electron's `protocol.handle`.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Protocol } from 'electron';
import { staticPath } from '../bridge/static';
import type { AllowList } from '../core/allow-list';
import { imageContentType, resolveAllowedFile } from '../core/allowed-file';
import { errorCode } from '../pixels/coded-error';
import { rendererCsp } from '../core/csp';

export const APP_SCHEME = 'revive-app';
export const IMAGE_SCHEME = 'revive-img';
/** The page's origin, as the IPC sender check compares it. */
export const APP_ORIGIN = `${APP_SCHEME}://app`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** The Content-Security-Policy of the interface in the desktop app. */
export const APP_CSP = rendererCsp([IMAGE_SCHEME]);

/** The URL the page loads a file with (see {@link createImageHandler}). */
export function imageUrlFor(file: string): string {
  return `${IMAGE_SCHEME}://f/${encodeURIComponent(file)}`;
}

/** Privileges for both schemes; must be registered before `app` is ready. */
export const SCHEME_PRIVILEGES = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  // fetch() is how the compare view decodes images off the main thread; streaming keeps 24 MP files out of memory.
  { scheme: IMAGE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
] as const;

const text = (status: number, body: string): Response => new Response(body, { status, headers: { 'content-type': 'text/plain' } });

/** Serves `revive-img://f/<encoded absolute path>` for allow-listed files only. */
export function createImageHandler(allowList: AllowList): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    if (url.protocol !== `${IMAGE_SCHEME}:` || url.host !== 'f') return text(400, 'unknown image URL');
    let requested: string;
    try {
      requested = decodeURIComponent(url.pathname.slice(1));
    } catch {
      return text(400, 'malformed path');
    }
    try {
      const real = await resolveAllowedFile(allowList, requested);
      const info = await stat(real);
      const body = Readable.toWeb(createReadStream(real)) as ReadableStream<Uint8Array>;
      return new Response(body, {
        status: 200,
        headers: { 'content-type': imageContentType(real), 'content-length': String(info.size), 'x-content-type-options': 'nosniff' },
      });
    } catch (err) {
      return errorCode(err) === 'NOT_FOUND' ? text(404, 'not found') : text(403, 'not on the allow-list');
    }
  };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/** Serves the built interface from `rendererDir` at `revive-app://app/`, with the CSP header. */
export function createAppHandler(rendererDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'app') return text(404, 'not found');
    const file = staticPath(rendererDir, url.pathname);
    if (!file) return text(400, 'bad path');
    try {
      const info = await stat(file);
      if (!info.isFile()) return text(404, 'not found');
    } catch {
      return text(404, 'not found');
    }
    const body = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
    return new Response(body, {
      headers: { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-security-policy': APP_CSP, 'x-content-type-options': 'nosniff' },
    });
  };
}

/** Registers both handlers on the session's protocol object (after `ready`). */
export function installProtocols(protocol: Pick<Protocol, 'handle'>, rendererDir: string, allowList: AllowList): void {
  protocol.handle(APP_SCHEME, createAppHandler(rendererDir));
  protocol.handle(IMAGE_SCHEME, createImageHandler(allowList));
}
