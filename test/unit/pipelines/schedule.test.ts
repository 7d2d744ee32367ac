import { describe, expect, it } from 'vitest';
import { alphaBar, alphasCumprod, scaledLinearBetas, SD_SCHEDULE, x0FromEps } from '../../../src-main/pipelines/schedule';

/** ᾱ_t computed a second way: the sum of log(1 − β) with β written out directly, then exp. */
function alphaBarViaLogs(t: number): number {
  const lo = Math.sqrt(0.00085);
  const hi = Math.sqrt(0.012);
  let logSum = 0;
  for (let s = 0; s <= t; s++) {
    const root = lo + (s / 999) * (hi - lo);
    logSum += Math.log1p(-(root ** 2));
  }
  return Math.exp(logSum);
}

describe('SD scaled-linear schedule', () => {
  it('has ᾱ₉₉₉ = 0.0046601 (to 1e-6), agreeing with an independent log-sum computation', () => {
    const independent = alphaBarViaLogs(999);
    expect(Math.abs(independent - 0.0046601)).toBeLessThan(1e-6);
    expect(Math.abs(alphaBar(999) - independent)).toBeLessThan(1e-12);
  });

  it('agrees with the log-sum computation at other timesteps', () => {
    for (const t of [0, 1, 250, 500, 998]) expect(alphaBar(t)).toBeCloseTo(alphaBarViaLogs(t), 12);
  });

  it('starts and ends the betas at the configured values and increases monotonically', () => {
    const b = scaledLinearBetas();
    expect(b.length).toBe(1000);
    expect(b[0]).toBeCloseTo(0.00085, 15);
    expect(b[999]).toBeCloseTo(0.012, 15);
    for (let t = 1; t < b.length; t++) expect(b[t]!).toBeGreaterThan(b[t - 1]!);
    const ac = alphasCumprod(SD_SCHEDULE);
    for (let t = 1; t < ac.length; t++) expect(ac[t]!).toBeLessThan(ac[t - 1]!);
  });

  it('rejects timesteps outside the schedule, naming the value', () => {
    expect(() => alphaBar(1000)).toThrow(/got 1000/);
    expect(() => alphaBar(-1)).toThrow(/got -1/);
    expect(() => alphaBar(2.5)).toThrow(/got 2.5/);
  });
});

describe('x0FromEps', () => {
  const n = 257;
  const z = new Float32Array(n);
  const eps = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    z[i] = Math.sin(i * 0.37) * 3;
    eps[i] = Math.cos(i * 0.11) * 1.5;
  }
  const ab = 0.0046601;
  const expected = Array.from(z, (zi, i) => (zi - Math.sqrt(1 - ab) * eps[i]!) / Math.sqrt(ab));

  it('computes (z − √(1−ᾱ)·ε)/√ᾱ within 1e-4 of float64 maths', () => {
    const out = x0FromEps(z, eps, ab);
    for (let i = 0; i < n; i++) expect(Math.abs(out[i]! - expected[i]!)).toBeLessThan(1e-4);
  });

  it('works in place over z or over eps', () => {
    const zz = z.slice();
    x0FromEps(zz, eps, ab, zz);
    const ee = eps.slice();
    x0FromEps(z, ee, ab, ee);
    for (let i = 0; i < n; i++) {
      expect(Math.abs(zz[i]! - expected[i]!)).toBeLessThan(1e-4);
      expect(ee[i]).toBe(zz[i]);
    }
  });

  it('inverts the forward noising z = √ᾱ·x0 + √(1−ᾱ)·ε', () => {
    const x0 = Float32Array.from({ length: n }, (_, i) => ((i * 13) % 17) / 8 - 1);
    const noisy = Float32Array.from(x0, (x, i) => Math.sqrt(ab) * x + Math.sqrt(1 - ab) * eps[i]!);
    const back = x0FromEps(noisy, eps, ab);
    // float32 z carries ~6e-8 absolute error, amplified by 1/√ᾱ ≈ 14.6.
    for (let i = 0; i < n; i++) expect(Math.abs(back[i]! - x0[i]!)).toBeLessThan(1e-5);
  });

  it('refuses mismatched lengths and ᾱ outside (0, 1)', () => {
    expect(() => x0FromEps(z, eps.subarray(1), ab)).toThrow(/lengths differ/);
    expect(() => x0FromEps(z, eps, 0)).toThrow(/got 0/);
    expect(() => x0FromEps(z, eps, 1)).toThrow(/got 1/);
  });

  it('refuses an output array of another length', () => {
    const z = new Float32Array(4);
    expect(() => x0FromEps(z, new Float32Array(4), 0.5, new Float32Array(3))).toThrow('x0FromEps: lengths differ (z 4, eps 4, out 3)');
  });
});

describe('schedule edge cases and checks', () => {
  it('degenerates a one-step schedule to the start value', () => {
    const betas = scaledLinearBetas({ betaStart: 0.01, betaEnd: 0.04, steps: 1 });
    expect(betas).toHaveLength(1);
    expect(betas[0]).toBeCloseTo(0.01, 15); // (√0.01)², exact to rounding
  });

  it('gives a constant β when start and end are equal, and ᾱ as its powers', () => {
    const betas = scaledLinearBetas({ betaStart: 0.25, betaEnd: 0.25, steps: 3 });
    for (const b of betas) expect(b).toBeCloseTo(0.25, 15);
    const cum = alphasCumprod({ betaStart: 0.25, betaEnd: 0.25, steps: 3 });
    [0.75, 0.5625, 0.421875].forEach((v, i) => expect(cum[i]).toBeCloseTo(v, 15));
  });

  it('accepts exactly the timesteps 0 … T−1', () => {
    expect(alphaBar(0)).toBeCloseTo(1 - 0.00085, 15);
    expect(() => alphaBar(1000)).toThrow('timestep must be an integer in [0, 999], got 1000');
    expect(() => alphaBar(-1)).toThrow('got -1');
    expect(() => alphaBar(1.5)).toThrow('got 1.5');
  });

  it('refuses schedules that are not one, naming the values', () => {
    const bad = (s: { betaStart: number; betaEnd: number; steps: number }): (() => unknown) => () => scaledLinearBetas(s);
    expect(bad({ betaStart: 0.1, betaEnd: 0.2, steps: 0 })).toThrow('schedule steps must be a positive integer, got 0');
    expect(bad({ betaStart: 0.1, betaEnd: 0.2, steps: 2.5 })).toThrow('schedule steps must be a positive integer, got 2.5');
    expect(bad({ betaStart: 0, betaEnd: 0.2, steps: 10 })).toThrow('schedule betas must satisfy 0 < start ≤ end < 1, got 0 → 0.2');
    expect(bad({ betaStart: 0.1, betaEnd: 1, steps: 10 })).toThrow('got 0.1 → 1');
    expect(bad({ betaStart: 0.3, betaEnd: 0.2, steps: 10 })).toThrow('got 0.3 → 0.2');
    expect(bad({ betaStart: 0.1, betaEnd: 0.2, steps: 1 })).not.toThrow();
  });
});
