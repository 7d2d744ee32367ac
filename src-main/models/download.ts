/**
 * HTTP downloads for model packs, with Node's built-in fetch: `.part` files, `Range` resume, bounded retries with
 * exponential backoff, byte progress, cancellation.
 *
 * Sizes come from the pack manifest, so a download knows exactly how many bytes to expect: it refuses a server that
 * sends more, resumes one that stops early, and reports one that has fewer. Content checks (sha256) belong to the
 * installer, which verifies every file after it lands.
 */
import { open, rename, stat, truncate } from 'node:fs/promises';
import { AbortedError } from '../pixels/types';
import { CodedError } from '../pixels/coded-error';

export interface RetryOptions {
  /** Consecutive failed attempts (without any progress) before giving up; default 5. */
  attempts?: number;
  /** Delay before the first retry, doubled each time; default 500 ms. */
  baseDelayMs?: number;
  /** Upper bound of one delay; default 8 s. */
  maxDelayMs?: number;
  /** Upper bound of attempts for one file, progress or not (a server trickling a byte per connection); default 50. */
  maxTotalAttempts?: number;
}

export interface FetchOptions extends RetryOptions {
  signal?: AbortSignal;
  /** The fetch to use (tests inject failures); default the global fetch. */
  fetch?: typeof fetch;
}

export interface DownloadFileOptions extends FetchOptions {
  /** Exact size the file must have (from the manifest). */
  expectedSize: number;
  /** Called with the number of bytes of this file on disk, after each chunk. */
  onProgress?: (bytesOnDisk: number) => void;
}

/** A failure that another attempt cannot fix (404, a server with the wrong size, a full disk). */
export class DownloadError extends CodedError<'DOWNLOAD_FAILED'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DOWNLOAD_FAILED', message, options);
    this.name = 'DownloadError';
  }
}

/** A failure worth another attempt (dropped connection, 5xx, 429). */
class TransientError extends Error {}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

function retrySettings(o: RetryOptions): Required<RetryOptions> {
  const s = { attempts: 5, baseDelayMs: 500, maxDelayMs: 8000, maxTotalAttempts: 50, ...o };
  if (!Number.isInteger(s.attempts) || s.attempts < 1) throw new RangeError(`attempts must be a positive integer, got ${s.attempts}`);
  return s;
}

/** Delay before retry number `n` (0-based): base · 2ⁿ, capped. */
export function backoffDelay(n: number, o: RetryOptions = {}): number {
  const s = retrySettings(o);
  return Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** n);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const done = (): void => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Errors of the local file system: never retried. */
const LOCAL_FS_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EFBIG']);

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // undici reports "fetch failed" / "terminated" with the socket error as the cause.
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

/**
 * Runs `attempt` until it succeeds, retrying transient failures with backoff. `attempt` returns true when it made
 * progress before failing, which resets the count of consecutive failures.
 */
async function withRetries<T>(
  what: string,
  o: FetchOptions,
  attempt: (progressed: () => void) => Promise<T>,
): Promise<T> {
  const s = retrySettings(o);
  let consecutive = 0;
  for (let total = 1; ; total++) {
    if (o.signal?.aborted) throw new AbortedError();
    let progressed = false;
    try {
      return await attempt(() => (progressed = true));
    } catch (err) {
      if (o.signal?.aborted) throw new AbortedError();
      if (err instanceof DownloadError || err instanceof AbortedError) throw err;
      // A local file-system failure (disk full, read-only, no permission) does not heal by asking the server again.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== undefined && LOCAL_FS_ERRORS.has(code)) {
        const full = code === 'ENOSPC' || code === 'EDQUOT' ? 'the disk is full: ' : '';
        throw new DownloadError(`${what}: ${full}${describeError(err)}`, { cause: err });
      }
      consecutive = progressed ? 1 : consecutive + 1;
      if (consecutive >= s.attempts || total >= s.maxTotalAttempts) {
        throw new DownloadError(`${what}: gave up after ${total} attempts: ${describeError(err)}`, { cause: err });
      }
      await sleep(backoffDelay(consecutive - 1, s), o.signal);
    }
  }
}

async function request(url: string, init: RequestInit, o: FetchOptions): Promise<Response> {
  const f = o.fetch ?? fetch;
  let res: Response;
  try {
    res = await f(url, { ...init, signal: o.signal, redirect: 'follow' });
  } catch (err) {
    if (o.signal?.aborted) throw new AbortedError();
    throw new TransientError(describeError(err), { cause: err });
  }
  if (res.ok || res.status === 416) return res;
  await res.body?.cancel();
  const message = `${url}: HTTP ${res.status} ${res.statusText}`.trim();
  if (RETRYABLE_STATUS.has(res.status)) throw new TransientError(message);
  throw new DownloadError(message);
}

