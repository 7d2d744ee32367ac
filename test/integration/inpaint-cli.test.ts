/**
 * `revive enhance --mask … --inpaint-pack` end to end: a generated inpainting pack installed with `revive models add`
 * is picked by default (auto) for a torn photo's large hole; `--inpaint-pack none` keeps the classical fill and says
 * an inpainting pack would do better; a pack of another kind is refused before anything is queued.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeInpaintPack } from '../fixtures/inpaint-packs';
import { runCli, type CliRun } from '../support/run-cli';

const W = 160, H = 120;
const COLOUR = [0.2, 0.6, 0.4] as const;
let tmp: string, dataDir: string;

const revive = (args: string[]): Promise<CliRun> => runCli(args, { cwd: tmp, dataDir });
const inTear = (x: number, y: number, r = 30): boolean => (x - 100) ** 2 + (y - 60) ** 2 <= r * r;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'revive-inpaint-cli-'));
  dataDir = path.join(tmp, 'user-data');
  await writeInpaintPack(path.join(tmp, 'pack'), { id: 'inpaint-test', size: 64, colour: COLOUR });
  const px = Buffer.alloc(W * H * 3), mask = Buffer.alloc(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      px.set([60 + x, 90 + y, 140], (y * W + x) * 3);
      if (inTear(x, y)) mask[y * W + x] = 255;
    }
  }
  await sharp(px, { raw: { width: W, height: H, channels: 3 } }).png().toFile(path.join(tmp, 'torn.png'));
  await sharp(mask, { raw: { width: W, height: H, channels: 1 } }).png().toFile(path.join(tmp, 'torn-mask.png'));
});
afterAll(async () => rm(tmp, { recursive: true, force: true }));

async function centre(file: string): Promise<number[]> {
  const { data } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return Array.from(data.subarray((60 * W + 100) * 3, (60 * W + 100) * 3 + 3));
}

describe('revive enhance with an inpainting pack', () => {
  it('uses the installed pack for the large hole by default and names it in the history', async () => {
    expect((await revive(['models', 'add', path.join(tmp, 'pack')])).code).toBe(0);
    const run = await revive(['enhance', 'torn.png', '--mask', 'torn-mask.png', '-s', '1', '-f', 'png', '--device', 'cpu', '--suffix', '_auto']);
    expect(run.code, run.stderr).toBe(0);
    const out = path.join(tmp, 'torn_auto.png');
    // The enhance stage (Real-ESRGAN, made back to 1×) runs after the repair, so the flat fill comes back within a few levels.
    const got = await centre(out);
    COLOUR.forEach((c, i) => expect(Math.abs(got[i]! - c * 255)).toBeLessThanOrEqual(4));
    expect(execFileSync('exiftool', ['-s3', '-XMP-xmpMM:HistoryParameters', out], { encoding: 'utf8' })).toMatch(/large holes by inpaint-test/);
  });

  it('with --inpaint-pack none, fills the hole classically and says a pack would do better', async () => {
    const run = await revive(['enhance', 'torn.png', '--mask', 'torn-mask.png', '--inpaint-pack', 'none', '-s', '1', '-f', 'png', '--device', 'cpu', '--suffix', '_none']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/filled by the classical method.*install an inpainting pack for better results/);
    // The classical fill continues the gradient around the hole: nowhere near the pack's colour.
    const [r, g] = await centre(path.join(tmp, 'torn_none.png'));
    expect(Math.abs(r! - 160)).toBeLessThan(30);
    expect(Math.abs(g! - 150)).toBeLessThan(30);
  });

  it('refuses a pack of another kind before queueing anything', async () => {
    const run = await revive(['enhance', 'torn.png', '--mask', 'torn-mask.png', '--inpaint-pack', 'realesrgan-x4fast', '-s', '1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--inpaint-pack: "realesrgan-x4fast" is a pixel-sr pack, not an inpainting pack/);
  });
});
