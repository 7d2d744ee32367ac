/**
 * Installing and removing user model packs (`revive models add <folder|URL>` / `revive models remove <id>`).
 *
 * Installed packs live in the user-data models folder, one folder per pack id. An install never leaves a half pack
 * behind: files go into a hidden staging folder next to the target (`.staging-<id>-XXXXXX`, same file system, so the
 * final step is a rename), every file's size and sha256 is checked against the manifest, and only then is the staging
 * folder renamed to `<id>`. Any failure — a tampered or truncated file, a network error after the retries, a
 * cancellation — deletes the staging folder. Hidden (dot) folders in the models folder are never packs.
 *
 * Only files the manifest lists are copied or downloaded, plus the manifest itself.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, realpath, rename, rm, stat, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AbortedError, throwIfAborted } from '../pixels/types';
import { downloadFile, fetchBytes, type RetryOptions } from './download';
import { MANIFEST_FILE, PACK_ID_PATTERN, parseManifest, type PackFile, type PackManifest } from './manifest';
import { exists } from '../pixels/exists';
import { CodedError } from '../pixels/coded-error';
import { bundledModelsDir } from './pack-roots';
import { listPacks } from './registry';
import { packTensorProblems } from './tensor-checks';

/** A manifest larger than this is not a manifest. */
const MAX_MANIFEST_BYTES = 1 << 20;
const STAGING_PREFIX = '.staging-';
const TRASH_PREFIX = '.trash-';

export interface InstallProgress {
  /** `download` / `copy`: bytes arriving; `verify`: bytes hashed (downloads are hashed after they land). */
  phase: 'download' | 'copy' | 'verify';
  /** The pack file being worked on. */
  file: string;
  /** Bytes of the whole pack done in this phase, of `total`. */
  done: number;
  total: number;
}

export interface InstallOptions {
  onProgress?: (p: InstallProgress) => void;
  signal?: AbortSignal;
  /** Replace an installed pack with the same id (otherwise that is refused). */
  replace?: boolean;
  /** Retry policy for downloads. */
  retry?: RetryOptions;
  /** The fetch to use; default the global fetch (tests inject failures). */
  fetch?: typeof fetch;
  /** The app's own packs, whose ids a user pack may not take; default {@link bundledModelsDir}. */
  bundledDir?: string;
}

export interface InstallResult {
  id: string;
  /** The pack's folder inside the user models folder. */
  dir: string;
  manifest: PackManifest;
}

/** An install refused because of the pack's content (bad manifest, damaged file), not the transport. */
export class PackInstallError extends CodedError<'PACK_REFUSED'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PACK_REFUSED', message, options);
    this.name = 'PackInstallError';
  }
}

/** True for http(s) URLs; anything else is taken as a folder. */
export function isUrlSource(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** The folder URL of a pack (ends with "/"), given it or its revive-pack.json. */
function packBaseUrl(source: string): URL {
  const u = new URL(source);
  if (u.pathname.endsWith(`/${MANIFEST_FILE}`)) u.pathname = u.pathname.slice(0, -MANIFEST_FILE.length);
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  u.search = '';
  u.hash = '';
  return u;
}

function fileUrl(base: URL, packPath: string): string {
  const u = new URL(packPath.split('/').map(encodeURIComponent).join('/'), base);
  // The manifest schema already refuses "..", so this only guards against a future schema change.
  if (!u.href.startsWith(base.href)) throw new PackInstallError(`${packPath}: resolves outside the pack (${u.href})`);
  return u.href;
}

/** `root/…packPath`, refusing anything that would land outside `root`. */
function insideDir(root: string, packPath: string): string {
  const target = path.resolve(root, ...packPath.split('/'));
  const rel = path.relative(root, target);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new PackInstallError(`${packPath}: not a path inside the pack`);
  }
  return target;
}

function parseManifestBytes(bytes: Uint8Array, where: string): PackManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    // The parser's message quotes the bytes it choked on: a reply from an arbitrary server must never be echoed back.
    throw new PackInstallError(`${where}: not valid JSON`, { cause: err });
  }
  let manifest: PackManifest;
  try {
    manifest = parseManifest(json, where);
  } catch (err) {
    throw new PackInstallError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  const seen = new Set<string>();
  for (const f of manifest.files) {
    // Case-folded: two entries differing only in case would overwrite each other on Windows and macOS.
    const key = f.path.toLowerCase();
    if (seen.has(key)) throw new PackInstallError(`${where}: "${f.path}" is listed twice in "files"`);
    if (key === MANIFEST_FILE) throw new PackInstallError(`${where}: "files" must not list ${MANIFEST_FILE} itself`);
    seen.add(key);
  }
  return manifest;
}


/** Hashes a file, reporting progress by bytes. */
async function sha256OfFile(file: string, signal: AbortSignal | undefined, onBytes: (n: number) => void): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { signal, highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    hash.update(buf);
    size += buf.byteLength;
    onBytes(buf.byteLength);
  }
  return { sha256: hash.digest('hex'), size };
}

