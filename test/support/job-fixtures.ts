/**
 * Fixtures for the job and library tests: a temporary data folder with an open store and the queue lock, and small
 * real images (tiny PNGs of distinct colours, so each has its own content hash).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { QueueStore } from '../../src-main/jobs/queue-store';
import { LibraryStore } from '../../src-main/library/library-store';
import { ThumbnailCache } from '../../src-main/library/thumbnails';
import { openStore, type Store } from '../../src-main/store/database';
import { acquireLock, QUEUE_LOCK, type ProcessLock } from '../../src-main/store/lock';

export interface TempWorld {
  root: string;
  dataDir: string;
  photos: string;
  store: Store;
  lock: ProcessLock;
  cleanup(): void;
}

export function tempWorld(): TempWorld {
  const root = mkdtempSync(path.join(os.tmpdir(), 'revive-jobs-'));
  const dataDir = path.join(root, 'data');
  const photos = path.join(root, 'photos');
  const store = openStore(dataDir);
  const lock = acquireLock(store.db, QUEUE_LOCK, { heartbeatMs: 0 });
  return {
    root,
    dataDir,
    photos,
    store,
    lock,
    cleanup: () => {
      lock.release();
      store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * The stores a JobRunner works on, over the world's database (what the composition root builds for the app and the
 * CLI). `thumbnails: false` makes none; `now` is the queue's clock (give the runner the same one).
 */
export function runnerStores(
  w: TempWorld,
  options: { thumbnails?: boolean; now?: () => number } = {},
): { queue: QueueStore; library: LibraryStore; thumbnails: ThumbnailCache | null } {
  return {
    queue: new QueueStore(w.store.db, options.now),
    library: new LibraryStore(w.store.db),
    thumbnails: options.thumbnails === false ? null : new ThumbnailCache(w.store.dataDir),
  };
}

/** Writes a w×h PNG of one colour (`seed` picks it) and returns its path. */
export async function writePhoto(file: string, seed: number, w = 8, h = 8): Promise<string> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(path.dirname(file), { recursive: true });
  await sharp({
    create: { width: w, height: h, channels: 3, background: { r: (seed * 37) % 256, g: (seed * 91) % 256, b: (seed * 13) % 256 } },
  })
    .png()
    .toFile(file);
  return file;
}
