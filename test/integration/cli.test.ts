/**
 * The real `revive` command (bin/revive.js → tsx → src-main/cli/main.ts), spawned as a user would run it, on small
 * crops of real photos with the realesrgan-x4fast pack.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256, writePhotoFixtures } from '../fixtures/real-photos';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'revive.js');
let tmp: string;
let dataDir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `revive <args>` in `cwd` with an empty user data folder (only the bundled packs are visible). */
function revive(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, REVIVE_DATA_DIR: dataDir, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function size(file: string): Promise<[number, number]> {
  const m = await sharp(file).metadata();
  return [m.width, m.height];
}

/** A fresh folder with the given photos. */
async function album(name: string, specs: Parameters<typeof writePhotoFixtures>[1]): Promise<{ dir: string; files: string[] }> {
  const dir = path.join(tmp, name);
  await mkdir(dir, { recursive: true });
  return { dir, files: await writePhotoFixtures(dir, specs) };
}

beforeAll(async () => {
  expect(existsSync(path.join(ROOT, 'models/realesrgan-x4fast/revive-pack.json')), 'run "npm run setup:packs" first').toBe(true);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'revive-cli-'));
  dataDir = path.join(tmp, 'user-data');
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('revive enhance', () => {
  it('enhances a folder 4× next to the originals, prints one JSON object per input, and leaves originals byte-identical', async () => {
    const { dir, files } = await album('json', [
      { name: 'a.jpg', width: 64, height: 48 },
      { name: 'b.png', width: 48, height: 64, format: 'png' },
    ]);
    const before = await Promise.all(files.map(sha256));
    const run = await revive(['enhance', '.', '--json', '--device', 'cpu'], dir);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => [path.basename(l.input as string), path.basename(l.output as string), l.status, l.error, l.width, l.height])).toEqual([
      ['a.jpg', 'a_revive.jpg', 'done', null, 256, 192],
      ['b.png', 'b_revive.png', 'done', null, 192, 256],
    ]);
    for (const l of lines) expect(l.ms).toBeGreaterThan(0);
    expect(await size(path.join(dir, 'a_revive.jpg'))).toEqual([256, 192]);
    expect(await size(path.join(dir, 'b_revive.png'))).toEqual([192, 256]);
    expect((await sharp(path.join(dir, 'a_revive.jpg')).metadata()).format).toBe('jpeg');
    expect(await Promise.all(files.map(sha256))).toEqual(before);
  });

  it('-s 2 gives 2×, into -o DIR, in the -f format', async () => {
    const { dir, files } = await album('scale2', [{ name: 'photo.jpg', width: 80, height: 60 }]);
    const run = await revive(['enhance', files[0]!, '-s', '2', '-o', 'results', '-f', 'webp', '--device', 'cpu'], dir);
    expect(run.code, run.stderr).toBe(0);
    const out = path.join(dir, 'results', 'photo_revive.webp');
    expect(await size(out)).toEqual([160, 120]);
    expect(run.stdout).toMatch(/✓ photo\.jpg → results\/photo_revive\.webp \(160×120, /);
  });

  it('exits 1 when one file is bad, with a one-line reason, and still does the good ones', async () => {
    const { dir } = await album('mixed', [
      { name: 'a.jpg', width: 64, height: 48 },
      { name: 'c.jpg', width: 48, height: 48 },
    ]);
    await writeFile(path.join(dir, 'b.jpg'), '<!DOCTYPE html><html><body>Sorry, this photo was removed.</body></html>');
    const run = await revive(['enhance', dir, '--device', 'cpu'], tmp);
    expect(run.code).toBe(1);
    const failures = run.stderr.split('\n').filter((l) => l.startsWith('✗'));
    expect(failures).toEqual(['✗ mixed/b.jpg: not an image — it is an HTML page']);
    expect(run.stdout.split('\n').filter((l) => l.startsWith('✓'))).toHaveLength(2);
    expect(await size(path.join(dir, 'a_revive.jpg'))).toEqual([256, 192]);
    expect(await size(path.join(dir, 'c_revive.jpg'))).toEqual([192, 192]);
    expect(existsSync(path.join(dir, 'b_revive.jpg'))).toBe(false);
  });

  it('does not overwrite an existing result (the new one gets -1); --overwrite replaces it', async () => {
    const { dir, files } = await album('numbering', [{ name: 'a.jpg', width: 48, height: 48 }]);
    const earlier = path.join(dir, 'a_revive.jpg');
    await writeFile(earlier, 'an earlier result');
    const first = await revive(['enhance', 'a.jpg', '--device', 'cpu'], dir);
    expect(first.code, first.stderr).toBe(0);
    expect(await readFile(earlier, 'utf8')).toBe('an earlier result');
    expect(await size(path.join(dir, 'a_revive-1.jpg'))).toEqual([192, 192]);

    const before = await sha256(files[0]!);
    const second = await revive(['enhance', 'a.jpg', '--overwrite', '--device', 'cpu'], dir);
    expect(second.code, second.stderr).toBe(0);
    expect(await size(earlier)).toEqual([192, 192]);
    expect(existsSync(path.join(dir, 'a_revive-2.jpg'))).toBe(false);
    expect(await sha256(files[0]!)).toBe(before);
  });

  it('--overwrite never touches the original, even when the computed name is the original', async () => {
    const { dir, files } = await album('protect', [{ name: 'a.jpg', width: 48, height: 48 }]);
    const before = await sha256(files[0]!);
    const run = await revive(['enhance', 'a.jpg', '--overwrite', '--suffix', '', '--json', '--device', 'cpu'], dir);
    expect(run.code).toBe(1);
    const [line] = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(line).toMatchObject({ status: 'failed', code: 'OUTPUT_IS_INPUT' });
    expect(line!.error).toMatch(/refusing to overwrite the original/);
    expect(await sha256(files[0]!)).toBe(before);
    expect((await readdir(dir)).sort()).toEqual(['a.jpg']);
  });

  it('exits 2 on usage errors without touching anything', async () => {
    const { dir } = await album('usage', [{ name: 'a.jpg', width: 48, height: 48 }]);
    await mkdir(path.join(dir, 'empty'));
    const cases: [string[], RegExp][] = [
      [['enhance', 'a.jpg', '-s', '5'], /--scale must be one of 1, 2, 3, 4, got "5"/],
      [['enhance', 'a.jpg', '--no-such-option'], /unknown option '--no-such-option'/],
      [['enhance', 'a.jpg', '-m', 'no-such-model'], /no model "no-such-model" is installed.*realesrgan-x4fast/],
      [['enhance', 'empty'], /no photos to enhance/],
    ];
    for (const [args, message] of cases) {
      const run = await revive(args, dir);
      expect([args.join(' '), run.code]).toEqual([args.join(' '), 2]);
      expect(run.stderr).toMatch(message);
    }
    expect((await readdir(dir)).sort()).toEqual(['a.jpg', 'empty']);
  });
});

