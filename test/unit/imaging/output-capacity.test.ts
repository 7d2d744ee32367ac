import { constants } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  bytesPerResultPixel,
  largestScaleThatFits,
  MAX_PIXEL_BUFFER_BYTES,
  maxResultPixels,
  maxSourcePixelsAt,
  overCapacity,
  scaleTooLargeMessage,
} from '../../../src-main/imaging/output-capacity';

const scales = [1, 2, 3, 4];
const asked = (scale: number) => ({ scale, workingScaleAt: (s: number) => s, scales });

describe('how large a result this platform holds', () => {
  it('is the largest Buffer divided by the bytes of one pixel', () => {
    expect(MAX_PIXEL_BUFFER_BYTES).toBe(constants.MAX_LENGTH);
    expect([bytesPerResultPixel({}), bytesPerResultPixel({ hasAlpha: true }), bytesPerResultPixel({ bitsPerSample: 16 }), bytesPerResultPixel({ hasAlpha: true, bitsPerSample: 16 })]).toEqual([3, 4, 6, 8]);
    // Independent arithmetic on a made-up 1.2 MB buffer: 400 000 RGB pixels, 100 000 at 2×, 44 444 at 3×.
    expect(maxResultPixels({}, 1_200_000)).toBe(400_000);
    expect(maxSourcePixelsAt(2, {}, 1_200_000)).toBe(100_000);
    expect(maxSourcePixelsAt(3, {}, 1_200_000)).toBe(44_444);
    expect(overCapacity({ width: 400, height: 250 }, 2, 1_200_000)).toBe(false);
    expect(overCapacity({ width: 401, height: 250 }, 2, 1_200_000)).toBe(true);
  });

  it('on Node 20 (4 GiB Buffers): 89.5 MP at 4× for 8-bit RGB, as measured in the issue (a 195 MP TIFF failed at 4×)', () => {
    if (constants.MAX_LENGTH !== 2 ** 32) return expect(constants.MAX_LENGTH).toBeGreaterThan(2 ** 32); // newer Node: larger Buffers
    expect(maxSourcePixelsAt(4, {})).toBe(Math.floor(Math.floor(2 ** 32 / 3) / 16));
    expect(overCapacity({ width: 17_100, height: 11_400 }, 4)).toBe(true);
    expect(overCapacity({ width: 17_100, height: 11_400 }, 2)).toBe(false);
    // 194.9 MP × 9 = 1754 MP does not fit; × 4 = 780 MP does.
    expect(largestScaleThatFits(17_100 * 11_400, asked(4), {})).toBe(2);
    // A 4× model at 1× still holds 4×: nothing fits.
    expect(largestScaleThatFits(17_100 * 11_400, { scale: 1, workingScaleAt: () => 4, scales }, {})).toBeNull();
  });

  it('says what would work, in one line', () => {
    const m = scaleTooLargeMessage('/p/a.tif', 1000, 500, asked(3), {});
    expect(m).not.toContain('\n');
    expect(m).toMatch(/^\/p\/a\.tif: 1000×500 \(0\.5 MP\) is too large to enlarge 3×/);
  });
});
