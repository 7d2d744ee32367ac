/**
 * The sRGB transfer functions and the Lab → linear sRGB inverse of pipelines/repair/lab.ts, against the IEC 61966-2-1
 * and CIE definitions written out here, added after mutation testing (docs/mutation.md). Tolerances stated per check.
 */
import { describe, expect, it } from 'vitest';
import { ciede2000, decodeSrgb, encodeSrgb, labToLinearSrgb, linearSrgbToLab, srgbToLab } from '../../../../src-main/pipelines/repair/lab';
import { rng } from '../../../support/random';

describe('sRGB transfer functions', () => {
  it('decode: linear segment up to 0.04045, the 2.4 power above (1e-15)', () => {
    for (const c of [0, 0.01, 0.04045, 0.0405, 0.2, 0.5, 1]) {
      const want = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
      expect(Math.abs(decodeSrgb(c) - want)).toBeLessThan(1e-15);
    }
  });

  it('encode: linear segment up to 0.0031308, the 1/2.4 power above, clamped to 0–1 (1e-15)', () => {
    for (const v of [0.0001, 0.0031308, 0.0032, 0.18, 0.7, 0.999]) {
      const want = v <= 0.0031308 ? 12.92 * v : 1.055 * Math.pow(v, 1 / 2.4) - 0.055;
      expect(Math.abs(encodeSrgb(v) - want)).toBeLessThan(1e-15);
    }
    expect([encodeSrgb(-0.2), encodeSrgb(0), encodeSrgb(1), encodeSrgb(1.5)]).toEqual([0, 0, 1, 1]);
  });

  it('encode undoes decode (1e-12)', () => {
    for (let i = 0; i <= 100; i++) expect(Math.abs(encodeSrgb(decodeSrgb(i / 100)) - i / 100)).toBeLessThan(1e-12);
  });
});

describe('Lab of dark colours and the inverse', () => {
  it('uses the CIE linear segment below (6/29)³: a dark grey of luminance Y has L = (29/3)³·Y, a = b = 0 (1e-4)', () => {
    for (const Y of [0.0005, 0.002, 0.008]) {
      const [L, a, b] = linearSrgbToLab(Y, Y, Y);
      expect(Math.abs(L - (24389 / 27) * Y)).toBeLessThan(1e-4);
      expect(Math.abs(a)).toBeLessThan(1e-4);
      expect(Math.abs(b)).toBeLessThan(1e-4);
    }
    // Above the knee, L = 116·∛Y − 16.
    expect(Math.abs(linearSrgbToLab(0.2, 0.2, 0.2)[0] - (116 * Math.cbrt(0.2) - 16))).toBeLessThan(1e-4);
  });

  it('Lab → linear sRGB inverts linear sRGB → Lab for bright, dark and saturated colours (1e-6)', () => {
    const r = rng(17);
    const colours: [number, number, number][] = [[0, 0, 0], [1, 1, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1], [0.001, 0.002, 0.0005], [0.9, 0.001, 0.4]];
    for (let i = 0; i < 40; i++) colours.push([r() ** 3, r() ** 3, r() ** 3]);
    for (const c of colours) {
      const back = labToLinearSrgb(...linearSrgbToLab(...c));
      for (let k = 0; k < 3; k++) expect(Math.abs(back[k]! - c[k]!), `${c} channel ${k}`).toBeLessThan(1e-6);
    }
  });

  it('srgbToLab is linearSrgbToLab after decoding each channel (1e-12)', () => {
    const [r, g, b] = [0.03, 0.5, 0.9];
    const want = linearSrgbToLab(decodeSrgb(r), decodeSrgb(g), decodeSrgb(b));
    srgbToLab(r, g, b).forEach((v, k) => expect(Math.abs(v - want[k]!)).toBeLessThan(1e-12));
  });
});

describe('ciede2000 on the negative a axis', () => {
  it('is continuous across hue 180°: a colour with b = 0 and a < 0 is next to one with a tiny b (the Sharma pairs have none)', () => {
    // Both lie on the green side of the a axis, hue ≈ 180°; their ΔE00 is of the order of the b difference.
    for (const a of [-10, -0.5]) {
      expect(ciede2000([50, a, 0], [50, a, 0.001])).toBeLessThan(0.01);
      expect(ciede2000([50, a, 0], [50, a, -0.001])).toBeLessThan(0.01);
    }
  });
});
