/**
 * `revive models`: the installed packs (id, kind, scale, speed, size, licence) and the folders that are not valid
 * packs, with the reason; `revive models add <folder|URL>` and `revive models remove <id>` manage the user's packs.
 */
import path from 'node:path';
import { DownloadError } from '../models/download';
import { cleanInterruptedInstalls, installPack, isUrlSource, PackInstallError, removePack, type InstallProgress } from '../models/install';
import { listPacks, type InstalledPack, type PackListing } from '../models/registry';
import { AbortedError } from '../pixels/types';
import { modelsDirIn } from '../store/data-dir';
import { bundledModelsDir } from '../models/pack-roots';
import { printError } from './errors';
import { bar } from './progress-view';

/** Total bytes of a pack's files. */
export function packBytes(pack: InstalledPack): number {
  return pack.manifest.files.reduce((sum, f) => sum + f.size, 0);
}

/** "64.1 MB", "812 kB". */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} kB`;
  return `${n} B`;
}

/** The listing as aligned text lines. */
export function formatListing(listing: PackListing): string {
  const rows = listing.packs.map((p) => [
    p.id,
    p.manifest.kind,
    `${p.manifest.scale}×`,
    p.manifest.speed,
    formatBytes(packBytes(p)),
    p.manifest.licence.id,
  ]);
  const header = ['ID', 'KIND', 'SCALE', 'SPEED', 'SIZE', 'LICENCE'];
  const lines: string[] = [];
  if (rows.length) {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const r of [header, ...rows]) lines.push(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  } else {
    lines.push('No model packs installed.');
  }
  for (const bad of listing.invalid) lines.push(`invalid: ${bad.dir} — ${bad.reason}`);
  return `${lines.join('\n')}\n`;
}

/** The listing as JSON for scripts. */
export function listingJson(listing: PackListing): unknown {
  return {
    packs: listing.packs.map((p) => ({
      id: p.id,
      name: p.manifest.name,
      kind: p.manifest.kind,
      scale: p.manifest.scale,
      speed: p.manifest.speed,
      bytes: packBytes(p),
      licence: p.manifest.licence.id,
      dir: p.dir,
    })),
    invalid: listing.invalid,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// revive models add <folder|URL> / revive models remove <id>

/** Where a `models add/remove` writes and how it reports. */
export interface ModelsChangeIo {
  stdout: { write(s: string): boolean };
  stderr: { write(s: string): boolean; isTTY?: boolean };
}

/** Redraws at most this often on a terminal. */
const INSTALL_REDRAW_MS = 100;

const PHASE_VERB: Readonly<Record<InstallProgress['phase'], string>> = { download: 'downloading', copy: 'copying', verify: 'verifying' };

/**
 * Installs a pack from a folder or an http(s) URL into `<dataDir>/models`, every file checked (size, sha256).
 * Shows progress on a terminal; prints the pack and its licence when done. Returns the exit code: 0 installed,
 * 1 refused or failed (the reason on stderr; nothing half-installed remains), 130 cancelled.
 */
export async function runModelsAdd(
  source: string,
  dataDir: string,
  io: ModelsChangeIo,
  opts: { replace?: boolean; signal?: AbortSignal; cwd: string },
): Promise<number> {
  const models = modelsDirIn(dataDir);
  // Leftovers of an install that was killed are never packs; clear them before starting another.
  await cleanInterruptedInstalls(models);
  const tty = io.stderr.isTTY === true;
  let lastDraw = 0;
  let drawn = false;
  const onProgress = (p: InstallProgress): void => {
    const now = Date.now();
    if (!tty || (now - lastDraw < INSTALL_REDRAW_MS && p.done < p.total)) return;
    lastDraw = now;
    drawn = true;
    const fraction = p.total > 0 ? p.done / p.total : 1;
    io.stderr.write(`\r\x1b[K${PHASE_VERB[p.phase]} ${bar(fraction, 24)} ${Math.round(fraction * 100)}%  ${formatBytes(p.done)} of ${formatBytes(p.total)}  ${p.file}`);
  };
  const from = isUrlSource(source) ? source : path.resolve(opts.cwd, source);
  try {
    const result = await installPack(from, models, {
      onProgress,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.replace ? { replace: true } : {}),
    });
    if (drawn) io.stderr.write('\r\x1b[K');
    const m = result.manifest;
    const bytes = m.files.reduce((a, f) => a + f.size, 0);
    io.stdout.write(`✓ installed "${m.id}" (${m.name}, ${m.kind}, ${formatBytes(bytes)}) in ${result.dir}\n`);
    io.stdout.write(`  licence: ${m.licence.id} — ${m.licence.summary}${m.licence.url ? ` (${m.licence.url})` : ''}\n`);
    return 0;
  } catch (err) {
    if (drawn) io.stderr.write('\r\x1b[K');
    if (err instanceof AbortedError) {
      printError(io.stderr, 'install cancelled; nothing was installed');
      return 130;
    }
    const why = err instanceof PackInstallError || err instanceof DownloadError || err instanceof Error ? err.message : String(err);
    printError(io.stderr, `cannot install ${source}: ${why}`);
    return 1;
  }
}

/** Removes a user-installed pack from `<dataDir>/models`. Returns 0 removed, 1 not removed (reason on stderr). */
export async function runModelsRemove(id: string, dataDir: string, io: ModelsChangeIo): Promise<number> {
  try {
    await removePack(id, modelsDirIn(dataDir));
    io.stdout.write(`✓ removed "${id}"\n`);
    return 0;
  } catch (err) {
    const bundled = await listPacks([bundledModelsDir()]).then((l) => l.packs.some((p) => p.id === id));
    const hint = bundled ? ' (it comes with the app and cannot be removed)' : '';
    printError(io.stderr, `cannot remove "${id}": ${(err as Error).message}${hint}`);
    return 1;
  }
}