function checkFile(id: string, entry: PackFile, actual: { sha256: string; size: number }): void {
  if (actual.size !== entry.size) {
    throw new PackInstallError(
      `pack "${id}": ${entry.path} is ${actual.size} bytes, the manifest says ${entry.size} (truncated or damaged); nothing was installed`,
    );
  }
  if (actual.sha256 !== entry.sha256) {
    throw new PackInstallError(
      `pack "${id}": ${entry.path} has sha256 ${actual.sha256}, the manifest says ${entry.sha256} (damaged or tampered with); nothing was installed`,
    );
  }
}

/** Copies one file from a folder pack, hashing what it writes. */
async function copyAndHash(
  src: string,
  dest: string,
  entry: PackFile,
  signal: AbortSignal | undefined,
  onBytes: (n: number) => void,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const out = await open(dest, 'wx');
  try {
    for await (const chunk of createReadStream(src, { signal, highWaterMark: 1 << 20 })) {
      const buf = chunk as Buffer;
      // Stopped at once: an oversized file must not fill the disk before its size is checked.
      if (size + buf.byteLength > entry.size) {
        throw new PackInstallError(`${entry.path} is larger than the manifest's ${entry.size} bytes (damaged or tampered with); nothing was installed`);
      }
      await out.write(buf);
      hash.update(buf);
      size += buf.byteLength;
      onBytes(buf.byteLength);
    }
  } finally {
    await out.close();
  }
  return { sha256: hash.digest('hex'), size };
}

/** Turns a stream's abort error into ours, so callers see one cancellation type. */
function asAbort(err: unknown, signal: AbortSignal | undefined): unknown {
  return signal?.aborted && !(err instanceof AbortedError) ? new AbortedError() : err;
}

/**
 * Installs a pack from a folder or an http(s) URL (the pack folder's URL or its revive-pack.json) into
 * `<userModelsDir>/<id>`, verifying every file. Refuses an id that is already installed unless `replace` is set.
 */
export async function installPack(source: string, userModelsDir: string, opts: InstallOptions = {}): Promise<InstallResult> {
  const { signal } = opts;
  throwIfAborted(signal);
  const fromUrl = isUrlSource(source);
  const base = fromUrl ? packBaseUrl(source) : undefined;
  let sourceDir: string | undefined;

  // 1. The manifest.
  let manifestBytes: Uint8Array;
  let where: string;
  if (base) {
    where = new URL(MANIFEST_FILE, base).href;
    manifestBytes = await fetchBytes(where, MAX_MANIFEST_BYTES, { ...opts.retry, signal, fetch: opts.fetch });
  } else {
    sourceDir = await realpath(path.resolve(source)).catch((err: unknown) => {
      throw new PackInstallError(`pack folder ${source} cannot be opened: ${(err as Error).message}`, { cause: err });
    });
    where = path.join(sourceDir, MANIFEST_FILE);
    const info = await stat(where).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    });
    if (!info?.isFile()) throw new PackInstallError(`${source} is not a pack folder: it has no ${MANIFEST_FILE}`);
    if (info.size > MAX_MANIFEST_BYTES) throw new PackInstallError(`${where}: larger than ${MAX_MANIFEST_BYTES} bytes`);
    manifestBytes = await readFile(where);
  }
  const manifest = parseManifestBytes(manifestBytes, where);
  const { id } = manifest;

  // 2. The target.
  await refuseBundledId(id, opts.bundledDir ?? bundledModelsDir());
  await mkdir(userModelsDir, { recursive: true });
  const models = await realpath(userModelsDir);
  const dest = path.join(models, id);
  if (!opts.replace && (await exists(dest))) {
    throw new PackInstallError(`pack "${id}" is already installed at ${dest}; remove it first or install with replace`);
  }
  const total = manifest.files.reduce((a, f) => a + f.size, 0);
  await checkFreeSpace(models, total);

  // 3. Staging: fetch or copy each file, verify it, then swap into place.
  const staging = await mkdtemp(path.join(models, `${STAGING_PREFIX}${id}-`));
  try {
    let landed = 0;
    let verified = 0;
    for (const entry of manifest.files) {
      throwIfAborted(signal);
      const target = insideDir(staging, entry.path);
      await mkdir(path.dirname(target), { recursive: true });
      let actual: { sha256: string; size: number };
      if (base) {
        await downloadFile(fileUrl(base, entry.path), target, {
          ...opts.retry,
          signal,
          fetch: opts.fetch,
          expectedSize: entry.size,
          onProgress: (n) => opts.onProgress?.({ phase: 'download', file: entry.path, done: landed + n, total }),
        });
        // Hashed after landing: a resumed download was written by several responses.
        actual = await sha256OfFile(target, signal, (n) => {
          verified += n;
          opts.onProgress?.({ phase: 'verify', file: entry.path, done: verified, total });
        });
      } else {
        const src = await sourceFile(sourceDir!, entry.path);
        let copied = 0;
        actual = await copyAndHash(src, target, entry, signal, (n) => {
          copied += n;
          opts.onProgress?.({ phase: 'copy', file: entry.path, done: landed + copied, total });
        });
      }
      checkFile(id, entry, actual);
      landed += entry.size;
    }
    const problems = await packTensorProblems(staging, manifest);
    if (problems.length) throw new PackInstallError(`pack "${id}" cannot be used as a ${manifest.kind} pack: ${problems.join('; ')}`);
    await writeFile(path.join(staging, MANIFEST_FILE), manifestBytes);
    throwIfAborted(signal);
    await swapIntoPlace(staging, dest, models, id, opts.replace ?? false);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw asAbort(err, signal);
  }
  return { id, dir: dest, manifest };
}

