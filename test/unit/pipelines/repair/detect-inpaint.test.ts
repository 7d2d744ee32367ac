import { describe, expect, it } from 'vitest';
import { detectDefects, thresholdsFor } from '../../../../src-main/pipelines/repair/detect';
import { inpaint } from '../../../../src-main/pipelines/repair/inpaint';
import type { PixelBuffer } from '../../../../src-main/pixels/types';

/** A smooth colour gradient with gentle texture: nothing in it is a defect. */
function scene(w: number, h: number, sixteen = false): PixelBuffer {
  const max = sixteen ? 65535 : 255;
  const data = sixteen ? new Uint16Array(w * h * 3) : new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const t = 0.02 * Math.sin(x / 3) * Math.cos(y / 4);
      const v = [0.3 + 0.4 * (x / w) + t, 0.4 + 0.2 * (y / h) + t, 0.5 - 0.2 * (x / w) + t];
      for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = Math.round(v[c]! * max);
    }
  }
  return { data, width: w, height: h, channels: 3 };
}

/** Paints a dot of radius r and a diagonal line of width ~2 in grey `v` (0–1); returns the painted pixels. */
function paint(img: PixelBuffer, v: number): { dot: Set<number>; line: Set<number> } {
  const max = img.data instanceof Uint16Array ? 65535 : 255;
  const dot = new Set<number>(), line = new Set<number>();
  const set = (x: number, y: number, into: Set<number>) => {
    const i = y * img.width + x;
    into.add(i);
    for (let c = 0; c < 3; c++) img.data[i * 3 + c] = Math.round(v * max);
  };
  for (let y = 38; y <= 42; y++) for (let x = 38; x <= 42; x++) if ((x - 40) ** 2 + (y - 40) ** 2 <= 4) set(x, y, dot);
  for (let t = 0; t < 150; t++) {
    set(80 + t, 60 + Math.round(t * 0.6), line);
    set(80 + t, 61 + Math.round(t * 0.6), line);
  }
  return { dot, line };
}

const all = { dust: true, scratches: true, sensitivity: 50 };

describe('detectDefects', () => {
  it('finds a bright speck and a long dark scratch, and nothing on the clean scene', () => {
    const clean = scene(300, 200);
    expect(detectDefects(clean, all).some((v) => v)).toBe(false);
    const img = scene(300, 200);
    const { dot } = paint(img, 0.97);
    const img2 = scene(300, 200);
    const { line } = paint(img2, 0.03);
    const m1 = detectDefects(img, all), m2 = detectDefects(img2, all);
    expect([...dot].every((i) => m1[i])).toBe(true);
    expect([...line].every((i) => m2[i])).toBe(true);
    // The mask is the defect grown by a pixel, not a blanket.
    expect(m2.reduce((a, v) => a + v, 0)).toBeLessThan(line.size * 4);
  });

  it('keeps dust or scratches only when asked', () => {
    const img = scene(300, 200);
    const { dot, line } = paint(img, 0.97);
    const dustOnly = detectDefects(img, { ...all, scratches: false });
    const scratchOnly = detectDefects(img, { ...all, dust: false });
    expect([...dot].every((i) => dustOnly[i])).toBe(true);
    expect([...line].some((i) => dustOnly[i])).toBe(false);
    expect([...line].every((i) => scratchOnly[i])).toBe(true);
    expect([...dot].some((i) => scratchOnly[i])).toBe(false);
  });

  it('asks for less contrast as the sensitivity rises', () => {
    expect(thresholdsFor(100).floor).toBeLessThan(thresholdsFor(50).floor);
    expect(thresholdsFor(50).k).toBeLessThan(thresholdsFor(0).k);
  });

  it('stops between tiles when cancelled', () => {
    const ac = new AbortController();
    ac.abort();
    expect(() => detectDefects(scene(64, 64), { ...all, signal: ac.signal })).toThrow(/cancel/);
  });
});

describe('inpaint', () => {
  it.each([false, true])('fills a scratch close to the clean scene and leaves the rest alone (16-bit: %s)', (sixteen) => {
    const clean = scene(300, 200, sixteen);
    const img = scene(300, 200, sixteen);
    const { line } = paint(img, 0.03);
    const mask = new Uint8Array(300 * 200);
    for (const i of line) mask[i] = 1;
    const { image, maxRings } = inpaint(img, mask);
    expect(image.data).toBeInstanceOf(sixteen ? Uint16Array : Uint8Array);
    const max = sixteen ? 65535 : 255;
    let worst = 0, touched = 0;
    for (let i = 0; i < 300 * 200; i++) {
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(image.data[i * 3 + c]! - clean.data[i * 3 + c]!) / max;
        if (mask[i]) worst = Math.max(worst, d);
        else if (image.data[i * 3 + c] !== img.data[i * 3 + c]) touched++;
      }
    }
    expect(touched).toBe(0);
    // The scene varies by about 0.04 within the fill radius: the fill must stay within that of the truth.
    expect(worst).toBeLessThan(0.05);
    expect(maxRings).toBeLessThanOrEqual(2);
  });

  it('gives the same result twice (bit for bit)', () => {
    const img = scene(200, 150);
    const { line } = paint(img, 0.9);
    const mask = new Uint8Array(200 * 150);
    for (const i of line) if (i < mask.length) mask[i] = 1;
    expect(inpaint(img, mask).image.data).toEqual(inpaint(img, mask).image.data);
  });
});
