import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src-main/cli/main';
import { DATABASE_FILE, openStore, StoreError } from '../../../src-main/store';

/** Runs the CLI in-process, collecting what it writes. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (s: string) => (out.push(s), true) }, stderr: { write: (s: string) => (err.push(s), true) } });
  return { code, out: out.join(''), err: err.join('') };
}

describe('a damaged database', () => {
  let dataDir: string;
  let file: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'revive-corrupt-db-'));
    file = path.join(dataDir, DATABASE_FILE);
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A real, populated database cut short (as a crash of the disk or a bad copy leaves it). */
  async function truncatedDb(): Promise<void> {
    const store = openStore(dataDir);
    store.close();
    await truncate(file, 1500);
    await rm(`${file}-wal`, { force: true });
    await rm(`${file}-shm`, { force: true });
  }

  it('opening a garbage file names it and says how to recover', async () => {
    await writeFile(file, Buffer.alloc(8192, 0x5a));
    let caught: unknown;
    try {
      openStore(dataDir).close();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(StoreError);
    expect(caught).toMatchObject({ code: 'STORE_CORRUPT' });
    expect((caught as Error).message).toContain(file);
    expect((caught as Error).message).toMatch(/move it aside/i);
  });

  for (const [name, damage] of [
    ['a garbage file', async (f: string) => void (await writeFile(f, Buffer.alloc(8192, 0x5a)))],
    ['a truncated file', async () => truncatedDb()],
  ] as const) {
    it(`the CLI reports ${name} in one message with exit 74 and no stack trace`, async () => {
      await damage(file);
      const r = await run(['history', '--data-dir', dataDir]);
      expect(r.code).toBe(74);
      // Commands that open the queue report it the same way.
      expect((await run(['resume', '--data-dir', dataDir])).code).toBe(74);
      expect(r.err).toContain(file);
      expect(r.err).toMatch(/damaged.*Move it aside/);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    });
  }
});

describe('storeError', () => {
  it('names a full disk as such (SQLite or the file system), and keeps other failures naming the file', async () => {
    const { storeError } = await import('../../../src-main/store/store-error');
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    expect(storeError(full, 'prepare', '/d/revive.db')).toMatchObject({ code: 'STORE_FULL', message: expect.stringMatching(/disk holding \/d\/revive\.db is full/) });
    const enospc = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    expect(storeError(new Error('wrapped', { cause: enospc }), 'open', '/d/revive.db')).toMatchObject({ code: 'STORE_FULL' });
    expect(storeError(new Error('newer schema'), 'prepare', '/d/revive.db')).toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: 'cannot prepare the database /d/revive.db: newer schema',
    });
  });
});
