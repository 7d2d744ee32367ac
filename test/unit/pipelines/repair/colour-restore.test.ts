import { describe, expect, it } from 'vitest';
import { analyseColour, channelGains, restoreColour } from '../../../../src-main/pipelines/repair/colour-restore';
import { ciede2000, srgbToLab } from '../../../../src-main/pipelines/repair/lab';
import type { PixelBuffer } from '../../../../src-main/pixels/types';

/** A scene with neutral greys from black to white and a few saturated patches, 0–1 values per pixel. */
function scene(w: number, h: number, sixteen = false): PixelBuffer {
  const max = sixteen ? 65535 : 255;
  const data = sixteen ? new Uint16Array(w * h * 3) : new Uint8Array(w * h * 3);
  const patches = [[0.8, 0.2, 0.2], [0.2, 0.6, 0.3], [0.2, 0.3, 0.8]];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const grey = x / (w - 1);
      const rgb = y < h / 2 ? [grey, grey, grey] : patches[Math.floor((x / w) * 3)]!;
      for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = Math.round(rgb[c]! * max);
    }
  }
  return { data, width: w, height: h, channels: 3 };
}

/**
 * An independent fade: per channel, contrast × `k` about the middle, then a lift and a gain (the cast). The defaults
 * (× 0.6, red up and blue down) are not the benchmark's fade; the other fades below differ from it in every figure.
 */
function faded(img: PixelBuffer, k = 0.6, lift = [0.05, 0, -0.05], gain = [1, 1, 1]): PixelBuffer {
  const max = img.data instanceof Uint16Array ? 65535 : 255;
  const data = img.data.slice();
  for (let i = 0; i < data.length; i++) {
    const v = lift[i % 3]! + (0.5 + (img.data[i]! / max - 0.5) * k) * gain[i % 3]!;
    data[i] = Math.round(Math.min(1, Math.max(0, v)) * max);
  }
  return { ...img, data };
}

function meanDE(a: PixelBuffer, b: PixelBuffer): number {
  const max = a.data instanceof Uint16Array ? 65535 : 255;
  let s = 0;
  const n = a.width * a.height;
  for (let i = 0; i < n; i++) {
    const p = i * 3;
    s += ciede2000(srgbToLab(a.data[p]! / max, a.data[p + 1]! / max, a.data[p + 2]! / max), srgbToLab(b.data[p]! / max, b.data[p + 1]! / max, b.data[p + 2]! / max));
  }
  return s / n;
}

describe('colour restore', () => {
  it.each([false, true])('brings a faded, cast photo much closer to its original (16-bit: %s)', (sixteen) => {
    const clean = scene(240, 80, sixteen);
    const f = faded(clean);
    const a = analyseColour(f);
    expect(a.monochrome).toBe(false);
    const r = restoreColour(f, a, 1);
    expect(r.data).toBeInstanceOf(sixteen ? Uint16Array : Uint8Array);
    // The scene has true greys, which is what the balance assumes: the restore should remove most of the error.
    expect(meanDE(clean, r)).toBeLessThan(meanDE(clean, f) / 3);
  });

  it.each([
    ['× 0.5, cyan', 0.5, [0.05, 0.12, 0.12], [0.85, 1, 1]],
    ['× 0.75, yellow', 0.75, [0.1, 0.08, 0.02], [1, 0.95, 0.85]],
    ['× 0.8, green', 0.8, [0.06, 0.1, 0.06], [0.9, 1, 0.9]],
  ])("takes mean ΔE00 to at most a third of the faded photo's on fades the benchmark does not use (%s)", (_name, k, lift, gain) => {
    const clean = scene(240, 80);
    const f = faded(clean, k, lift, gain);
    const r = restoreColour(f, analyseColour(f), 1);
    expect(meanDE(clean, r)).toBeLessThanOrEqual(meanDE(clean, f) / 3);
    // The grey ramp comes back grey: its channels within 4 levels of each other away from the clipped ends.
    for (let x = 24; x < 216; x += 12) {
      const p = (10 * 240 + x) * 3;
      const [R, G, B] = [r.data[p]!, r.data[p + 1]!, r.data[p + 2]!];
      expect(Math.max(R, G, B) - Math.min(R, G, B)).toBeLessThanOrEqual(4);
    }
  });

  it('bounds how far one channel is stretched beyond the others: a channel narrow by nature is not a cast', () => {
    // Mean range 0.8 → common gain max(1, 0.93 / 0.8) = 1.1625; red and green shares 0.8 (within the bound), blue's 2
    // capped at 1.35.
    const g = channelGains({ lo: [0, 0, 0.3], hi: [1, 1, 0.7] });
    expect(g[0]).toBeCloseTo(0.93, 6);
    expect(g[1]).toBeCloseTo(0.93, 6);
    expect(g[2]).toBeCloseTo(1.1625 * 1.35, 6);
  });

  it('keeps a sepia print sepia: no new hue, the tint neither removed nor changed', () => {
    const w = 200, h = 40;
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      const v = 0.25 + 0.5 * ((i % w) / w);
      data.set([Math.round(v * 1.1 * 255), Math.round(v * 255), Math.round(v * 0.8 * 255)], i * 3);
    }
    const sepia: PixelBuffer = { data, width: w, height: h, channels: 3 };
    const a = analyseColour(sepia);
    expect(a.monochrome).toBe(true);
    const r = restoreColour(sepia, a, 1);
    for (let x = 20; x < w; x += 30) {
      const p = (10 * w + x) * 3;
      const before = srgbToLab(data[p]! / 255, data[p + 1]! / 255, data[p + 2]! / 255);
      const after = srgbToLab(r.data[p]! / 255, r.data[p + 1]! / 255, r.data[p + 2]! / 255);
      const hue = (lab: number[]) => Math.atan2(lab[2]!, lab[1]!);
      // Hue within 0.15 rad (~9°) of the print's own: rounding at low chroma moves it a little.
      expect(Math.abs(hue(after) - hue(before))).toBeLessThan(0.15);
    }
    // Contrast was restored: the range of values grew.
    const range = (d: ArrayLike<number>) => Math.max(...Array.from(d)) - Math.min(...Array.from(d));
    expect(range(r.data)).toBeGreaterThan(range(data));
  });

  it('changes nothing at strength 0', () => {
    const f = faded(scene(120, 40));
    expect(restoreColour(f, analyseColour(f), 0).data).toEqual(f.data);
  });
});
