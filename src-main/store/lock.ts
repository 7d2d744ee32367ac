/**
 * The lock that keeps two processes (the app, the CLI, `revive serve`) from running the same queue.
 *
 * Choice: a row in the database's `locks` table holding the owner's pid, host name, a random token and a heartbeat
 * time, claimed inside an IMMEDIATE transaction (SQLite's write lock makes check-and-claim atomic across processes).
 * Why not a lock file opened with O_EXCL: a file lock needs its own stale-file clean-up, lives apart from the data it
 * guards (a copied data folder would carry the database without the lock or vice versa), and O_EXCL is unreliable on
 * some network file systems; the row is committed with the same durability as the queue itself.
 *
 * A holder is alive while both hold: its process exists (checked with signal 0, on the same host only) and its
 * heartbeat is younger than `staleMs`. So a killed holder's lock is taken over at once (the pid is gone), and a lock
 * whose pid was reused by an unrelated process, or whose holder is on another machine sharing the folder, is taken
 * over once the heartbeat is stale. The holder refreshes the heartbeat every `heartbeatMs`; if it finds its token
 * gone (a process took over while this one was suspended — a closed laptop lid), it reports the lock lost so the
 * runner stops starting work.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { CodedError } from '../pixels/coded-error';
import type { Db } from './types';

/** Who holds a lock. */
export interface LockHolder {
  pid: number;
  host: string;
  acquiredAt: number;
  heartbeatAt: number;
}

/** Thrown when another live process holds the lock. */
export class LockHeldError extends CodedError<'LOCK_HELD'> {
  constructor(
    readonly lockName: string,
    readonly holder: LockHolder,
  ) {
    super(
      'LOCK_HELD',
      `another Revive process (pid ${holder.pid} on ${holder.host}) is running the ${lockName}; ` +
        `its last heartbeat was ${new Date(holder.heartbeatAt).toISOString()}`,
    );
    this.name = 'LockHeldError';
  }
}

export interface LockOptions {
  /** A heartbeat older than this makes the lock stale (taken over even if the pid exists). Default 30 s. */
  staleMs?: number;
  /** How often the holder refreshes its heartbeat. Default 5 s; 0 turns the timer off (tests drive `heartbeat()`). */
  heartbeatMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Liveness check, for tests. */
  isAlive?: (pid: number) => boolean;
}

/** Whether a process with this pid exists on this machine. EPERM means it exists but belongs to another user. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockRow {
  pid: number;
  host: string;
  token: string;
  acquired_at: number;
  heartbeat_at: number;
}

/** A held lock. Call {@link ProcessLock.release} when done (a killed process's lock is taken over anyway). */
export class ProcessLock {
  readonly token = randomUUID();
  #timer: NodeJS.Timeout | undefined;
  #held = true;
  readonly #lost = new Set<() => void>();

  /** @internal use {@link acquireLock} */
  constructor(
    private readonly db: Db,
    readonly name: string,
    private readonly now: () => number,
  ) {}

  /** Whether this process still believes it holds the lock. */
  get held(): boolean {
    return this.#held;
  }

  /** Calls `fn` once if the lock is found taken over. Returns an unsubscribe function. */
  onLost(fn: () => void): () => void {
    this.#lost.add(fn);
    return () => this.#lost.delete(fn);
  }

  /**
   * Refreshes the heartbeat. Returns false (and notifies `onLost` listeners) if another process has taken the lock.
   */
  heartbeat(): boolean {
    if (!this.#held) return false;
    // A database closed before release() (a shutdown in the wrong order) cannot be written; stop quietly rather
    // than throw from a timer. The row goes stale and is taken over, as after a kill.
    if (!this.db.open) {
      this.#stopTimer();
      return false;
    }
    const r = this.db
      .prepare('UPDATE locks SET heartbeat_at = ? WHERE name = ? AND token = ?')
      .run(this.now(), this.name, this.token);
    if (r.changes === 1) return true;
    this.#markLost();
    return false;
  }

  /** Releases the lock (only if still ours) and stops the heartbeat. Safe to call twice. */
  release(): void {
    this.#stopTimer();
    if (!this.#held) return;
    this.#held = false;
    if (this.db.open) this.db.prepare('DELETE FROM locks WHERE name = ? AND token = ?').run(this.name, this.token);
  }

  /** @internal */
  startTimer(ms: number): void {
    if (ms <= 0) return;
    this.#timer = setInterval(() => this.heartbeat(), ms);
    // The heartbeat must not keep a finished CLI alive.
    this.#timer.unref();
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #markLost(): void {
    this.#held = false;
    this.#stopTimer();
    for (const fn of this.#lost) fn();
    this.#lost.clear();
  }
}

/** Reads who holds a lock, or null. */
export function lockHolder(db: Db, name: string): LockHolder | null {
  const row = db.prepare('SELECT pid, host, token, acquired_at, heartbeat_at FROM locks WHERE name = ?').get(name) as
    | LockRow
    | undefined;
  return row ? { pid: row.pid, host: row.host, acquiredAt: row.acquired_at, heartbeatAt: row.heartbeat_at } : null;
}

/**
 * Takes the named lock, or throws {@link LockHeldError} naming the live holder.
 * A holder that is dead (its pid is gone on this host) or silent (heartbeat older than `staleMs`) is replaced.
 */
export function acquireLock(db: Db, name: string, options: LockOptions = {}): ProcessLock {
  const now = options.now ?? Date.now;
  const staleMs = options.staleMs ?? 30_000;
  const isAlive = options.isAlive ?? processExists;
  const host = os.hostname();
  const lock = new ProcessLock(db, name, now);
  db.transaction(() => {
    const row = db.prepare('SELECT pid, host, token, acquired_at, heartbeat_at FROM locks WHERE name = ?').get(name) as
      | LockRow
      | undefined;
    const t = now();
    if (row) {
      const silent = t - row.heartbeat_at > staleMs;
      // A pid means nothing on another machine sharing the folder; there only the heartbeat counts.
      const dead = row.host === host && !isAlive(row.pid);
      if (!silent && !dead) {
        throw new LockHeldError(name, {
          pid: row.pid,
          host: row.host,
          acquiredAt: row.acquired_at,
          heartbeatAt: row.heartbeat_at,
        });
      }
    }
    db.prepare(
      `INSERT INTO locks (name, pid, host, token, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET pid = excluded.pid, host = excluded.host, token = excluded.token,
         acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
    ).run(name, process.pid, host, lock.token, t, t);
  }).immediate();
  lock.startTimer(options.heartbeatMs ?? 5_000);
  return lock;
}

/** The lock name for running the job queue. */
export const QUEUE_LOCK = 'queue';
