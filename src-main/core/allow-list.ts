/**
 * The rule that decides which files the interface may load: the inputs the user added, their outputs, thumbnails,
 * previews and (through the bridge) the uploads of a connection. Nothing else — not a sibling file, not a parent
 * folder, not a path spelled with `..`.
 *
 * Pure: paths arrive already resolved through symlinks (the caller does the file-system work, see
 * `resolveAllowedFile`), so the same rule is tested without touching the disk and serves both the Electron
 * `revive-img:` protocol and the bridge's `/img/` route.
 */
import path from 'node:path';

export interface AllowListOptions {
  /** Platform rules for comparing paths (case-insensitive on Windows and macOS default volumes). Default: host's. */
  platform?: NodeJS.Platform;
}

export class AllowList {
  readonly #files = new Set<string>();
  readonly #dirs = new Set<string>();
  readonly #denied: { dir: string; except: string[] }[] = [];
  readonly #pathApi: path.PlatformPath;
  readonly #caseInsensitive: boolean;

  constructor(opts: AllowListOptions = {}) {
    const platform = opts.platform ?? process.platform;
    this.#pathApi = platform === 'win32' ? path.win32 : path.posix;
    this.#caseInsensitive = platform === 'win32' || platform === 'darwin';
  }

  /** Allows one file (give its real path: symlinks resolved). Throws for a relative or malformed path. */
  allowFile(file: string): void {
    this.#files.add(this.#key(file));
  }

  /** Allows every file below a folder (thumbnail cache, preview folder, a connection's upload folder). */
  allowDir(dir: string): void {
    this.#dirs.add(this.#key(dir));
  }

  /**
   * Takes a folder off the list for good (Revive's data folder: its database must never be opened as a photo),
   * except below `except` (thumbnails, previews, uploads). Wins over {@link allowFile}: a file added by mistake or
   * through a symlink into the folder is still refused.
   */
  denyDir(dir: string, except: readonly string[] = []): void {
    this.#denied.push({ dir: this.#key(dir), except: except.map((e) => this.#key(e)) });
  }

  /** Whether `file` lies in a denied folder (outside its exceptions): callers refuse such a path before opening it. */
  isDenied(file: string): boolean {
    const key = this.#tryKey(file);
    if (!key) return false;
    return this.#denied.some((d) => this.#inside(key, d.dir) && !d.except.some((e) => this.#inside(key, e)));
  }

  /** Withdraws every file and folder below `dir` (a closed connection's upload folder). */
  forgetDir(dir: string): void {
    const key = this.#tryKey(dir);
    if (!key) return;
    for (const f of this.#files) if (this.#inside(f, key)) this.#files.delete(f);
    for (const d of this.#dirs) if (d === key || this.#inside(d, key)) this.#dirs.delete(d);
  }

  /** Withdraws a file (an entry removed from the library). */
  forgetFile(file: string): void {
    const key = this.#tryKey(file);
    if (key) this.#files.delete(key);
  }

  /**
   * Whether `file` may be served. A path that is relative, contains NUL or `..` segments, or is not normalised is
   * refused outright rather than normalised: a request for `/allowed/dir/../secret` is an attack, not a typo.
   */
  isAllowed(file: string): boolean {
    const key = this.#tryKey(file);
    if (!key || this.isDenied(key)) return false;
    if (this.#files.has(key)) return true;
    for (const dir of this.#dirs) {
      if (this.#inside(key, dir)) return true;
    }
    return false;
  }

  #inside(key: string, dir: string): boolean {
    const sep = this.#pathApi.sep;
    return key.startsWith(dir.endsWith(sep) ? dir : dir + sep);
  }

  get size(): number {
    return this.#files.size + this.#dirs.size;
  }

  #tryKey(p: string): string | null {
    try {
      return this.#key(p);
    } catch {
      return null; // malformed paths are simply not allowed; `#key` explains why when a caller adds one
    }
  }

  #key(p: string): string {
    const api = this.#pathApi;
    if (typeof p !== 'string' || p.length === 0) throw new Error('allow-list path must be a non-empty string');
    if (p.includes('\0')) throw new Error(`allow-list path contains a NUL byte: ${JSON.stringify(p)}`);
    if (!api.isAbsolute(p)) throw new Error(`allow-list path must be absolute, got ${JSON.stringify(p)}`);
    const parts = p.split(/[\\/]+/);
    if (parts.includes('..') || parts.includes('.')) throw new Error(`allow-list path must not contain "." or "..": ${JSON.stringify(p)}`);
    let normal = api.normalize(p);
    if (normal.length > 1 && normal.endsWith(api.sep) && !/^[A-Za-z]:\\$/.test(normal)) normal = normal.slice(0, -1);
    return this.#caseInsensitive ? normal.toLowerCase() : normal;
  }
}
