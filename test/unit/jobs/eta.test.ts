import { describe, expect, it } from 'vitest';
import { estimatePixels, EtaEstimator } from '../../../src-main/jobs/eta';

describe('EtaEstimator', () => {
  it('gives no estimate before any measurement or prior', () => {
    const e = new EtaEstimator();
    expect(e.pxPerMs).toBeNull();
    expect(e.remainingMs({ remainingPixels: 1e6, currentPixels: 0, currentFraction: 0 })).toBeNull();
  });

  it('uses the stored throughput of this model on this device before the first image finishes', () => {
    const e = new EtaEstimator(500); // 500 px/ms
    expect(e.remainingMs({ remainingPixels: 2e6, currentPixels: 1e6, currentFraction: 0.5 })).toBeCloseTo((2e6 + 0.5e6) / 500, 9);
  });

  it('replaces the prior with this batch’s first image, and the cold first image with warm ones', () => {
    const e = new EtaEstimator(10_000);
    e.record({ pixels: 1_000_000, ms: 4_000, cold: true }); // includes loading the model
    expect(e.pxPerMs).toBeCloseTo(250, 12);
    e.record({ pixels: 1_000_000, ms: 2_000, cold: false });
    e.record({ pixels: 3_000_000, ms: 6_000, cold: false });
    // Warm only, weighted by size: (1e6 + 3e6) / (2000 + 6000) ms.
    expect(e.pxPerMs).toBeCloseTo(4e6 / 8000, 12);
    expect(e.warmPxPerMs).toBeCloseTo(500, 12);
  });

  it('settles after the first image: at constant speed the estimate equals the true remaining time', () => {
    // A simulated device: 50 ms fixed cost is absent, 2 µs per pixel; model load adds 3 s to the first image only.
    const msPerPx = 0.002;
    const sizes = [640 * 480, 1024 * 768, 800 * 600, 2000 * 1500, 300 * 200, 1600 * 1200];
    const e = new EtaEstimator();
    sizes.forEach((px, i) => {
      const ms = px * msPerPx + (i === 0 ? 3000 : 0);
      e.record({ pixels: px, ms, cold: i === 0 });
      if (i >= 1) {
        const left = sizes.slice(i + 1).reduce((a, b) => a + b, 0);
        const eta = e.remainingMs({ remainingPixels: left, currentPixels: 0, currentFraction: 0 })!;
        expect(Math.abs(eta - left * msPerPx)).toBeLessThan(1e-6 * Math.max(1, left * msPerPx));
      }
    });
  });

  it('counts the running image by its reported fraction', () => {
    const e = new EtaEstimator();
    e.record({ pixels: 1000, ms: 100, cold: false }); // 10 px/ms
    expect(e.remainingMs({ remainingPixels: 0, currentPixels: 1000, currentFraction: 0.25 })).toBeCloseTo(75, 12);
    expect(e.remainingMs({ remainingPixels: 500, currentPixels: 1000, currentFraction: 1 })).toBeCloseTo(50, 12);
    // Out-of-range fractions are clamped, never negative time.
    expect(e.remainingMs({ remainingPixels: 0, currentPixels: 1000, currentFraction: 1.5 })).toBe(0);
    expect(e.imageMs(2000)).toBeCloseTo(200, 12);
  });

  it('refuses meaningless samples and priors, naming the values', () => {
    const e = new EtaEstimator();
    expect(() => e.record({ pixels: 0, ms: 5, cold: false })).toThrow(/0 px in 5 ms/);
    expect(() => e.record({ pixels: 10, ms: 0, cold: false })).toThrow(/10 px in 0 ms/);
    expect(() => new EtaEstimator(-1)).toThrow(/got -1/);
  });
});

describe('estimatePixels', () => {
  it('sums known sizes and fills unknown ones with their mean', () => {
    expect(estimatePixels([100, 300], 0)).toBe(400);
    expect(estimatePixels([100, 300], 3)).toBe(400 + 3 * 200);
    expect(estimatePixels([], 2)).toBeNull();
    expect(estimatePixels([], 0)).toBe(0);
  });
});
