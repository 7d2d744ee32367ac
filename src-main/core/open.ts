/**
 * The one composition root. From a data folder it opens the store, takes the queue lock, and builds the pack
 * registry, the engine host, the queue, library and thumbnail stores, and the job runner over them. The app and
 * `revive serve` (through {@link openReviveCore} in ./services.ts) and the CLI's `enhance` and `resume` all start
 * here, so they run the same queue the same way; `revive history` reads the library through {@link openLibrary},
 * which takes no lock (browsing the history must work while another process runs the queue).
 *
 * Nothing here renders anything or imports Electron: a front end subscribes to the runner's progress and draws it.
 */
import path from 'node:path';
import { EngineHost } from '../engine/host';
import { ENGINE_CACHE_ENV, type EngineSpawner } from '../engine/spawn';
import { engineFromHost, type EstimateListener } from '../jobs/engine';
import { QueueStore } from '../jobs/queue-store';
import { JobRunner } from '../jobs/runner';
import { LibraryStore } from '../library/library-store';
import { ThumbnailCache } from '../library/thumbnails';
import { packOrExplain, PackNotFoundError } from '../models/find-pack';
import { packRoots } from '../models/pack-roots';
import { PackRegistry, type InstalledPack, type PackListing } from '../models/registry';
import { CodedError } from '../pixels/coded-error';
import { openStore, type Store } from '../store/database';
import { acquireLock, LockHeldError, QUEUE_LOCK, type ProcessLock } from '../store/lock';
import { MASK_DIR } from '../store/paths';

export interface OpenRootOptions {
  /** A ready engine host (tests). Default: a new one, started with `spawner`. */
  engineHost?: EngineHost;
  /** How the engine process starts (default child_process.fork of the engine's entry). */
  spawner?: EngineSpawner;
  /** Folders holding installed packs; default the bundled `models/` and `<dataDir>/models`. */
  packRoots?: string[];
}

/** Another Revive process (the app, `revive serve`, a CLI batch) runs the queue of this data folder. */
export class QueueLockedError extends CodedError {
  /** Who holds the queue, in words ("another Revive process (pid 12 on host) is running the queue; …"). */
  readonly holder: string;

  constructor(dir: string, holder: string) {
    super('QUEUE_LOCKED', `another Revive process runs the queue in ${dir}: ${holder}`);
    this.name = 'QueueLockedError';
    this.holder = holder;
  }
}

/**
 * The installed packs as last listed, for the runner's synchronous model lookup. A lookup that finds nothing
 * explains why, in the words {@link packOrExplain} uses everywhere.
 */
export class InstalledPacks {
  readonly registry: PackRegistry;
  #listing: PackListing = { packs: [], invalid: [] };

  constructor(registry: PackRegistry) {
    this.registry = registry;
  }

  /** Lists the packs again (packs come and go while the app runs); returns them. */
  async refresh(): Promise<InstalledPack[]> {
    this.#listing = await this.registry.list();
    return this.#listing.packs;
  }

  /** Whether the last listing had a valid pack with this id. */
  has(id: string): boolean {
    return this.#listing.packs.some((p) => p.id === id);
  }

  /**
   * The scale a pack holds in memory when asked for `scale`: a feed-forward (pixel-sr) model always makes its own
   * scale first and is then resized; the others make the requested scale. Unknown packs: the requested scale.
   */
  workingScaleOf(id: string, scale: number): number {
    const pack = this.#listing.packs.find((p) => p.id === id);
    return pack?.manifest.kind === 'pixel-sr' ? Math.max(scale, pack.manifest.scale) : scale;
  }

