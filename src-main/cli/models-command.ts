/**
 * `revive models`: the installed packs (id, kind, scale, speed, size, licence) and the folders that are not valid
 * packs, with the reason.
 */
import path from 'node:path';
import { PackRegistry, type InstalledPack, type PackListing } from '../models/registry';
import type { ResolvedPack } from './enhance-command';
import { UsageError } from './options';

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

/** Finds a pack for `enhance`; a missing id is a usage error that lists what is installed (and why a same-named folder is not a valid pack). */
export async function findPackOrExplain(registry: PackRegistry, id: string): Promise<ResolvedPack> {
  const listing = await registry.list();
  const pack = listing.packs.find((p) => p.id === id);
  if (pack) return pack;
  const broken = listing.invalid.find((b) => path.basename(b.dir) === id);
  if (broken) throw new UsageError(`model "${id}" at ${broken.dir} is not a valid pack: ${broken.reason}`);
  const ids = listing.packs.map((p) => p.id);
  throw new UsageError(
    `no model "${id}" is installed (looked in ${registry.roots.join(', ')}); ${ids.length ? `installed: ${ids.join(', ')}` : 'none are installed — run "npm run setup:packs"'}`,
  );
}
