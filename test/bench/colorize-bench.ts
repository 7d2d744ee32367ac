/**
 * `npm run bench -- --only colorize`: the colour stage's judge and its full-resolution pass.
 *   - the judge on real photographs: the Plasma wallpapers shipped at 1280×800 (plasma-workspace-wallpapers, licences
 *     in resources/sample/PROVENANCE.md) as they are (colour ones must stay colour; ColdRipple and Grey are
 *     black-and-white photographs), made greyscale, and sepia-toned — each must be judged what it is
 *   - a 24 MP (6000 × 4000) 8-bit photo: judging time, and the grey input + chroma join at full resolution (the model
 *     call is left out: a constant-chroma runner stands in), with the memory it adds beyond the result buffer
 */
import { existsSync, readdirSync } from 'node:fs';
import sharp, { type Matrix3x3, type Sharp } from 'sharp';
import { judgeMonochrome, type PhotoColour } from '../../src-main/pipelines/colorize/detect-mono';
import { colorizePhoto } from '../../src-main/pipelines/colorize/run-colorize';
import type { ModelRunner, PixelBuffer } from '../../src-main/pixels/types';
import type { BenchRow } from './rows';

const GROUP = 'colorize';
const WALLPAPERS = '/usr/share/wallpapers';
const BLACK_AND_WHITE = new Set(['ColdRipple', 'Grey']);
const LUMA: Matrix3x3 = [[0.2126, 0.7152, 0.0722], [0.2126, 0.7152, 0.0722], [0.2126, 0.7152, 0.0722]];
const SEPIA: Matrix3x3 = [[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]];

async function load(img: Sharp): Promise<PixelBuffer> {
  const { data, info } = await img.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
}

async function judgeRows(): Promise<BenchRow[]> {
  const names = readdirSync(WALLPAPERS).filter((n) => existsSync(`${WALLPAPERS}/${n}/contents/images/1280x800.jpg`)).sort();
  const tally = { colour: [0, 0], grey: [0, 0], sepia: [0, 0] };
  const wrong: string[] = [];
  const check = (what: keyof typeof tally, name: string, got: PhotoColour, want: PhotoColour): void => {
    tally[what][1]!++;
    if (got === want) tally[what][0]!++;
    else wrong.push(`${name} ${what}: ${got}`);
  };
  for (const name of names) {
    const file = `${WALLPAPERS}/${name}/contents/images/1280x800.jpg`;
    check('colour', name, judgeMonochrome(await load(sharp(file))).photo, BLACK_AND_WHITE.has(name) ? 'greyscale' : 'colour');
    check('grey', name, judgeMonochrome(await load(sharp(file).recomb(LUMA))).photo, 'greyscale');
    check('sepia', name, judgeMonochrome(await load(sharp(file).recomb(SEPIA))).photo, 'toned');
  }
  const row = (what: keyof typeof tally, label: string): BenchRow => ({
    group: GROUP, name: label, value: tally[what][0]!, unit: `of ${tally[what][1]}`, goal: 'all', pass: tally[what][0] === tally[what][1],
    note: wrong.filter((w) => w.includes(` ${what}:`)).join(', ') || 'all right',
  });
  return [
    row('colour', 'wallpapers as shipped judged right (colour; ColdRipple and Grey greyscale)'),
    row('grey', 'wallpapers made greyscale judged greyscale'),
    row('sepia', 'wallpapers sepia-toned judged toned'),
  ];
}

async function fullSizeRows(): Promise<BenchRow[]> {
  const W = 6000, H = 4000, S = 512;
  const data = new Uint8Array(W * H * 3);
  for (let i = 0, p = 0; i < data.length; i += 3, p++) data.fill((p % W) % 251, i, i + 3);
  const rgb: PixelBuffer = { data, width: W, height: H, channels: 3 };
  const model: ModelRunner = {
    inputNames: ['grey'], outputNames: ['ab'],
    run: async () => ({ ab: { data: new Float32Array(2 * S * S).fill(20), dims: [1, 2, S, S] } }),
    dispose: async () => {},
  };
  let t = performance.now();
  judgeMonochrome(rgb);
  const judgeMs = performance.now() - t;
  const before = process.memoryUsage().rss;
  t = performance.now();
  const result = await colorizePhoto(rgb, model, { mode: 'on', strength: 1, size: S, inputName: 'grey', outputName: 'ab', inputRange: [0, 1], outputScale: 1 });
  const joinMs = performance.now() - t;
  // The join is one synchronous pass (no timer can sample inside it): the rise is read after it, result still held.
  const riseMb = (process.memoryUsage().rss - before) / 1e6;
  if (result.image.data.length !== data.length) throw new Error('the join changed the photo size');
  return [
    { group: GROUP, name: 'judging a 24 MP photo', value: judgeMs, unit: 'ms' },
    { group: GROUP, name: 'grey input + chroma join of a 24 MP photo (model call excluded)', value: joinMs / 1000, unit: 's' },
    { group: GROUP, name: 'RSS rise over the join, result held', value: riseMb, unit: 'MB', note: `the result itself is ${(data.length / 1e6).toFixed(0)} MB; the rest is bounded: a binned plane < 4·512², two chroma rows` },
  ];
}

export async function colorizeBench(): Promise<BenchRow[]> {
  return [...(await judgeRows()), ...(await fullSizeRows())];
}
