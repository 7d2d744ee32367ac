/**
 * Issue 12, F15: an engine request leaves nothing in the system temp folder or the home folder — no onnxruntime
 * telemetry store (~/.cache/Microsoft/DeveloperTools), no `mat-debug-<pid>.log`. HOME and TMPDIR point at empty
 * folders for the engine process (it inherits them). Fails without engine/process/offline.ts (mat-debug-<pid>.log,
 * .ses and the telemetry store appear).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineHost } from '../../src-main/engine/host';

const PACK = path.resolve(import.meta.dirname, '../../models/realesrgan-x4fast');
const root = await mkdtemp(path.join(os.tmpdir(), 'revive-stray-'));
afterAll(async () => rm(root, { recursive: true, force: true }));

async function listAll(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

describe('an engine request', () => {
  it('leaves no file in a fresh HOME or TMPDIR', async () => {
    const home = path.join(root, 'home');
    const tmp = path.join(root, 'tmp');
    const work = path.join(root, 'work');
    await Promise.all([mkdir(home), mkdir(tmp), mkdir(work)]);
    const input = path.join(work, 'in.png');
    await sharp({ create: { width: 24, height: 16, channels: 3, background: '#806040' } }).png().toFile(input);
    const saved = { HOME: process.env['HOME'], TMPDIR: process.env['TMPDIR'] };
    process.env['HOME'] = home;
    process.env['TMPDIR'] = tmp;
    const host = new EngineHost();
    try {
      await host.enhance({ input, output: path.join(work, 'out.png'), modelDir: PACK, scale: 4, format: 'png', provider: 'cpu', threads: 1 });
    } finally {
      await host.close();
      process.env['HOME'] = saved.HOME;
      process.env['TMPDIR'] = saved.TMPDIR;
    }
    expect(existsSync(path.join(work, 'out.png'))).toBe(true);
    // tsx-*: the TypeScript loader the tests start the engine with (the packaged app runs built JavaScript).
    expect((await listAll(tmp)).filter((f) => !/^tsx-\d+/.test(f))).toEqual([]);
    expect(await listAll(home)).toEqual([]);
  });
});
