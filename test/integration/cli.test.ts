/**
 * The real `revive` command (bin/revive.js → tsx → src-main/cli/main.ts), spawned as a user would run it, on small
 * crops of real photos with the realesrgan-x4fast pack.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/main';
import { sha256, writePhotoFixtures } from '../fixtures/real-photos';
import { runCli, type CliRun } from '../support/run-cli';

const ROOT = path.resolve(import.meta.dirname, '../..');
let tmp: string;
let dataDir: string;

/** Runs `revive <args>` in `cwd` with an empty user data folder (only the bundled packs are visible). */
function revive(args: string[], cwd: string): Promise<CliRun> {
  return runCli(args, { cwd: cwd, dataDir });
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
  it('enhances a folder 4× next to the originals; a bad file gets a one-line reason, exit 1, and the rest are done', async () => {
    const { dir, files } = await album('mixed', [
      { name: 'a.jpg', width: 64, height: 48 },
      { name: 'c.png', width: 48, height: 64, format: 'png' },
    ]);
    await writeFile(path.join(dir, 'b.jpg'), '<!DOCTYPE html><html><body>Sorry, this photo was removed.</body></html>');
    const before = await Promise.all(files.map(sha256));
    const run = await revive(['enhance', dir, '--device', 'cpu'], tmp);
    expect(run.code).toBe(1);
    const failures = run.stderr.split('\n').filter((l) => l.startsWith('✗'));
    expect(failures).toEqual(['✗ mixed/b.jpg: not an image — it is an HTML page']);
    expect(run.stdout.split('\n').filter((l) => l.startsWith('✓'))).toEqual([
      expect.stringMatching(/^✓ mixed\/a\.jpg → mixed\/a_realesrgan-x4fast_4x\.jpg \(256×192, [\d.]+ s, cpu\)$/),
      expect.stringMatching(/^✓ mixed\/c\.png → mixed\/c_realesrgan-x4fast_4x\.png \(192×256, /),
    ]);
    expect(await size(path.join(dir, 'a_realesrgan-x4fast_4x.jpg'))).toEqual([256, 192]);
    expect((await sharp(path.join(dir, 'a_realesrgan-x4fast_4x.jpg')).metadata()).format).toBe('jpeg');
    expect(await size(path.join(dir, 'c_realesrgan-x4fast_4x.png'))).toEqual([192, 256]);
    expect(existsSync(path.join(dir, 'b_realesrgan-x4fast_4x.jpg'))).toBe(false);
    expect(await Promise.all(files.map(sha256))).toEqual(before);
  });

  it('-s 2 gives 2×, into -o DIR, in the -f format, with one JSON object per input on stdout', async () => {
    const { dir, files } = await album('scale2', [
      { name: 'a.jpg', width: 80, height: 60 },
      { name: 'b.png', width: 48, height: 64, format: 'png' },
    ]);
    const before = await Promise.all(files.map(sha256));
    const run = await revive(['enhance', 'a.jpg', 'b.png', '-s', '2', '-o', 'results', '-f', 'webp', '--json', '--device', 'cpu'], dir);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.input, l.output, l.status, l.error, l.width, l.height])).toEqual([
      [path.join(dir, 'a.jpg'), path.join(dir, 'results', 'a_realesrgan-x4fast_2x.webp'), 'done', null, 160, 120],
      [path.join(dir, 'b.png'), path.join(dir, 'results', 'b_realesrgan-x4fast_2x.webp'), 'done', null, 96, 128],
    ]);
    for (const l of lines) expect(l.ms).toBeGreaterThan(0);
    expect(await size(path.join(dir, 'results', 'a_realesrgan-x4fast_2x.webp'))).toEqual([160, 120]);
    expect((await sharp(path.join(dir, 'results', 'b_realesrgan-x4fast_2x.webp')).metadata()).format).toBe('webp');
    expect(await Promise.all(files.map(sha256))).toEqual(before);
  });

  it('does not overwrite an existing file (the new one gets -1); --overwrite replaces only the result Revive wrote', async () => {
    const { dir, files } = await album('numbering', [{ name: 'a.jpg', width: 48, height: 48 }]);
    const earlier = path.join(dir, 'a_realesrgan-x4fast_4x.jpg');
    await writeFile(earlier, 'an earlier result');
    const first = await revive(['enhance', 'a.jpg', '--device', 'cpu'], dir);
    expect(first.code, first.stderr).toBe(0);
    expect(await readFile(earlier, 'utf8')).toBe('an earlier result');
    expect(await size(path.join(dir, 'a_realesrgan-x4fast_4x-1.jpg'))).toEqual([192, 192]);

    const before = await sha256(files[0]!);
    const second = await revive(['enhance', 'a.jpg', '--overwrite', '--device', 'cpu'], dir);
    expect(second.code, second.stderr).toBe(0);
    // a_realesrgan-x4fast_4x.jpg is not Revive's (issue 12, F7): kept; Revive's own a_realesrgan-x4fast_4x-1.jpg is the one replaced.
    expect(await readFile(earlier, 'utf8')).toBe('an earlier result');
    expect(second.stdout).toContain('a_realesrgan-x4fast_4x-1.jpg');
    expect(await size(path.join(dir, 'a_realesrgan-x4fast_4x-1.jpg'))).toEqual([192, 192]);
    expect(existsSync(path.join(dir, 'a_realesrgan-x4fast_4x-2.jpg'))).toBe(false);
    expect(await sha256(files[0]!)).toBe(before);
  });

  it('a photo whose header claims 60000×60000 fails alone: the batch is neither refused for its format nor for disk space', async () => {
    const { dir } = await album('bomb', [{ name: 'a.jpg', width: 48, height: 48 }]);
    const jpeg = await readFile(path.join(dir, 'a.jpg'));
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    jpeg.writeUInt16BE(60000, sof + 5);
    jpeg.writeUInt16BE(60000, sof + 7);
    await writeFile(path.join(dir, 'bomb.jpg'), jpeg);
    for (const format of [[], ['-f', 'png']]) {
      const run = await revive(['enhance', '.', ...format, '--overwrite', '--device', 'cpu'], dir);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).not.toMatch(/disk space|fallback-format/);
      expect(run.stderr).toMatch(/✗ bomb\.jpg: .*60000×60000 .*exceeds the limit/);
      expect(run.stdout).toMatch(/✓ a\.jpg → a_realesrgan-x4fast_4x\./);
    }
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

  it('queues the batch in the data folder: a second run skips what is done, --force redoes it into the same name', async () => {
    const { dir } = await album('again', [{ name: 'a.jpg', width: 48, height: 48 }]);
    const first = await revive(['enhance', 'a.jpg', '--device', 'cpu'], dir);
    expect(first.code, first.stderr).toBe(0);
    const done = await revive(['enhance', 'a.jpg', '--device', 'cpu'], dir);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toBe('= a.jpg → a_realesrgan-x4fast_4x.jpg (already done)\n');
    const forced = await revive(['enhance', 'a.jpg', '--force', '--device', 'cpu'], dir);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/^✓ a\.jpg → a_realesrgan-x4fast_4x\.jpg \(192×192, /);
    // Revive's own earlier result is replaced, not dodged with "-1".
    expect((await readdir(dir)).sort()).toEqual(['a.jpg', 'a_realesrgan-x4fast_4x.jpg']);
    // Each run is in the history the app shows.
    let out = '';
    expect(await main(['history', '--json', '--folder', dir, '--data-dir', dataDir], { cwd: dir, stdout: { write: (t: string) => ((out += t), true) }, stderr: { write: () => true } })).toBe(0);
    expect(out.trim().split('\n').map((l) => (JSON.parse(l) as { outputPath: string }).outputPath)).toEqual([path.join(dir, 'a_realesrgan-x4fast_4x.jpg'), path.join(dir, 'a_realesrgan-x4fast_4x.jpg')]);
  });

  it('refuses a batch before any work when a result is too large for the format, naming the formats that fit', async () => {
    // 4100 × 4 = 16 400 pixels: more than a WebP side can hold (16 383).
    const { dir, files } = await album('too-large', [
      { name: 'panorama.jpg', width: 4100, height: 10 },
      { name: 'small.jpg', width: 48, height: 32 },
    ]);
    const before = await Promise.all(files.map(sha256));
    const run = await revive(['enhance', '.', '-f', 'webp', '--device', 'cpu'], dir);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('✗ panorama.jpg: the 16400×40 result is too large for WEBP (at most 16383 pixels a side)');
    expect(run.stderr).toMatch(/nothing was queued\. This photo can be written as JPG, PNG, TIFF: add --fallback-format jpg/);
    expect(run.stdout).toBe('');
    // No work at all: not even the photo that fits was done, and nothing waits in the queue.
    expect((await readdir(dir)).sort()).toEqual(['panorama.jpg', 'small.jpg']);
    const resume = await revive(['resume'], dir);
    expect(resume.stderr + resume.stdout).toMatch(/nothing to resume|no unfinished/i);
    expect(await Promise.all(files.map(sha256))).toEqual(before);
  });

  it('--fallback-format writes only the results too large for --format in it, with a warning', async () => {
    const { dir } = await album('fallback', [
      { name: 'panorama.jpg', width: 4100, height: 10 },
      { name: 'small.jpg', width: 48, height: 32 },
    ]);
    const run = await revive(['enhance', '.', '-f', 'webp', '--fallback-format', 'png', '--device', 'cpu'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/panorama\.jpg: written as PNG: the 16400×40 result is too large for WEBP/);
    expect((await readdir(dir)).sort()).toEqual(['panorama.jpg', 'panorama_realesrgan-x4fast_4x.png', 'small.jpg', 'small_realesrgan-x4fast_4x.webp']);
    expect(await size(path.join(dir, 'panorama_realesrgan-x4fast_4x.png'))).toEqual([16400, 40]);
    expect((await sharp(path.join(dir, 'small_realesrgan-x4fast_4x.webp')).metadata()).format).toBe('webp');
  });

  it('asks the person at the terminal which format to use instead (in-process, with a scripted answer)', async () => {
    const { dir } = await album('ask', [{ name: 'panorama.jpg', width: 4100, height: 10 }]);
    const questions: string[] = [];
    const answers = ['no', 'tiff'];
    const call = (): Promise<number> =>
      main(['enhance', 'panorama.jpg', '-f', 'webp', '--device', 'cpu', '--data-dir', dataDir], {
        cwd: dir,
        stdout: { write: () => true },
        stderr: { write: () => true },
        ask: (q) => (questions.push(q), Promise.resolve(answers.shift()!)),
      });
    // "no": nothing queued, exit 2, nothing written.
    expect(await call()).toBe(2);
    expect(await readdir(dir)).toEqual(['panorama.jpg']);
    // A format from the offer: the batch runs in it.
    expect(await call()).toBe(0);
    expect(questions).toEqual([
      'This photo can be written as JPG, PNG, TIFF instead. Format [jpg], or "n" to stop: ',
      'This photo can be written as JPG, PNG, TIFF instead. Format [jpg], or "n" to stop: ',
    ]);
    expect((await readdir(dir)).sort()).toEqual(['panorama.jpg', 'panorama_realesrgan-x4fast_4x.tiff']);
  });

  it('--max-megapixels refuses larger photos from their header with a clear reason; the rest of the batch is done', async () => {
    const { dir } = await album('limit', [
      { name: 'big.jpg', width: 1200, height: 1000 },
      { name: 'small.jpg', width: 48, height: 32 },
    ]);
    const run = await revive(['enhance', '.', '--max-megapixels', '1', '--device', 'cpu'], dir);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/✗ big\.jpg: 1200×1000 \(1\.2 MP\) exceeds the limit of 1\.0 MP \(a guard against damaged or hostile files; raise it with --max-megapixels/);
    expect((await readdir(dir)).sort()).toEqual(['big.jpg', 'small.jpg', 'small_realesrgan-x4fast_4x.jpg']);
  });

  it('exits 2 on a usage error', async () => {
    const { dir } = await album('usage', [{ name: 'a.jpg', width: 48, height: 48 }]);
    const run = await revive(['enhance', 'a.jpg', '-s', '5'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--scale must be one of 1, 2, 3, 4, got "5"/);
    expect(await readdir(dir)).toEqual(['a.jpg']);
  });

  it('treats unknown options, unknown models and folders without photos as usage errors (in-process)', async () => {
    // The same main() the binary runs, called directly: spawning a process per case would only add start-up time.
    const { dir } = await album('usage-in-process', [{ name: 'a.jpg', width: 48, height: 48 }]);
    await mkdir(path.join(dir, 'empty'));
    const cases: [string[], RegExp][] = [
      [['enhance', 'a.jpg', '--no-such-option'], /unknown option '--no-such-option'/],
      [['enhance', 'a.jpg', '-m', 'no-such-model'], /no model "no-such-model" is installed.*installed: .*realesrgan-x4fast/],
      [['enhance', 'empty'], /no photos to enhance in empty/],
      [['enhance'], /missing required argument 'paths'/],
      [['enhance', 'a.jpg', '--tile', 'big'], /--tile must be a whole number/],
    ];
    for (const [args, message] of cases) {
      let out = '';
      let err = '';
      const code = await main([...args, '--data-dir', dataDir], {
        cwd: dir,
        stdout: { write: (s: string) => ((out += s), true) },
        stderr: { write: (s: string) => ((err += s), true) },
      });
      expect([args.join(' '), code]).toEqual([args.join(' '), 2]);
      expect(err).toMatch(message);
      expect(out).toBe('');
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

  it('reports an invalid pack in the user folder with the reason (in-process)', async () => {
    await mkdir(path.join(dataDir, 'models', 'broken-pack'), { recursive: true });
    await writeFile(path.join(dataDir, 'models', 'broken-pack', 'revive-pack.json'), '{ "id": ');
    let out = '';
    const code = await main(['models', '--json', '--data-dir', dataDir], {
      cwd: tmp,
      stdout: { write: (s: string) => ((out += s), true) },
      stderr: { write: () => true },
    });
    expect(code).toBe(0);
    const listing = JSON.parse(out) as { packs: { id: string }[]; invalid: { dir: string; reason: string }[] };
    expect(listing.packs.map((p) => p.id)).toContain('realesrgan-x4fast');
    expect(listing.invalid).toEqual([{ dir: path.join(dataDir, 'models', 'broken-pack'), reason: expect.stringMatching(/not valid JSON/) }]);
    await rm(path.join(dataDir, 'models'), { recursive: true });
  });
});
