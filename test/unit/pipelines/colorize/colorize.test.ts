/**
 * The colourisation pipeline's maths against an independent CIELAB computation (written out below from the CIE and
 * IEC 61966-2-1 definitions with Math.pow, not the pipeline's tables): the result keeps the photo's own L* at every
 * pixel and takes the model's a*b* — exactly where that colour exists in sRGB, along the same hue where it does not.
 * The photo is a real one (a crop of a Debian wallpaper, test/fixtures/real-photos.ts), at 16 bits and at 8.
 * Tolerances: 16-bit results 0.02 L* and 0.05 a*b*; 8-bit results one code step (0.5 L*, 1.5 a*b* away from black).
 */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { colorizePhoto, type ColorizeOptions } from '../../../../src-main/pipelines/colorize/run-colorize';
import { greyInput } from '../../../../src-main/pipelines/colorize/model-input';
import type { FloatTensor, ModelRunner, PixelBuffer } from '../../../../src-main/pixels/types';
import { sourcePhotos } from '../../../fixtures/real-photos';
import { inGamut, lab } from '../../../support/cielab';


/** A model runner giving fixed a*b* planes (no ONNX here; the engine test runs generated ONNX packs). */
function chromaModel(size: number, a: (x: number, y: number) => number, b: (x: number, y: number) => number): ModelRunner & { seen: FloatTensor[] } {
  const seen: FloatTensor[] = [];
  return {
    seen,
    inputNames: ['grey'],
    outputNames: ['ab'],
    async run(feeds) {
      seen.push(feeds.grey!);
      const out = new Float32Array(2 * size * size);
      for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
        out[y * size + x] = a(x, y);
        out[size * size + y * size + x] = b(x, y);
      }
      return { ab: { data: out, dims: [1, 2, size, size] } };
    },
    async dispose() {},
  };
}

const SIZE = 32;
const opts = (o: Partial<ColorizeOptions> = {}): ColorizeOptions => ({ mode: 'on', strength: 1, size: SIZE, inputName: 'grey', outputName: 'ab', inputRange: [0, 1], outputScale: 1, ...o });