describe('revive models', () => {
  it('lists the bundled packs with kind, scale, speed, size and licence', async () => {
    const run = await revive(['models'], tmp);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ID\s+KIND\s+SCALE\s+SPEED\s+SIZE\s+LICENCE$/m);
    expect(run.stdout).toMatch(/^realesrgan-x4fast\s+pixel-sr\s+4×\s+fast\s+4\.9 MB\s+BSD-3-Clause$/m);
  });

  it('reports an invalid pack in the user folder with the reason', async () => {
    await mkdir(path.join(dataDir, 'models', 'broken-pack'), { recursive: true });
    await writeFile(path.join(dataDir, 'models', 'broken-pack', 'revive-pack.json'), '{ "id": ');
    const run = await revive(['models', '--json'], tmp);
    expect(run.code, run.stderr).toBe(0);
    const listing = JSON.parse(run.stdout) as { packs: { id: string }[]; invalid: { dir: string; reason: string }[] };
    expect(listing.packs.map((p) => p.id)).toContain('realesrgan-x4fast');
    expect(listing.invalid).toEqual([{ dir: path.join(dataDir, 'models', 'broken-pack'), reason: expect.stringMatching(/not valid JSON/) }]);
    await rm(path.join(dataDir, 'models'), { recursive: true });
  });
});