  /** The pack's folder from the last listing. @throws PackNotFoundError (MODEL_NOT_FOUND) when there is none. */
  dirOf(id: string): string {
    const found = packOrExplain(this.#listing, this.registry.roots, id);
    if (found instanceof PackNotFoundError) throw found;
    return found.dir;
  }
}

/** Everything one data folder holds, opened, with its queue lock held by this process. */
export interface ReviveRoot {
  readonly dir: string;
  readonly store: Store;
  readonly lock: ProcessLock;
  readonly packs: InstalledPacks;
  readonly host: EngineHost;
  readonly queue: QueueStore;
  readonly library: LibraryStore;
  readonly thumbnails: ThumbnailCache;
  readonly runner: JobRunner;
  /** Subscribes to the engine's time estimates for the image it runs. Returns the unsubscribe function. */
  onEstimate(listener: EstimateListener): () => void;
  /** Stops the runner after its current image, ends the engine, waits for background work, releases the lock and closes the database. */
  close(): Promise<void>;
}

/** Takes the queue lock on an open store. @throws QueueLockedError when another live process holds it (the store is closed then). */
function lockQueue(store: Store, dir: string): ProcessLock {
  try {
    return acquireLock(store.db, QUEUE_LOCK);
  } catch (err) {
    store.close();
    if (err instanceof LockHeldError) throw new QueueLockedError(dir, err.message);
    throw err;
  }
}

/**
 * Opens a data folder for running its queue: store, lock, packs (listed once), engine host, stores and runner.
 * Crash recovery is the caller's next step ({@link JobRunner.recover}), so it can report what it found.
 * @throws QueueLockedError (QUEUE_LOCKED) when another Revive process runs the queue of this folder.
 */
export async function openRoot(dataDir: string, options: OpenRootOptions = {}): Promise<ReviveRoot> {
  const dir = path.resolve(dataDir);
  const store = openStore(dir);
  const lock = lockQueue(store, dir);
  // The engine (forked or a utility process) inherits this: its derived graphs are cached in the data folder.
  process.env[ENGINE_CACHE_ENV] = path.join(dir, 'cache', 'engine');
  const host = options.engineHost ?? new EngineHost(options.spawner ? { spawner: options.spawner } : {});
  const packs = new InstalledPacks(new PackRegistry(options.packRoots ?? packRoots(dir)));
  const estimateListeners = new Set<EstimateListener>();
  const queue = new QueueStore(store.db);
  const library = new LibraryStore(store.db);
  const thumbnails = new ThumbnailCache(store.dataDir);
  const runner = new JobRunner({
    queue,
    library,
    thumbnails,
    engine: engineFromHost(host, (input, e) => estimateListeners.forEach((l) => l(input, e))),
    lock,
    resolveModelDir: (id) => packs.dirOf(id),
    workingScale: (id, scale) => packs.workingScaleOf(id, scale),
    masksDir: path.join(store.dataDir, MASK_DIR),
  });
  let closed = false;
  const root: ReviveRoot = {
    dir,
    store,
    lock,
    packs,
    host,
    queue,
    library,
    thumbnails,
    runner,
    onEstimate: (listener) => {
      estimateListeners.add(listener);
      return () => estimateListeners.delete(listener);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      runner.stop();
      await host.close();
      await runner.idle();
      lock.release();
      store.close();
    },
  };
  try {
    await packs.refresh();
  } catch (err) {
    await root.close();
    throw err;
  }
  return root;
}

/** The history of a data folder, read without the queue lock. */
export interface LibraryAccess {
  readonly library: LibraryStore;
  close(): void;
}

/** Opens a data folder's library for reading and searching; takes no lock, so it works while the queue runs elsewhere. */
export function openLibrary(dataDir: string): LibraryAccess {
  const store = openStore(path.resolve(dataDir));
  return { library: new LibraryStore(store.db), close: () => store.close() };
}

/** The queue of a data folder, for reading only. */
export interface QueueAccess {
  readonly queue: QueueStore;
  close(): void;
}

/**
 * Opens a data folder's queue for listing; takes no lock, so `revive queue list` works while another process runs the
 * queue. Changing the queue goes through {@link openRoot}, which holds the lock.
 */
export function openQueueView(dataDir: string): QueueAccess {
  const store = openStore(path.resolve(dataDir));
  return { queue: new QueueStore(store.db), close: () => store.close() };
}
