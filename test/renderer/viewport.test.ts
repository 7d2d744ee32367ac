import { describe, expect, it } from 'vitest';
import { fit, MAX_SCALE, oneToOne, pan, screenToImageRect, zoomByWheel, zoomTo } from '../../src-renderer/src/features/compare/viewport';
import { pickLevel, pyramidScales } from '../../src-renderer/src/features/compare/pyramid';
import { visibleRange } from '../../src-renderer/src/lib/components/virtual-range';
import { formatBytes, formatDimensions, formatDuration, formatPercent } from '../../src-renderer/src/lib/format';

/** Screen position of an image point under a viewport (the definition, written out independently). */
const toScreen = (v: { scale: number; x: number; y: number }, ix: number, iy: number) => ({ x: ix * v.scale + v.x, y: iy * v.scale + v.y });

describe('compare viewport', () => {
  it('fits a 6000×4000 image into a 1000×800 stage, centred', () => {
    const v = fit({ width: 6000, height: 4000 }, { width: 1000, height: 800 });
    expect(v.scale).toBeCloseTo(1000 / 6000, 12);
    // Height 4000/6 = 666.67 px, centred vertically in 800.
    expect(v.y).toBeCloseTo((800 - 4000 / 6) / 2, 9);
    expect(v.x).toBeCloseTo(0, 9);
  });

  it('zooms about the pointer: the image point under it stays put', () => {
    const v0 = { scale: 0.25, x: 40, y: -12 };
    const at = { x: 321, y: 207 };
    const ix = (at.x - v0.x) / v0.scale;
    const iy = (at.y - v0.y) / v0.scale;
    for (const v of [zoomTo(v0, 3, at), zoomByWheel(v0, -250, at), zoomByWheel(v0, 400, at)]) {
      const p = toScreen(v, ix, iy);
      expect(p.x).toBeCloseTo(at.x, 9);
      expect(p.y).toBeCloseTo(at.y, 9);
    }
    expect(zoomByWheel(v0, -800, at).scale).toBeCloseTo(0.25 * Math.E, 12);
    // Gentle: one 100 px notch is e^(1/8) ≈ 13 %.
    expect(zoomByWheel(v0, -100, at).scale / 0.25).toBeCloseTo(Math.exp(1 / 8), 12);
    expect(zoomTo(v0, 1e6, at).scale).toBe(MAX_SCALE);
  });

  it('1:1 keeps the stage centre fixed', () => {
    const v = oneToOne({ scale: 0.2, x: 10, y: 10 }, { width: 800, height: 600 });
    expect(v.scale).toBe(1);
    const ix = (400 - 10) / 0.2;
    expect(toScreen(v, ix, 0).x).toBeCloseTo(400, 9);
  });

  it('pans by the drag but keeps part of the image on stage', () => {
    const image = { width: 1000, height: 1000 };
    const stage = { width: 500, height: 500 };
    expect(pan({ scale: 1, x: 0, y: 0 }, -30, 20, image, stage)).toEqual({ scale: 1, x: -30, y: 20 });
    const far = pan({ scale: 1, x: 0, y: 0 }, -5000, 5000, image, stage, 48);
    expect(far.x).toBe(48 - 1000);
    expect(far.y).toBe(500 - 48);
  });

  it('maps a screen rectangle to image pixels, clipped to the image', () => {
    const r = screenToImageRect({ scale: 2, x: 100, y: 50 }, { x: 90, y: 60, width: 50, height: 40 }, { width: 30, height: 300 });
    expect(r).toEqual({ x: 0, y: 5, width: 20, height: 20 });
  });
});

describe('image pyramid', () => {
  it('halves until the long side is at most 2048 px', () => {
    expect(pyramidScales(6000, 4000)).toEqual([1, 0.5, 0.25]); // 1500 px: the first halving at most 2048 px long
    expect(pyramidScales(16000, 9000)).toEqual([1, 0.5, 0.25, 0.125]);
    expect(pyramidScales(1280, 960)).toEqual([1]);
  });

  it('draws from the smallest level that still has a pixel per screen pixel', () => {
    const levels = [{ scale: 1 }, { scale: 0.5 }, { scale: 0.25 }, { scale: 0.125 }];
    expect(pickLevel(levels, 0.18).scale).toBe(0.25);
    expect(pickLevel(levels, 0.1).scale).toBe(0.125);
    expect(pickLevel(levels, 0.5).scale).toBe(0.5);
    expect(pickLevel(levels, 3).scale).toBe(1);
  });
});

describe('virtual list range', () => {
  it('renders a screenful plus overscan wherever the list is scrolled', () => {
    expect(visibleRange(1000, 72, 0, 720, 6)).toEqual({ start: 0, end: 17 });
    const mid = visibleRange(1000, 72, 72 * 500 + 10, 720, 6);
    expect(mid.start).toBe(494);
    expect(mid.end - mid.start).toBeLessThanOrEqual(24);
    expect(visibleRange(1000, 72, 1e9, 720, 6).end).toBe(1000);
    expect(visibleRange(0, 72, 0, 720, 6)).toEqual({ start: 0, end: 0 });
  });
});

describe('formatting', () => {
  it('formats sizes, durations and percentages for people', () => {
    expect(formatBytes(4_900_000)).toBe('4.9 MB');
    expect(formatBytes(67_000_000)).toBe('67 MB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(42_400)).toBe('42 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    expect(formatDuration(3_720_000)).toBe('1 h 02 min');
    expect(formatPercent(0.4567)).toBe('46 %');
    expect(formatPercent(2)).toBe('100 %');
    expect(formatDimensions(6000, 4000)).toBe('6000 × 4000 (24 MP)');
  });
});