/** A user pack with the id of a pack that comes with the app would be shadowed by it and listed invalid. */
async function refuseBundledId(id: string, bundledDir: string): Promise<void> {
  const { packs } = await listPacks([bundledDir]);
  if (packs.some((p) => p.id === id)) {
    throw new PackInstallError(`pack "${id}" has the id of a pack that comes with the app; give it another id; nothing was installed`);
  }
}

/** Refuses before any byte is written when the declared sizes cannot fit (the manifest is checked again per file). */
async function checkFreeSpace(dir: string, needed: number): Promise<void> {
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  if (needed > free) {
    const gb = (n: number): string => `${(n / 1e9).toFixed(1)} GB`;
    throw new PackInstallError(`not enough disk space in ${dir}: the pack needs ${gb(needed)}, ${gb(free)} is free; nothing was installed`);
  }
}

/** A folder pack's file, refusing one that is missing, not a plain file, or (through links) outside the folder. */
async function sourceFile(sourceDir: string, packPath: string): Promise<string> {
  const nominal = insideDir(sourceDir, packPath);
  let real: string;
  try {
    real = await realpath(nominal);
  } catch (err) {
    throw new PackInstallError(`pack file ${packPath} is missing from ${sourceDir}`, { cause: err });
  }
  const rel = path.relative(sourceDir, real);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new PackInstallError(`pack file ${packPath} links outside the pack (${real})`);
  if (!(await stat(real)).isFile()) throw new PackInstallError(`pack file ${packPath} is not a regular file`);
  return real;
}

/** Renames staging → dest; an existing pack (replace) is first moved aside, then deleted once the new one is in. */
async function swapIntoPlace(staging: string, dest: string, models: string, id: string, replace: boolean): Promise<void> {
  if (!(await exists(dest))) {
    await rename(staging, dest);
    return;
  }
  if (!replace) throw new PackInstallError(`pack "${id}" was installed at ${dest} while this install ran; nothing was changed`);
  const trash = await mkdtemp(path.join(models, `${TRASH_PREFIX}${id}-`));
  const old = path.join(trash, id);
  await rename(dest, old);
  try {
    await rename(staging, dest);
  } catch (err) {
    await rename(old, dest); // put the old pack back: the user keeps a working pack
    await rm(trash, { recursive: true, force: true });
    throw err;
  }
  await rm(trash, { recursive: true, force: true });
}

/**
 * Removes a user-installed pack: `<userModelsDir>/<id>`, which must hold a manifest (any manifest whose id matches,
 * or an unreadable one: a damaged pack must stay removable). Packs shipped with the app are not in this folder.
 */
export async function removePack(id: string, userModelsDir: string): Promise<void> {
  if (!PACK_ID_PATTERN.test(id)) throw new PackInstallError(`"${id}" is not a pack id`);
  const dir = path.join(userModelsDir, id);
  const manifestPath = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new PackInstallError(`pack "${id}" is not installed in ${userModelsDir}`);
    throw err;
  }
  let installedId: string | undefined;
  try {
    installedId = parseManifest(JSON.parse(text), manifestPath).id;
  } catch {
    installedId = undefined; // damaged manifest: still the user's pack folder, still removable
  }
  if (installedId !== undefined && installedId !== id) {
    throw new PackInstallError(`${dir} holds pack "${installedId}", not "${id}"; not removed`);
  }
  // Moved aside first so the pack disappears at once even if deleting its files takes a while or fails half-way.
  const trash = await mkdtemp(path.join(userModelsDir, `${TRASH_PREFIX}${id}-`));
  await rename(dir, path.join(trash, id));
  await rm(trash, { recursive: true, force: true });
}

/** Deletes staging and trash folders left by an install or removal that was killed. Call when no install is running. */
export async function cleanInterruptedInstalls(userModelsDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(userModelsDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const stale = names.filter((n) => n.startsWith(STAGING_PREFIX) || n.startsWith(TRASH_PREFIX));
  for (const n of stale) await rm(path.join(userModelsDir, n), { recursive: true, force: true });
  return stale;
}
