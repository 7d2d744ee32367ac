/**
 * Monochrome / toned / colour on real photographs: the wallpaper photographs of Debian's plasma-workspace-wallpapers
 * (licences in resources/sample/PROVENANCE.md; installed by .ci/run), each at its 1280×800 size, read as they ship,
 * then made greyscale (Rec. 709 luma in every channel), sepia-toned (the classic sepia matrix) and cyanotype-toned
 * (a blue toning matrix) in the test. ColdRipple and Grey are black-and-white photographs as shipped.
 * The colour photos include the near calls: Path (a green forest, one hue, low spread), DarkestHour and Kite (blue
 * night and dusk skies, a cyanotype's hue).
 */
import sharp, { type Matrix3x3, type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { GREY_CHROMA, judgeMonochrome, TONED_SPREAD } from '../../../../src-main/pipelines/colorize/detect-mono';
import type { PixelBuffer } from '../../../../src-main/pixels/types';

const wallpaper = (name: string): string => `/usr/share/wallpapers/${name}/contents/images/1280x800.jpg`;
const COLOUR = ['FallenLeaf', 'BytheWater', 'Path', 'DarkestHour', 'Kite', 'OneStandsOut', 'PastelHills', 'Autumn', 'EveningGlow', 'summer_1am'];
const BLACK_AND_WHITE = ['ColdRipple', 'Grey'];
const LUMA: Matrix3x3 = [[0.2126, 0.7152, 0.0722], [0.2126, 0.7152, 0.0722], [0.2126, 0.7152, 0.0722]];
const SEPIA: Matrix3x3 = [[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]];
const CYANOTYPE: Matrix3x3 = [[0.16, 0.5, 0.06], [0.2, 0.62, 0.1], [0.25, 0.7, 0.14]];

async function load(img: Sharp): Promise<PixelBuffer> {
  const { data, info } = await img.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
}

describe('judgeMonochrome on real photographs (needs plasma-workspace-wallpapers)', () => {
  it.each(COLOUR)('%s in colour is colour', async (name) => {
    const v = judgeMonochrome(await load(sharp(wallpaper(name))));
    expect(v.photo, JSON.stringify(v)).toBe('colour');
  });

  it.each(BLACK_AND_WHITE)('%s, a black-and-white photograph, is greyscale', async (name) => {
    const v = judgeMonochrome(await load(sharp(wallpaper(name))));
    expect(v.photo).toBe('greyscale');
    expect(v.chroma90).toBeLessThanOrEqual(GREY_CHROMA);
  });

  it.each(COLOUR.slice(0, 4))('%s made greyscale, sepia and cyanotype is greyscale, toned (brown) and toned (blue)', async (name) => {
    const grey = judgeMonochrome(await load(sharp(wallpaper(name)).recomb(LUMA)));
    expect(grey.photo).toBe('greyscale');
    const sepia = judgeMonochrome(await load(sharp(wallpaper(name)).recomb(SEPIA)));
    expect(sepia.photo, JSON.stringify(sepia)).toBe('toned');
    expect(sepia.hue).toBeGreaterThan(60);
    expect(sepia.hue).toBeLessThan(100);
    expect(sepia.spread90).toBeLessThan(TONED_SPREAD / 2);
    const cyan = judgeMonochrome(await load(sharp(wallpaper(name)).recomb(CYANOTYPE)));
    expect(cyan.photo, JSON.stringify(cyan)).toBe('toned');
    expect(cyan.hue).toBeGreaterThan(240);
    expect(cyan.hue).toBeLessThan(280);
  });

  it('a JPEG-compressed sepia print (chroma noise) is still toned', async () => {
    const jpeg = await sharp(wallpaper('BytheWater')).recomb(SEPIA).jpeg({ quality: 60 }).toBuffer();
    expect(judgeMonochrome(await load(sharp(jpeg))).photo).toBe('toned');
  });
});

describe('judgeMonochrome on made-up pixels', () => {
  const img = (rgb: (x: number, y: number) => [number, number, number]): PixelBuffer => {
    const data = new Uint16Array(64 * 64 * 3);
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) data.set(rgb(x, y).map((v) => Math.round(v * 65535)), (y * 64 + x) * 3);
    return { data, width: 64, height: 64, channels: 3 };
  };
  it('two saturated hues (red and green halves) are colour; a grey ramp at 16 bits is greyscale', () => {
    expect(judgeMonochrome(img((x) => (x < 32 ? [0.7, 0.2, 0.2] : [0.2, 0.6, 0.2]))).photo).toBe('colour');
    expect(judgeMonochrome(img((x, y) => [(x + y) / 128, (x + y) / 128, (x + y) / 128])).photo).toBe('greyscale');
  });
});
