import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../src-main/store/database';
import { acquireLock, LockHeldError, lockHolder, QUEUE_LOCK } from '../../../src-main/store/lock';
import { migrate, type Migration } from '../../../src-main/store/migrations';

const HOLDER = path.resolve(import.meta.dirname, '../../support/hold-lock.ts');

/** Starts a child that takes the lock; resolves with its first line of output. */
function startHolder(dataDir: string): { child: ChildProcess; line: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.on('exit', (code) => reject(new Error(`holder exited with ${code} before printing (${buf})`)));
  });
  return { child, line };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

describe('the queue lock between processes', () => {
  let dir: string;
  let store: Store;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'revive-lock-'));
    store = openStore(dir);
  });
  afterEach(async () => {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGKILL');
        await exited(c);
      }
    }
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a second process cannot take the lock while the holder lives; a killed holder’s lock is taken over', async () => {
    const holder = startHolder(dir);
    children.push(holder.child);
    expect(await holder.line).toBe(`locked ${holder.child.pid}`);

    // This process is refused, with the holder named.
    let err: unknown;
    try {
      acquireLock(store.db, QUEUE_LOCK, { heartbeatMs: 0 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LockHeldError);
    expect((err as Error).message).toContain(`pid ${holder.child.pid} on ${os.hostname()}`);

    // So is a third process.
    const third = startHolder(dir);
    children.push(third.child);
    expect(await third.line.catch((e: Error) => e.message)).toMatch(/^refused another Revive process \(pid \d+/);

    holder.child.kill('SIGKILL');
    await exited(holder.child);
    // The dead holder's row is still there; it is taken over at once because its pid is gone.
    expect(lockHolder(store.db, QUEUE_LOCK)?.pid).toBe(holder.child.pid);
    const lock = acquireLock(store.db, QUEUE_LOCK, { heartbeatMs: 0 });
    expect(lockHolder(store.db, QUEUE_LOCK)?.pid).toBe(process.pid);
    lock.release();
    expect(lockHolder(store.db, QUEUE_LOCK)).toBeNull();
  });

  it('takes over a lock whose pid lives but whose heartbeat is stale (pid reused), and the old holder learns it lost it', () => {
    let t = 1_000_000;
    const now = () => t;
    const first = acquireLock(store.db, QUEUE_LOCK, { heartbeatMs: 0, now, staleMs: 30_000 });
    let lost = 0;
    first.onLost(() => lost++);
    // Same host, live pid (our own), fresh heartbeat: refused.
    t += 29_000;
    expect(() => acquireLock(store.db, QUEUE_LOCK, { heartbeatMs: 0, now, staleMs: 30_000 })).toThrow(LockHeldError);
    // The holder's heartbeat keeps it fresh.
    expect(first.heartbeat()).toBe(true);
    t += 29_000;
    expect(() => acquireLock(store.db, QUEUE_LOCK, { heartbeatMs: 0, now, staleMs: 30_000 })).toThrow(LockHeldError);
    // Silent for longer than staleMs (a suspended laptop, or a reused pid): taken over.
    t += 31_000;
    const second = acquireLock(store.db, QUEUE_LOCK, { heartbeatMs: 0, now, staleMs: 30_000 });
    expect(first.heartbeat()).toBe(false);
    expect(lost).toBe(1);
    expect(first.held).toBe(false);
    // Releasing a lost lock does not release the new holder's.
    first.release();
    expect(lockHolder(store.db, QUEUE_LOCK)).not.toBeNull();
    second.release();
  });

  it('a holder on another host is judged by its heartbeat only', () => {
    store.db
      .prepare('INSERT INTO locks (name, pid, host, token, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(QUEUE_LOCK, 999_999, 'other-machine', 'x', Date.now(), Date.now());
    // pid 999999 does not exist here, but it is another machine's pid: still refused while fresh.
    expect(() => acquireLock(store.db, QUEUE_LOCK, { heartbeatMs: 0 })).toThrow(/pid 999999 on other-machine/);
    const lock = acquireLock(store.db, QUEUE_LOCK, { heartbeatMs: 0, now: () => Date.now() + 60_000 });
    lock.release();
  });
});

describe('store migrations', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'revive-migrate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens in WAL mode at the current schema version and reopens without migrating again', () => {
    const s = openStore(dir);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const v = s.db.pragma('user_version', { simple: true });
    expect(v).toBeGreaterThanOrEqual(1);
    s.close();
    const again = openStore(dir);
    expect(again.db.pragma('user_version', { simple: true })).toBe(v);
    again.close();
  });

  it('applies new migrations in order, and a failing one leaves the previous version intact', () => {
    const ms: Migration[] = [
      { name: 'a', up: (db) => db.exec('CREATE TABLE a (x)') },
      { name: 'b', up: (db) => db.exec('CREATE TABLE b (y)') },
    ];
    const s = openStore(dir, { migrations: ms.slice(0, 1) });
    expect(migrate(s.db, ms)).toEqual({ from: 1, to: 2 });
    const broken: Migration[] = [...ms, { name: 'c', up: (db) => db.exec('CREATE TABLE c (z); CREATE TABLE a (dup)') }];
    expect(() => migrate(s.db, broken)).toThrow(/migration 3 \("c"\) failed/);
    expect(s.db.pragma('user_version', { simple: true })).toBe(2);
    expect(s.db.prepare("SELECT name FROM sqlite_master WHERE name = 'c'").get()).toBeUndefined();
    s.close();
  });

  it('refuses a database written by a newer version', () => {
    const s = openStore(dir);
    s.db.pragma('user_version = 99');
    s.close();
    expect(() => openStore(dir)).toThrow(/schema version 99, newer than this build knows/);
  });
});