let photo8: PixelBuffer;
let photo16: PixelBuffer;
beforeAll(async () => {
  const src = sharp(sourcePhotos()[0]!).resize(150, 100).removeAlpha();
  const eight = await src.clone().raw().toBuffer({ resolveWithObject: true });
  photo8 = { data: new Uint8Array(eight.data), width: 150, height: 100, channels: 3 };
  const deep = await src.clone().toColourspace('rgb16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
  photo16 = { data: new Uint16Array(deep.data.buffer, deep.data.byteOffset, deep.data.length / 2).slice(), width: 150, height: 100, channels: 3 };
});

function labAt(img: PixelBuffer, p: number): [number, number, number] {
  const max = img.data instanceof Uint16Array ? 65535 : 255;
  return lab(img.data[p * 3]! / max, img.data[p * 3 + 1]! / max, img.data[p * 3 + 2]! / max);
}

describe('colorizePhoto', () => {
  it.each([
    ['16-bit', () => photo16, 0.02, 0.05],
    ['8-bit', () => photo8, 0.5, 1.5],
  ] as const)('a constant tint: every pixel keeps its L* and takes the tint where sRGB holds it (%s)', async (_, get, tolL, tolAb) => {
    const photo = get();
    const { image, applied } = await colorizePhoto(photo, chromaModel(SIZE, () => 20, () => 30), opts());
    expect(applied).toBe(true);
    expect(image.data.constructor).toBe(photo.data.constructor);
    let worstL = 0, worstAb = 0, held = 0;
    for (let p = 0; p < photo.width * photo.height; p++) {
      const [L0] = labAt(photo, p);
      const [L, a, b] = labAt(image, p);
      worstL = Math.max(worstL, Math.abs(L - L0));
      // Away from black, where one code step is many a*b* units.
      if (L0 > 10 && inGamut(L0, 20, 30)) {
        held++;
        worstAb = Math.max(worstAb, Math.abs(a - 20), Math.abs(b - 30));
      }
    }
    expect(worstL).toBeLessThan(tolL);
    expect(worstAb).toBeLessThan(tolAb);
    expect(held).toBeGreaterThan(photo.width * photo.height * 0.5);
  });

  it('a tint outside the gamut keeps L* and the hue, with less chroma (never clipped per channel)', async () => {
    const { image } = await colorizePhoto(photo16, chromaModel(SIZE, () => 90, () => 90), opts());
    let worstL = 0, worstHue = 0, maxChroma = 0, shortened = 0;
    for (let p = 0; p < photo16.width * photo16.height; p++) {
      const [L0] = labAt(photo16, p);
      const [L, a, b] = labAt(image, p);
      worstL = Math.max(worstL, Math.abs(L - L0));
      if (Math.hypot(a, b) > 5) worstHue = Math.max(worstHue, Math.abs((Math.atan2(b, a) * 180) / Math.PI - 45));
      maxChroma = Math.max(maxChroma, Math.hypot(a, b));
      if (!inGamut(L0, 90, 90)) shortened++;
    }
    expect(shortened).toBeGreaterThan(photo16.width * photo16.height * 0.9);
    expect(worstL).toBeLessThan(0.02);
    expect(worstHue).toBeLessThan(0.5);
    expect(maxChroma).toBeLessThan(Math.hypot(90, 90));
  });

  it('zero chroma gives the grey of the input: a grey photo comes back unchanged (within one 8-bit code)', async () => {
    const grey = { ...photo8, data: new Uint8Array(photo8.data) };
    for (let p = 0; p < grey.width * grey.height; p++) {
      const v = Math.round(0.299 * grey.data[p * 3]! + 0.587 * grey.data[p * 3 + 1]! + 0.114 * grey.data[p * 3 + 2]!);
      grey.data.fill(v, p * 3, p * 3 + 3);
    }
    const { image } = await colorizePhoto(grey, chromaModel(SIZE, () => 0, () => 0), opts());
    let worst = 0;
    for (let i = 0; i < grey.data.length; i++) worst = Math.max(worst, Math.abs(image.data[i]! - grey.data[i]!));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('strength blends the chroma in Lab: 25 % is a quarter of the way from the photo\'s a*b* to the model\'s', async () => {
    const { image } = await colorizePhoto(photo16, chromaModel(SIZE, () => 20, () => 30), opts({ strength: 0.25 }));
    let checked = 0;
    for (let p = 0; p < photo16.width * photo16.height; p += 7) {
      const [L0, a0, b0] = labAt(photo16, p);
      const want = [a0 + 0.25 * (20 - a0), b0 + 0.25 * (30 - b0)] as const;
      if (L0 < 10 || !inGamut(L0, want[0], want[1])) continue;
      const [L, a, b] = labAt(image, p);
      expect(Math.abs(L - L0)).toBeLessThan(0.02);
      expect(Math.abs(a - want[0])).toBeLessThan(0.05);
      expect(Math.abs(b - want[1])).toBeLessThan(0.05);
      checked++;
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('upsamples the chroma bilinearly on the centred grid: left half +40 a*, right half −40, a smooth step between', async () => {
    const { image } = await colorizePhoto(photo16, chromaModel(SIZE, (x) => (x < SIZE / 2 ? 40 : -40), () => 0), opts());
    const W = photo16.width;
    // Independent expectation: output column x samples the model at (x + 0.5)·S/W − 0.5, clamped, linearly between columns.
    const expected = (x: number): number => {
      const s = Math.min(Math.max(((x + 0.5) * SIZE) / W - 0.5, 0), SIZE - 1);
      const lo = Math.floor(s), hi = Math.min(lo + 1, SIZE - 1), t = s - lo;
      const v = (c: number): number => (c < SIZE / 2 ? 40 : -40);
      return v(lo) + t * (v(hi) - v(lo));
    };
    let checked = 0;
    for (let y = 0; y < photo16.height; y += 3) for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const [L0] = labAt(photo16, p);
      if (L0 < 10 || !inGamut(L0, expected(x), 0)) continue;
      expect(Math.abs(labAt(image, p)[1] - expected(x))).toBeLessThan(0.05);
      checked++;
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('feeds the model the lightness as grey at its size, mapped onto the declared input range', async () => {
    const model = chromaModel(SIZE, () => 0, () => 0);
    await colorizePhoto(photo8, model, opts({ inputRange: [-1, 1] }));
    const fed = model.seen[0]!;
    expect(fed.dims).toEqual([1, 3, SIZE, SIZE]);
    const n = SIZE * SIZE;
    for (let i = 0; i < n; i++) {
      expect(fed.data[i]).toBe(fed.data[n + i]);
      expect(fed.data[i]).toBe(fed.data[2 * n + i]);
      expect(fed.data[i]).toBeGreaterThanOrEqual(-1);
      expect(fed.data[i]).toBeLessThanOrEqual(1);
    }
    // A uniform photo of grey code 128 is fed exactly that grey: 2·128/255 − 1.
    const flat = { data: new Uint8Array(40 * 30 * 3).fill(128), width: 40, height: 30, channels: 3 as const };
    for (const v of greyInput(flat, SIZE, [-1, 1])) expect(v).toBeCloseTo((2 * 128) / 255 - 1, 5);
  });

  it('in auto mode leaves a colour photo as it is and says so, and refuses a strength outside 0–1', async () => {
    const r = await colorizePhoto(photo8, chromaModel(SIZE, () => 20, () => 30), opts({ mode: 'auto' }));
    expect(r.applied).toBe(false);
    expect(r.image).toBe(photo8);
    expect(r.verdict.photo).toBe('colour');
    await expect(colorizePhoto(photo8, chromaModel(SIZE, () => 0, () => 0), opts({ strength: 1.5 }))).rejects.toThrow(/strength must be 0–1, got 1.5/);
  });

  it('refuses a model whose output is not the declared [1, 2, S, S]', async () => {
    const wrong: ModelRunner = { inputNames: ['grey'], outputNames: ['ab'], run: async () => ({ ab: { data: new Float32Array(3 * SIZE * SIZE), dims: [1, 3, SIZE, SIZE] } }), dispose: async () => {} };
    await expect(colorizePhoto(photo8, wrong, opts())).rejects.toThrow(/output "ab" is \[1, 3, 32, 32\]; the pack declares \[1, 2, 32, 32\]/);
  });
});
