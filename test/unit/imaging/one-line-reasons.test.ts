/**
 * Issue 12, F9: every reason imaging gives for the bad-input corpus is one clean line — no line break or control
 * character (even from a file name), no label left dangling ("corrupt header:") — whether it comes from probing (the
 * planner, the CLI) or from decoding (the engine).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeImage } from '../../../src-main/imaging/probe';
import { decodeImage } from '../../../src-main/imaging/read';
import { writeBadFiles, type BadFile } from '../../fixtures/bad-files';

let dir: string;
let corpus: BadFile[];
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'revive-reasons-'));
  corpus = await writeBadFiles(dir);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

// eslint-disable-next-line no-control-regex -- the point is to find control characters
const clean = /^[^\u0000-\u001f\u007f]+$/;

describe('reasons for the bad-input corpus', () => {
  it('are one clean line from probeImage and from decodeImage', async () => {
    let failures = 0;
    for (const f of corpus.filter((c) => c.expect !== 'ok')) {
      for (const step of [probeImage, decodeImage] as ((p: string) => Promise<unknown>)[]) {
        const err = await step(path.join(dir, f.name)).then(() => undefined, (e: unknown) => e as Error);
        if (!err) continue;
        failures++;
        expect(err.message, `${step.name} ${JSON.stringify(f.name)}`).toMatch(clean);
        expect(err.message, `${step.name} ${JSON.stringify(f.name)}`).not.toMatch(/[:—]\s*$/);
        // Only the library's first line is kept (the rest is not squeezed in as escaped line breaks).
        expect(err.message.replace(JSON.stringify(f.name).slice(1, -1), ''), `${step.name} ${JSON.stringify(f.name)}`).not.toContain('\\n');
      }
    }
    expect(failures).toBeGreaterThan(20);
  });
});
