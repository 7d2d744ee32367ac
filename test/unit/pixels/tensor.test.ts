import { describe, expect, it } from 'vitest';
import { nchwToHwc, planarRowToHwc, quantise, reflectIndex, regionToNchw } from '../../../src-main/pixels/tensor';

describe('reflectIndex', () => {
  it('mirrors without repeating the edge, like numpy pad mode "reflect"', () => {
    // numpy.pad([0, 1, 2, 3], 6, mode='reflect') reads positions -6..9 from these indices (period 2·(4 - 1) = 6).
    const got = Array.from({ length: 16 }, (_, k) => reflectIndex(k - 6, 4));
    expect(got).toEqual([0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3]);
    expect([-3, 0, 5].map((i) => reflectIndex(i, 1))).toEqual([0, 0, 0]);
    expect([-1, 2, 3].map((i) => reflectIndex(i, 2))).toEqual([1, 0, 1]);
  });
});

describe('regionToNchw', () => {
  // 4×3 RGBA image; channel value = 10·x + y + 100·c so every sample says where it came from.
  const W = 4;
  const H = 3;
  const data = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 4; c++) data[(y * W + x) * 4 + c] = 10 * x + y + 100 * c;
  const img = { data, width: W, height: H, channels: 4 };

  it('reads a region plus reflected borders as planar [0, 1] floats, taking the first N channels', () => {
    const t = regionToNchw(img, { x: 0, y: 1, w: 2, h: 2 }, { left: 2, top: 0, right: 1, bottom: 1 }, 3);
    expect(t.dims).toEqual([1, 3, 3, 5]);
    const xs = [2, 1, 0, 1, 2]; // columns -2..2 reflected
    const ys = [1, 2, 1]; // rows 1, 2, then 3 → 1
    for (let c = 0; c < 3; c++) {
      for (let j = 0; j < 3; j++) {
        for (let i = 0; i < 5; i++) {
          expect(t.data[c * 15 + j * 5 + i]).toBeCloseTo((10 * xs[i]! + ys[j]! + 100 * c) / 255, 7);
        }
      }
    }
  });

  it('scales 16-bit data by 65535 and rejects regions outside the image', () => {
    const d16 = Uint16Array.from([0, 65535, 32768]);
    const t = regionToNchw({ data: d16, width: 1, height: 1, channels: 3 }, { x: 0, y: 0, w: 1, h: 1 }, { left: 0, top: 0, right: 0, bottom: 0 });
    expect([...t.data]).toEqual([0, 1, Math.fround(32768 / 65535)]);
    expect(() => regionToNchw(img, { x: 3, y: 0, w: 2, h: 1 }, { left: 0, top: 0, right: 0, bottom: 0 })).toThrow(
      'region (3, 0) 2×1 is not inside the 4×3 image',
    );
  });
});

describe('NCHW → HWC', () => {
  it('writes a crop of a tensor into an integer image, rounded and clamped', () => {
    // [1, 2, 2, 3]: channel 0 = 0..5 / 5, channel 1 = 1.5 (clamps)
    const data = Float32Array.from([0, 0.2, 0.4, 0.6, 0.8, 1, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5]);
    const out = { data: new Uint8Array(3 * 2 * 2), width: 3, height: 2, channels: 2 };
    nchwToHwc({ data, dims: [1, 2, 2, 3] }, { x: 1, y: 0, w: 2, h: 2 }, out, { x: 1, y: 0 });
    expect([...out.data]).toEqual([0, 0, 51, 255, 102, 255, 0, 0, 204, 255, 255, 255]);
    expect(() => nchwToHwc({ data, dims: [1, 2, 2, 3] }, { x: 0, y: 0, w: 3, h: 2 }, out, { x: 1, y: 0 })).toThrow(
      'region (1, 0) 3×2 is not inside the 3×2 output image',
    );
  });

  it('quantises to nearest with clamping, and converts planar rows', () => {
    expect([-1, 0, 0.5 / 255, 0.49 / 255, 1, 7, Number.NaN].map((v) => quantise(v, 255))).toEqual([0, 0, 1, 0, 255, 255, 0]);
    const out = new Uint16Array(6);
    planarRowToHwc(Float32Array.from([0, 1, 0.5, 0.25]), 2, 2, out, 2);
    expect([...out]).toEqual([0, 0, 0, 32768, 65535, 16384]);
  });
});
