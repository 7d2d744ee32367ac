/**
 * The bridge's HTTP file traffic: images and downloads served only from the allow-list, and uploads written into the
 * uploading connection's own folder (never over an existing file) and then put on the allow-list.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { link, mkdir, rm, stat } from 'node:fs/promises';
import type http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AllowList } from '../core/allow-list';
import { allowFileAndTarget, imageContentType, resolveAllowedFile } from '../core/allowed-file';
import { CodedError, errorCode } from '../pixels/coded-error';

/** Answers with a plain-text error. */
export function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`${message}\n`);
}

/** Safe file name for an upload: the base name with anything outside a conservative set replaced. */
export function sanitizeUploadName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^\p{L}\p{N}._ ()-]/gu, '_').replace(/^\.+/, '').slice(0, 180);
  return cleaned.length ? cleaned : 'upload';
}

/** Gives the complete `partial` file the first free name `name`, `stem-1.ext`, …: a hard link never replaces a file. */
async function linkUnique(partial: string, dir: string, name: string): Promise<string> {
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let i = 0; i < 10_000; i += 1) {
    const candidate = path.join(dir, i === 0 ? name : `${stem}-${i}${ext}`);
    try {
      await link(partial, candidate);
      return candidate;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new CodedError('UPLOAD_FAILED', `no free name for ${name} in ${dir}`);
}

/** Serves `encoded` (a URI-encoded absolute path) if it is on the allow-list: inline as an image, or as a download. */
export async function serveAllowedFile(
  allowList: AllowList,
  req: IncomingMessage,
  res: ServerResponse,
  encoded: string,
  download: boolean,
): Promise<void> {
  let requested: string;
  try {
    requested = decodeURIComponent(encoded);
  } catch {
    return refuse(res, 400, 'malformed path');
  }
  let real: string;
  try {
    real = await resolveAllowedFile(allowList, requested);
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

/**
 * Receives one upload into `uploadDir` under the sanitised `name`, enforcing `maxUpload` on the declared and the
 * received length, and puts the written file on the allow-list. Origin and connection are checked by the caller.
 */
export async function receiveUpload(
  req: IncomingMessage,
  res: ServerResponse,
  target: { allowList: AllowList; uploadDir: string; name: string; maxUpload: number },
): Promise<void> {
  const { allowList, uploadDir, maxUpload } = target;
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (!Number.isFinite(declared)) return refuse(res, 411, 'content-length required');
  if (declared > maxUpload) return refuse(res, 413, `upload of ${declared} bytes exceeds the ${maxUpload}-byte limit`);
  const name = sanitizeUploadName(target.name);
  await mkdir(uploadDir, { recursive: true });
  // Written under a hidden temporary name that is not on the allow-list, and given its real name only once complete:
  // an aborted upload is removed and was never servable.
  const partial = path.join(uploadDir, `.partial-${randomUUID()}`);
  let received = 0;
  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > maxUpload) req.destroy(new Error(`upload exceeded ${maxUpload} bytes`));
  });
  let file: string;
  try {
    await pipeline(req, createWriteStream(partial, { flags: 'wx' }));
    if (received !== declared) throw new CodedError('UPLOAD_FAILED', `upload ended after ${received} of ${declared} bytes`);
    file = await linkUnique(partial, uploadDir, name);
  } finally {
    await rm(partial, { force: true });
  }
  await allowFileAndTarget(allowList, file);
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ path: file }));
}
