/**
 * Serving the built interface: files below one folder only, `index.html` for `/` and for unknown paths without an
 * extension (the app routes inside one page).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** Resolves a URL path inside `root`; null when it would leave it (encoded `..`, absolute, NUL). */
export function staticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rel = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const full = path.resolve(root, rel);
  const base = path.resolve(root);
  return full === base || full.startsWith(base + path.sep) ? full : null;
}

/** Streams a file of the built interface with its type and the given extra headers (CSP, cookie). */
export async function serveStatic(root: string, urlPath: string, res: ServerResponse, extra: OutgoingHttpHeaders): Promise<void> {
  let file = staticPath(root, urlPath);
  if (!file) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end('bad path\n');
    return;
  }
  let info = await stat(file).catch(() => null);
  if ((!info || !info.isFile()) && !path.extname(file)) {
    file = path.join(root, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!info || !info.isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end(file.endsWith('index.html') ? 'the interface is not built: run `npm run build:renderer`\n' : 'not found\n');
    return;
  }
  const isHtml = file.endsWith('.html');
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    // Hashed asset names change with their content; the page itself must always be fresh.
    'cache-control': isHtml ? 'no-store' : 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...extra,
  });
  await pipeline(createReadStream(file), res);
}
