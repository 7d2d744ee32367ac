import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installPack } from '../../../src-main/models/install';
import { parseManifest } from '../../../src-main/models/manifest';
import { buildTinyPack, writeTinyPack } from '../../fixtures/tiny-packs';

/** ᾱ of a scaled-linear schedule computed independently: β from numpy-style linspace of square roots, product in log space. */
function independentAlphaBar(t: number, start = 0.00085, end = 0.012, steps = 1000): number {
  let logSum = 0;
  for (let s = 0; s <= t; s++) {
    const root = Math.sqrt(start) * (1 - s / (steps - 1)) + Math.sqrt(end) * (s / (steps - 1));
    logSum += Math.log1p(-root * root);
  }
  return Math.exp(logSum);
}

function manifestWith(diffusion: Record<string, unknown>): Record<string, unknown> {
  const m = structuredClone(buildTinyPack().manifest) as Record<string, unknown> & { diffusion: Record<string, unknown> };
  m.diffusion = { ...m.diffusion, ...diffusion };
  return m;
}

describe('the manifest schedule check', () => {
  it('accepts the SD scaled-linear ᾱ at t = 999 and at another timestep', () => {
    expect(() => parseManifest(manifestWith({ timestep: 999, alphaBar: independentAlphaBar(999) }))).not.toThrow();
    expect(() => parseManifest(manifestWith({ timestep: 500, alphaBar: independentAlphaBar(500) }))).not.toThrow();
  });

  it('refuses ᾱ off by more than 1e-6 relative, naming both values', () => {
    const right = independentAlphaBar(999);
    expect(() => parseManifest(manifestWith({ alphaBar: right * (1 + 0.5e-6) }))).not.toThrow();
    expect(() => parseManifest(manifestWith({ alphaBar: right * (1 + 2e-6) }))).toThrow(/does not match/);
    // diffusers' float32 table value (float32 β, float32 1 − β, product accumulated in float64 then rounded, as
    // computed with numpy for this test): 1.03e-6 from the float64 value, accepted as the same schedule.
    expect(() => parseManifest(manifestWith({ alphaBar: 0.0046600937 }))).not.toThrow();
    // The example: 0.0055 at t = 999.
    expect(() => parseManifest(manifestWith({ alphaBar: 0.0055 }))).toThrow(/alphaBar 0\.0055 .* gives 0\.004660098\d* at t = 999/);
  });

  it('checks against an explicitly declared schedule instead of SD’s', () => {
    const schedule = { kind: 'scaled-linear', betaStart: 0.0001, betaEnd: 0.02, steps: 1000 };
    const declared = independentAlphaBar(999, 0.0001, 0.02, 1000);
    expect(() => parseManifest(manifestWith({ alphaBar: declared, schedule }))).not.toThrow();
    // The SD value is now the wrong one, and the message names the declared schedule.
    expect(() => parseManifest(manifestWith({ alphaBar: independentAlphaBar(999), schedule }))).toThrow(/β 0\.0001 → 0\.02 over 1000 steps/);
    expect(() => parseManifest(manifestWith({ timestep: 999, schedule: { ...schedule, steps: 500 } }))).toThrow(/outside the schedule's 500 steps/);
  });

  describe('at install', () => {
    let work = '';
    afterEach(async () => {
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('refuses a pack whose ᾱ is not its schedule’s, with both values in the error', async () => {
      work = await mkdtemp(path.join(os.tmpdir(), 'revive-sched-'));
      const src = path.join(work, 'src');
      await writeTinyPack(src, { id: 'bad-schedule', alphaBarOverride: 0.0055 });
      const err = await installPack(src, path.join(work, 'packs')).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toMatch(/alphaBar 0\.0055 .*gives 0\.004660098/);
    });
  });
});
