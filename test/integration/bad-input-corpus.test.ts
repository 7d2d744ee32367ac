/**
 * The malformed-input corpus (test/fixtures/bad-files.ts) through the real engine path — decode → realesrgan-x4fast
 * → encode → metadata → atomic write, in the engine process — one file after another on one engine: each gives the
 * expected error code with a message naming the file, or a correct result; the engine never crashes or hangs (it
 * must still serve the next file), and no partial or temp file is left. (The CLI reports such failures per file
 * and exits with 1, "some inputs failed".)
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineHost } from '../../src-main/engine/host';
import { escapeControl } from '../../src-main/pixels/one-line';
import { writeBadFiles, type BadFile } from '../fixtures/bad-files';

const PACK = path.resolve(import.meta.dirname, '../../models/realesrgan-x4fast');
let dir: string;
let outDir: string;
let corpus: BadFile[];
let host: EngineHost;
const hashes = new Map<string, string>();

async function hashOf(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

beforeAll(async () => {
  expect(existsSync(path.join(PACK, 'revive-pack.json')), 'run "npm run setup:packs" first').toBe(true);
  dir = await mkdtemp(path.join(os.tmpdir(), 'revive-corpus-'));
  outDir = path.join(dir, 'out');
  await mkdir(outDir);
  corpus = await writeBadFiles(dir);
  for (const f of corpus) if (f.name !== 'folder.jpg') hashes.set(f.name, await hashOf(path.join(dir, f.name)));
  host = new EngineHost();
});

afterAll(async () => {
  await host?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the bad-input corpus', () => {
  it('has at least 30 files', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
  });

  it('each file gives its expected outcome; no crash, no partial file, originals untouched', async () => {
    const outcomes: string[] = [];
    for (const [i, f] of corpus.entries()) {
      const output = path.join(outDir, `${i}-${f.name.replace(/\W/g, '_')}.png`);
      const warnings: string[] = [];
      const result = await host
        .enhance({ input: path.join(dir, f.name), output, modelDir: PACK, scale: 4, format: 'png', provider: 'cpu', threads: 2 }, { onWarning: (w) => warnings.push(w) })
        .then(
          (r) => ({ ok: true as const, r }),
          (e: unknown) => ({ ok: false as const, code: (e as { code?: string }).code ?? 'NO_CODE', message: (e as Error).message }),
        );
      if (f.expect === 'ok') {
        expect(result.ok, `${f.name}: ${result.ok ? '' : `${result.code} ${result.message}`}`).toBe(true);
        const meta = await sharp(output).metadata();
        expect([meta.width, meta.height], f.name).toEqual(f.size);
        if (f.pattern) expect(warnings.some((w) => f.pattern!.test(w)), `${f.name}: warnings ${JSON.stringify(warnings)}`).toBe(true);
        outcomes.push(`${f.name}: ok ${meta.width}×${meta.height}${warnings.length ? ` (${warnings.length} warning)` : ''}`);
      } else {
        expect(result.ok, `${f.name} should fail with ${f.expect}`).toBe(false);
        if (!result.ok) {
          expect(result.code, `${f.name}: ${result.message}`).toBe(f.expect);
          expect(result.message).toContain(escapeControl(f.name));
          expect(result.message.split('\n')).toHaveLength(1);
          // Issue 12, F9: one clean line: no control character, no label left dangling.
          // eslint-disable-next-line no-control-regex -- the point is to find control characters
          expect(result.message, f.name).not.toMatch(/[\u0000-\u001f\u007f]|[:—]\s*$/);
          if (f.pattern) expect(result.message).toMatch(f.pattern);
          outcomes.push(`${f.name}: ${result.code}`);
        }
        expect(existsSync(output), `${f.name}: no output for a failure`).toBe(false);
      }
    }
    // Nothing half-written anywhere, and every original byte-identical.
    expect((await readdir(outDir)).filter((n) => n.startsWith('.revive-tmp-') || n.includes('_exiftool_tmp'))).toEqual([]);
    for (const [name, hash] of hashes) expect(await hashOf(path.join(dir, name)), name).toBe(hash);
    expect(outcomes).toHaveLength(corpus.length);
  });
});
