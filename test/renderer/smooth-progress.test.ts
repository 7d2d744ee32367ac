/** Issue 13 point 5: a running photo's bar moves between the core's per-stage events instead of jumping 10 → 90 %. */
import { describe, expect, it } from 'vitest';
import { EASE_MS, SMOOTH_CAP, smoothFraction } from '../../src-renderer/src/features/queue/smooth-progress';

describe('smoothFraction', () => {
  it('moves at the pace the ETA implies', () => {
    // 0.1 reported with 2 s left for the whole photo: 0.9 of the photo in 2000 ms, so 0.45 per second.
    const m = { from: 0.1, at: 1000, end: 0.9, etaMs: 2000 };
    expect(smoothFraction(m, 1000)).toBeCloseTo(0.1, 12);
    expect(smoothFraction(m, 1500)).toBeCloseTo(0.1 + 0.45 * 0.5, 12);
  });

  it('stops short of the stage end, which only the core reports', () => {
    const m = { from: 0.1, at: 0, end: 0.9, etaMs: 1000 };
    const cap = 0.1 + 0.8 * SMOOTH_CAP;
    expect(smoothFraction(m, 10_000)).toBeCloseTo(cap, 12);
    expect(smoothFraction(m, 10_000)).toBeLessThan(0.9);
  });

  it('eases toward the end without an ETA, and never goes back', () => {
    const m = { from: 0.1, at: 0, end: 0.9, etaMs: null };
    // After one time constant: 1 - 1/e of the room (0.8 · cap).
    expect(smoothFraction(m, EASE_MS)).toBeCloseTo(0.1 + 0.8 * SMOOTH_CAP * (1 - Math.exp(-1)), 9);
    expect(smoothFraction(m, -50)).toBe(0.1);
    expect(smoothFraction({ from: 0.95, at: 0, end: 0.9, etaMs: 100 }, 500)).toBe(0.95);
  });
});
