/**
 * Installed model packs: every folder under the model roots that holds a `revive-pack.json`.
 *
 * Roots are searched in the order given (the app's bundled `models/` first, then the user-data `models/` folder),
 * one level deep, skipping hidden (dot) folders. A folder whose manifest is missing, unreadable or invalid, whose listed files are missing or of
 * the wrong size, or whose id an earlier folder already provides, is reported with the reason instead of failing the
 * whole listing: one broken download must not hide the packs that work. Listing checks sizes only; hashing every
 * file (tens of MB each) is {@link verifyPackFiles}'s job, run at install time or on request.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { MANIFEST_FILE, parseManifest } from './manifest';
import type { PackManifest } from './manifest';

export interface InstalledPack {
  id: string;
  /** Absolute path of the pack folder. */
  dir: string;
  /** The root folder it was found under. */
  root: string;
  manifest: PackManifest;
}

export interface InvalidPack {
  dir: string;
  reason: string;
}

export interface PackListing {
  packs: InstalledPack[];
  invalid: InvalidPack[];
}

export interface FileProblem {
  path: string;
  reason: string;
}

export interface VerifyResult {
  ok: boolean;
  problems: FileProblem[];
}

function errorCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** sha256 of a file as 64 lowercase hex digits, read as a stream (packs hold files of hundreds of MB). */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Reads and validates one pack folder's manifest and checks that its files exist with the listed sizes. */
export async function readPack(dir: string): Promise<{ manifest: PackManifest } | { reason: string }> {
  const manifestPath = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (err) {
    return { reason: errorCode(err) === 'ENOENT' ? `no ${MANIFEST_FILE}` : `cannot read ${MANIFEST_FILE}: ${message(err)}` };
  }
  let manifest: PackManifest;
  try {
    manifest = parseManifest(JSON.parse(text) as unknown, manifestPath);
  } catch (err) {
    return { reason: err instanceof SyntaxError ? `${manifestPath} is not valid JSON: ${err.message}` : message(err) };
  }
  const problems: string[] = [];
  for (const f of manifest.files) {
    try {
      const s = await stat(path.join(dir, f.path));
      if (!s.isFile()) problems.push(`${f.path}: not a file`);
      else if (s.size !== f.size) problems.push(`${f.path}: ${s.size} bytes, manifest says ${f.size}`);
    } catch (err) {
      problems.push(`${f.path}: ${errorCode(err) === 'ENOENT' ? 'missing' : message(err)}`);
    }
  }
  return problems.length ? { reason: problems.join('; ') } : { manifest };
}

/**
 * Lists the packs under `roots` (searched in order; a missing root counts as empty).
 * Never throws for a bad pack or root: those come back in `invalid` with the reason.
 */
export async function listPacks(roots: readonly string[]): Promise<PackListing> {
  const packs: InstalledPack[] = [];
  const invalid: InvalidPack[] = [];
  const byId = new Map<string, InstalledPack>();
  for (const rootIn of roots) {
    const root = path.resolve(rootIn);
    let entries: string[];
    try {
      // Dot folders are never packs: installs stage into `.staging-*` and removals move packs to `.trash-*`.
      entries = (await readdir(root, { withFileTypes: true }))
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort();
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') invalid.push({ dir: root, reason: `cannot list the model folder: ${message(err)}` });
      continue;
    }
    for (const name of entries) {
      const dir = path.join(root, name);
      const r = await readPack(dir);
      if ('reason' in r) {
        invalid.push({ dir, reason: r.reason });
        continue;
      }
      const earlier = byId.get(r.manifest.id);
      if (earlier) {
        invalid.push({ dir, reason: `pack id "${r.manifest.id}" is already provided by ${earlier.dir}` });
        continue;
      }
      const pack: InstalledPack = { id: r.manifest.id, dir, root, manifest: r.manifest };
      byId.set(pack.id, pack);
      packs.push(pack);
    }
  }
  return { packs, invalid };
}

/** The installed packs under a fixed list of roots. Listings are not cached: packs come and go while the app runs. */
export class PackRegistry {
  readonly roots: readonly string[];

  constructor(roots: readonly string[]) {
    this.roots = [...roots];
  }

  /** All packs, and the folders that are not valid packs with the reason. */
  list(): Promise<PackListing> {
    return listPacks(this.roots);
  }

  /** The valid pack with this id (the first root wins), or undefined. */
  async findPack(id: string): Promise<InstalledPack | undefined> {
    const { packs } = await this.list();
    return packs.find((p) => p.id === id);
  }
}

/**
 * Checks every file the manifest lists: present, the listed size, the listed sha256 (streamed).
 * Reports each problem; does not throw for a bad file.
 */
export async function verifyPackFiles(dir: string, manifest: PackManifest): Promise<VerifyResult> {
  const problems: FileProblem[] = [];
  for (const f of manifest.files) {
    const file = path.join(dir, f.path);
    try {
      const s = await stat(file);
      if (s.size !== f.size) {
        problems.push({ path: f.path, reason: `size ${s.size} bytes, expected ${f.size}` });
        continue;
      }
      const actual = await sha256File(file);
      if (actual !== f.sha256) problems.push({ path: f.path, reason: `sha256 ${actual}, expected ${f.sha256}` });
    } catch (err) {
      problems.push({ path: f.path, reason: errorCode(err) === 'ENOENT' ? 'missing' : message(err) });
    }
  }
  return { ok: problems.length === 0, problems };
}
