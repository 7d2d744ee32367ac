/**
 * The real `revive` command end to end with a colorize pack: a generated constant-tint pack (known output,
 * test/fixtures/colorize-packs.ts) installed with `revive models add`, a broken one refused at install naming the
 * tensor, then `revive enhance --colorize auto` over a black-and-white photo and a colour one (crops of Debian
 * wallpaper photographs, test/fixtures/real-photos.ts): the first is colourised after the shipped Real-ESRGAN, the
 * second is reported as skipped, and `revive history` records both.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeColorizePack } from '../fixtures/colorize-packs';
import { writePhotoFixtures } from '../fixtures/real-photos';
import { runCli, type CliRun } from '../support/run-cli';

let tmp: string;
let dataDir: string;
let grey: string;
let colour: string;

function revive(args: string[]): Promise<CliRun> {
  return runCli(args, { cwd: tmp, dataDir });
}

/** Share of mid-grey pixels (L* 30–70) of an 8-bit file whose a*b* is within 2 of (20, 30), by an independent Lab. */
async function tintedShare(file: string): Promise<number> {
  const lin = (c: number): number => (c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4));
  const f = (t: number): number => (t > Math.pow(6 / 29, 3) ? Math.cbrt(t) : t / (3 * Math.pow(6 / 29, 2)) + 4 / 29);
  const { data } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let mid = 0, tinted = 0;
  for (let i = 0; i < data.length; i += 3) {
    const [R, G, B] = [lin(data[i]! / 255), lin(data[i + 1]! / 255), lin(data[i + 2]! / 255)];
    const fx = f((0.4124564 * R + 0.3575761 * G + 0.1804375 * B) / 0.95047), fy = f(0.2126729 * R + 0.7151522 * G + 0.072175 * B), fz = f((0.0193339 * R + 0.119192 * G + 0.9503041 * B) / 1.08883);
    const L = 116 * fy - 16;
    if (L < 30 || L > 70) continue;
    mid++;
    if (Math.abs(500 * (fx - fy) - 20) < 2 && Math.abs(200 * (fy - fz) - 30) < 2) tinted++;
  }
  return mid ? tinted / mid : 0;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'revive-colorize-cli-'));
  dataDir = path.join(tmp, 'user-data');
  await writeColorizePack(path.join(tmp, 'pack'), { id: 'colorize-tint', effect: 'tint', tint: [20, 30], size: 64 });
  await writeColorizePack(path.join(tmp, 'broken'), { id: 'colorize-rgb', size: 64, graphOutputShape: [1, 3, 64, 64] });
  await mkdir(path.join(tmp, 'photos'));
  colour = (await writePhotoFixtures(path.join(tmp, 'photos'), [{ name: 'colour.png', width: 96, height: 64, format: 'png' }]))[0]!;
  grey = path.join(tmp, 'photos', 'grey.png');
  const luma: [number, number, number] = [0.2126, 0.7152, 0.0722];
  await sharp(colour).recomb([luma, luma, luma]).png().toFile(grey);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('revive with a colorize pack', () => {
  it('installs a good pack and refuses one whose output is not two chroma channels, naming the tensor', async () => {
    const good = await revive(['models', 'add', path.join(tmp, 'pack')]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/installed "colorize-tint" \(Test colorize pack \(tint\), colorize/);
    const bad = await revive(['models', 'add', path.join(tmp, 'broken')]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/output tensor "ab" is \[1, 3, 64, 64\]; this pack kind needs \[1, 2, 64, 64\]/);
  });

  it('"--colorize auto" colourises the black-and-white photo after the upscaler and reports the colour one as skipped', async () => {
    const run = await revive(['enhance', grey, colour, '-m', 'realesrgan-x4fast', '-s', '2', '-f', 'png', '--device', 'cpu', '--colorize', 'auto', '--colorize-pack', 'colorize-tint', '-o', path.join(tmp, 'out')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/colour\.png: colorize: skipped: photo is in colour/);
    expect(run.stderr).not.toMatch(/grey\.png: colorize/);
    const out = (name: string): string => path.join(tmp, 'out', `${name}_realesrgan-x4fast_2x.png`);
    expect((await sharp(out('grey')).metadata()).width).toBe(192);
    expect(await tintedShare(out('grey'))).toBeGreaterThan(0.95);
    expect(await tintedShare(out('colour'))).toBeLessThan(0.2);
  });

  it('records what the colour stage did in the history', async () => {
    const run = await revive(['history', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const rows = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { sourcePath: string; colorize: unknown });
    const of = (name: string) => rows.find((r) => r.sourcePath.endsWith(name))?.colorize;
    expect(of('grey.png')).toEqual({ pack: 'colorize-tint', mode: 'auto', applied: true, photo: 'greyscale', strength: 1 });
    expect(of('colour.png')).toEqual({ pack: 'colorize-tint', mode: 'auto', applied: false, photo: 'colour', strength: 1 });
    const text = await revive(['history']);
    expect(text.stdout).toMatch(/grey\.png → .*colourised with colorize-tint at 100 %/);
    expect(text.stdout).toMatch(/colour\.png → .*colour skipped: photo is in colour/);
  });

  it('refuses a pack of another kind for --colorize-pack, and says in --help that "on" forces it', async () => {
    const wrong = await revive(['enhance', grey, '--colorize', 'on', '--colorize-pack', 'realesrgan-x4fast']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--colorize-pack: "realesrgan-x4fast" is a pixel-sr pack, not a colorize pack/);
    const help = await revive(['enhance', '--help']);
    expect(help.stdout).toMatch(/--colorize <mode>[\s\S]*on \(every photo, even in\s+colour\)/);
  });
});
