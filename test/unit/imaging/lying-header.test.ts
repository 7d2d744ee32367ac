/**
 * Issue 12, F2: a JPEG whose header size disagrees with its data is CORRUPT, never decoded into a scrambled picture.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isImageError } from '../../../src-main/imaging/errors';
import { decodeImage } from '../../../src-main/imaging/read';
import { writeBadFiles, type BadFile } from '../../fixtures/bad-files';

let dir: string;
let corpus: BadFile[];
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'revive-lying-'));
  corpus = await writeBadFiles(dir);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('decodeImage on a JPEG whose header lies about its size', () => {
  it('refuses each with CORRUPT naming the file, and still decodes the valid JPEGs of the corpus', async () => {
    const lying = corpus.filter((f) => f.name.startsWith('lying-'));
    expect(lying.map((f) => f.name)).toEqual(['lying-400x300.jpg', 'lying-4000x3000.jpg', 'lying-16x16.jpg']);
    for (const f of lying) {
      const err = await decodeImage(path.join(dir, f.name)).then(() => undefined, (e: unknown) => e);
      expect(isImageError(err, 'CORRUPT'), `${f.name}: ${String(err)}`).toBe(true);
      expect((err as Error).message).toContain(f.name);
    }
    for (const f of corpus.filter((c) => c.expect === 'ok' && c.name.endsWith('.jpg'))) {
      await expect(decodeImage(path.join(dir, f.name)), f.name).resolves.toBeDefined();
    }
  });
});
