/**
 * The thumbnail cache: small before/after WebP previews per library entry, in `<dataDir>/thumbnails/`. Made through
 * imaging/ (the only place that decodes images). The cache can be deleted at any time; entries then show no preview
 * until {@link ThumbnailCache.ensure} makes them again.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { makeThumbnail } from '../imaging/thumbnail';
import { THUMBNAIL_DIR } from '../store/paths';

/** Longest side of a thumbnail in pixels. */
export const THUMBNAIL_SIZE = 256;

export interface ThumbnailPair {
  before: string | null;
  after: string | null;
}

export class ThumbnailCache {
  readonly dir: string;

  constructor(
    dataDir: string,
    readonly size = THUMBNAIL_SIZE,
  ) {
    this.dir = path.join(dataDir, THUMBNAIL_DIR);
  }

  /** Where an entry's thumbnails go. */
  paths(entryId: number): { before: string; after: string } {
    return { before: path.join(this.dir, `${entryId}-before.webp`), after: path.join(this.dir, `${entryId}-after.webp`) };
  }

  /**
   * Makes the thumbnails that do not exist yet: "before" from the source, "after" from the output (when there is
   * one). A file that cannot be read gives no thumbnail and its reason in `errors`; the entry is still valid.
   */
  async ensure(entryId: number, source: string, output: string | null): Promise<ThumbnailPair & { errors: string[] }> {
    await mkdir(this.dir, { recursive: true });
    const p = this.paths(entryId);
    const errors: string[] = [];
    const one = async (from: string | null, to: string): Promise<string | null> => {
      if (from === null) return null;
      if (existsSync(to)) return to;
      try {
        await makeThumbnail(from, to, this.size);
        return to;
      } catch (e) {
        errors.push((e as Error).message);
        return null;
      }
    };
    const before = await one(source, p.before);
    const after = await one(output, p.after);
    return { before, after, errors };
  }

  /** Deletes an entry's thumbnails. */
  async remove(entryId: number): Promise<void> {
    const p = this.paths(entryId);
    await rm(p.before, { force: true });
    await rm(p.after, { force: true });
  }

  /** Removes temp files a killed process left in the cache. Returns how many. */
  async removeTemps(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw e;
    }
    const temps = names.filter((n) => n.startsWith('.revive-tmp-'));
    await Promise.all(temps.map((n) => rm(path.join(this.dir, n), { force: true })));
    return temps.length;
  }
}