/** GETs a small resource (a manifest) into memory, refusing more than `maxBytes`. */
export async function fetchBytes(url: string, maxBytes: number, o: FetchOptions = {}): Promise<Uint8Array> {
  return withRetries(url, o, async () => {
    const res = await request(url, {}, o);
    if (res.status === 416) throw new DownloadError(`${url}: HTTP 416`);
    const declared = Number(res.headers.get('content-length') ?? Number.NaN);
    if (declared > maxBytes) {
      await res.body?.cancel();
      throw new DownloadError(`${url}: ${declared} bytes, more than the ${maxBytes} allowed`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    await forEachChunk(res, o, (chunk) => {
      size += chunk.byteLength;
      if (size > maxBytes) throw new DownloadError(`${url}: more than the ${maxBytes} bytes allowed`);
      chunks.push(chunk);
    });
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  });
}

/** Reads a response body chunk by chunk; a dropped connection becomes a {@link TransientError}. */
async function forEachChunk(res: Response, o: FetchOptions, onChunk: (chunk: Uint8Array) => Promise<void> | void): Promise<void> {
  if (!res.body) return;
  const reader = res.body.getReader();
  let finished = false;
  try {
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (err) {
        finished = true; // an errored stream has nothing left to cancel
        if (o.signal?.aborted) throw new AbortedError();
        throw new TransientError(`connection lost: ${describeError(err)}`, { cause: err });
      }
      if (r.done) {
        finished = true;
        return;
      }
      await onChunk(r.value);
    }
  } finally {
    // Stopped early by our own error: close the connection. The error already being thrown is the one to report,
    // so a failure to cancel is deliberately not allowed to replace it.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

async function sizeOnDisk(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/** Start offset of a `Content-Range: bytes a-b/n` header, or NaN. */
function contentRangeStart(header: string | null): number {
  const m = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(header?.trim() ?? '');
  return m ? Number(m[1]) : Number.NaN;
}

/**
 * Downloads `url` to `dest` through `dest + '.part'`, resuming with `Range` after a dropped connection, and renames
 * the part into place once it holds exactly `expectedSize` bytes. An existing part is resumed.
 */
export async function downloadFile(url: string, dest: string, o: DownloadFileOptions): Promise<void> {
  const { expectedSize } = o;
  if (!Number.isInteger(expectedSize) || expectedSize < 0) throw new RangeError(`expectedSize must be a size in bytes, got ${expectedSize}`);
  const part = `${dest}.part`;

  await withRetries(url, o, async (progressed) => {
    let have = await sizeOnDisk(part);
    if (have > expectedSize) {
      await truncate(part, 0);
      have = 0;
    }
    if (have === expectedSize && expectedSize > 0) return;

    const res = await request(url, have > 0 ? { headers: { Range: `bytes=${have}-` } } : {}, o);
    if (res.status === 416) {
      // We asked for the bytes after `have` and the server has none: its file is shorter than the manifest says.
      throw new DownloadError(`${url}: the server has only ${have} bytes, the manifest says ${expectedSize}`);
    }
    let append = false;
    if (res.status === 206) {
      const start = contentRangeStart(res.headers.get('content-range'));
      if (start !== have) {
        await res.body?.cancel();
        throw new TransientError(`${url}: asked for bytes from ${have}, got Content-Range ${res.headers.get('content-range')}`);
      }
      append = true;
    }
    // A 200 after a Range request means the server ignores ranges: start over.
    const fh = await open(part, append ? 'a' : 'w');
    let written = append ? have : 0;
    try {
      await forEachChunk(res, o, async (chunk) => {
        if (written + chunk.byteLength > expectedSize) {
          throw new DownloadError(`${url}: the server sent more than the manifest's ${expectedSize} bytes`);
        }
        await fh.write(chunk);
        written += chunk.byteLength;
        if (chunk.byteLength > 0) progressed();
        o.onProgress?.(written);
      });
    } finally {
      await fh.close();
    }
    if (written < expectedSize) {
      // The body ended cleanly but short (a close-delimited response cut off): resume from here.
      throw new TransientError(`${url}: response ended at ${written} of ${expectedSize} bytes`);
    }
  });
  await rename(part, dest);
}
