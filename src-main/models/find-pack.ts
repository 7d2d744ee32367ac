/**
 * Finding a pack by id with a reason when there is none: which folders were searched, what is installed, and why a
 * folder of that name is not a valid pack. The command line, the app and the job runner report the same words.
 */
import path from 'node:path';
import { CodedError } from '../pixels/coded-error';
import type { InstalledPack, PackListing, PackRegistry } from './registry';

/** No valid pack has the id asked for; the message says what is installed instead. */
export class PackNotFoundError extends CodedError {
  constructor(message: string) {
    super('MODEL_NOT_FOUND', message);
    this.name = 'PackNotFoundError';
  }
}

/** The pack with this id in a listing (the first root wins), or a {@link PackNotFoundError} saying why there is none. */
export function packOrExplain(listing: PackListing, roots: readonly string[], id: string): InstalledPack | PackNotFoundError {
  const pack = listing.packs.find((p) => p.id === id);
  if (pack) return pack;
  const broken = listing.invalid.find((b) => path.basename(b.dir) === id);
  if (broken) return new PackNotFoundError(`model "${id}" at ${broken.dir} is not a valid pack: ${broken.reason}`);
  const ids = listing.packs.map((p) => p.id);
  return new PackNotFoundError(
    `no model "${id}" is installed (looked in ${roots.join(', ')}); ${ids.length ? `installed: ${ids.join(', ')}` : 'none are installed — run "npm run setup:packs"'}`,
  );
}

/** Finds a pack; throws {@link PackNotFoundError} naming the installed ids (and why a same-named folder is not a valid pack). */
export async function findPackOrExplain(registry: PackRegistry, id: string): Promise<InstalledPack> {
  const found = packOrExplain(await registry.list(), registry.roots, id);
  if (found instanceof PackNotFoundError) throw found;
  return found;
}
