/**
 * Opens the one SQLite database that holds the queue and the library. Only this folder opens it; jobs/ and library/
 * receive the handle.
 *
 * Settings chosen for crash safety: WAL (readers never block the runner, and a commit is one append), synchronous =
 * NORMAL (in WAL mode a process kill loses nothing committed; a power cut may lose the last commits but never
 * corrupts the file — and the queue recovers from that too, because a lost "done" only means the item is adopted or
 * redone on restart), foreign keys on, and a busy timeout so a second process briefly waits instead of failing.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DATABASE_FILE } from './paths';
import { migrate, type Migration, MIGRATIONS } from './migrations';
import type { Db } from './types';
import { storeError } from './store-error';

export interface OpenOptions {
  /** Milliseconds a statement waits for another process's write lock before failing. */
  busyTimeoutMs?: number;
  /** Replace the schema (tests of the migration mechanism). */
  migrations?: readonly Migration[];
}

/** The open database plus where it lives. */
export interface Store {
  readonly db: Db;
  /** The user-data folder the database lives in. */
  readonly dataDir: string;
  close(): void;
}

/**
 * Opens (creating if needed) `<dataDir>/revive.db` and migrates it to the current schema.
 * @throws StoreError if the folder cannot be created, the file is damaged or not a database, the disk is full, or it
 *   was written by a newer Revive.
 */
export function openStore(dataDir: string, options: OpenOptions = {}): Store {
  const dir = path.resolve(dataDir);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw storeError(e, 'create the folder of', path.join(dir, DATABASE_FILE));
  }
  const file = path.join(dir, DATABASE_FILE);
  let db: Db;
  try {
    db = new Database(file);
  } catch (e) {
    throw storeError(e, 'open', file);
  }
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`journal_mode is ${String(mode)}, expected wal (is the folder on a network share?)`);
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, options.migrations ?? MIGRATIONS);
  } catch (e) {
    db.close();
    throw storeError(e, 'prepare', file);
  }
  return {
    db,
    dataDir: dir,
    close: () => {
      if (!db.open) return;
      // Keeps the query planner's statistics current (cheap; SQLite's recommended habit before closing).
      db.pragma('optimize');
      db.close();
    },
  };
}
