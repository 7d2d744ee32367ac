/**
 * The real `revive` command end to end with a one-step diffusion pack: a generated tiny pack installed into a fresh
 * user data folder with `revive models add`, then `revive enhance` on a crop of a real photograph.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_PATHS, writeTinyPack } from '../fixtures/tiny-packs';
import { writePhotoFixtures } from '../fixtures/real-photos';
import { runCli, type CliRun } from '../support/run-cli';

const PACK_ID = 'tiny-osediff-cli';
let tmp: string;
let dataDir: string;
let packDir: string;
let photo: string;

function revive(args: string[]): Promise<CliRun> {
  return runCli(args, { cwd: tmp, dataDir });
}

async function size(file: string): Promise<[number, number]> {
  const m = await sharp(file).metadata();
  return [m.width, m.height];
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'revive-diffusion-cli-'));
  dataDir = path.join(tmp, 'user-data');
  packDir = path.join(tmp, 'pack');
  await writeTinyPack(packDir, { id: PACK_ID, tagger: true, emptyPromptEmbedding: true });
  await mkdir(path.join(tmp, 'photos'));
  photo = (await writePhotoFixtures(path.join(tmp, 'photos'), [{ name: 'photo.jpg', width: 176, height: 136 }]))[0]!;
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('revive with a one-step diffusion pack', () => {
  it('installs a pack folder into the user data folder with "revive models add", verifying it', async () => {
    const run = await revive(['models', 'add', packDir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^✓ installed "${PACK_ID}" \\(Tiny OSEDiff \\(generated\\), onestep-diffusion, [\\d.]+ (kB|MB)\\) in ${dataDir}/models/${PACK_ID}\\n  licence: MIT — Generated test weights`));
    expect(existsSync(path.join(dataDir, 'models', PACK_ID, TINY_PATHS.unet))).toBe(true);
    const list = await revive(['models', '--json']);
    const ids = (JSON.parse(list.stdout) as { packs: { id: string; kind: string }[] }).packs.map((p) => `${p.id}:${p.kind}`);
    expect(ids).toContain(`${PACK_ID}:onestep-diffusion`);
  });

  it('runs "revive enhance photo.jpg -m <pack>" end to end: exit 0, 4× the size, a CPU time estimate shown', async () => {
    const run = await revive(['enhance', photo, '-m', PACK_ID, '--device', 'cpu', '-o', path.join(tmp, 'out4')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^✓ photos\/photo\.jpg → out4\/photo_tiny-osediff-cli_4x\.jpg \(704×544, [\d.]+ s, cpu\)\n$/);
    expect(run.stderr).toMatch(/^… photos\/photo\.jpg: about \d+:\d\d on the CPU \(estimated from the first tile\)\n$/);
    expect(await size(path.join(tmp, 'out4', 'photo_tiny-osediff-cli_4x.jpg'))).toEqual([704, 544]);
  });

  it('takes the diffusion options: custom prompt, wavelet colour fix, 50 % strength, 2×', async () => {
    const run = await revive(['enhance', photo, '-m', PACK_ID, '--device', 'cpu', '-s', '2', '-f', 'png', '--prompt-mode', 'custom', '--prompt', 'old photo', '--color-fix', 'wavelet', '--strength', '50', '-o', path.join(tmp, 'out2')]);
    expect(run.code, run.stderr).toBe(0);
    expect(await size(path.join(tmp, 'out2', 'photo_tiny-osediff-cli_2x.png'))).toEqual([352, 272]);
  });

  it('refuses diffusion options for a pixel-sr model and bad values, naming them (exit 2)', async () => {
    const pixel = await revive(['enhance', photo, '-m', 'realesrgan-x4fast', '--color-fix', 'wavelet']);
    expect(pixel.code).toBe(2);
    expect(pixel.stderr).toMatch(/--color-fix only apply to diffusion models; "realesrgan-x4fast" is a pixel-sr model/);
    const strength = await revive(['enhance', photo, '-m', PACK_ID, '--strength', '150']);
    expect(strength.code).toBe(2);
    expect(strength.stderr).toMatch(/--strength must be a percentage from 0 to 100, got "150"/);
  });

  it('refuses a tampered pack with the reason and leaves nothing half-installed', async () => {
    const bad = path.join(tmp, 'bad-pack');
    await cp(packDir, bad, { recursive: true });
    const manifest = JSON.parse(await readFile(path.join(bad, 'revive-pack.json'), 'utf8')) as { id: string };
    manifest.id = 'tampered';
    await writeFile(path.join(bad, 'revive-pack.json'), JSON.stringify(manifest));
    const unet = await readFile(path.join(bad, TINY_PATHS.unet));
    unet[unet.length >> 1]! ^= 0xff;
    await writeFile(path.join(bad, TINY_PATHS.unet), unet);
    const run = await revive(['models', 'add', bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^revive: error: cannot install .*bad-pack: .*unet\/model\.onnx.*sha256/);
    expect((await readdir(path.join(dataDir, 'models'))).sort()).toEqual([PACK_ID]);
  });

  it('removes the pack with "revive models remove"', async () => {
    const run = await revive(['models', 'remove', PACK_ID]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`✓ removed "${PACK_ID}"\n`);
    expect(await readdir(path.join(dataDir, 'models'))).toEqual([]);
    const again = await revive(['models', 'remove', PACK_ID]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/cannot remove "tiny-osediff-cli": pack "tiny-osediff-cli" is not installed/);
  });
});
