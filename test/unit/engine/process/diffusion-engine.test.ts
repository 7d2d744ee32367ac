/**
 * The engine-side pieces of diffusion runs that need no model: tile choice from a memory budget, the session cache's
 * groups, and the CLI's diffusion options.
 */
import { describe, expect, it } from 'vitest';
import { parseEnhanceOptions, UsageError, type RawEnhanceOptions } from '../../../../src-main/cli/options';
import { chooseDiffusionTiles, unetBytes, vaeDecoderBytes, vaeEncoderBytes } from '../../../../src-main/engine/process/diffusion-tiles';
import type { OpenedModel } from '../../../../src-main/engine/process/session';
import { SessionCache } from '../../../../src-main/engine/process/session-cache';
import { OneStepManifestSchema, type OneStepManifest } from '../../../../src-main/models/manifest';
import { buildTinyPack } from '../../../fixtures/tiny-packs';

const manifest: OneStepManifest = OneStepManifestSchema.parse(buildTinyPack({}).manifest);

describe('chooseDiffusionTiles', () => {
  it('takes the pack\'s tiles when memory is plentiful', () => {
    expect(chooseDiffusionTiles(manifest, 64e9)).toEqual({ encode: 256, decode: 256, vaeOverlap: 32, latent: 96, latentOverlap: 32 });
  });

  it('picks the largest tiles whose estimated peak fits a small budget, capping overlaps at half a tile', () => {
    const budget = 100e6;
    const t = chooseDiffusionTiles(manifest, budget);
    // Each is the largest multiple of 8 that fits, so 8 more would not.
    expect(vaeEncoderBytes(t.encode)).toBeLessThanOrEqual(budget);
    expect(vaeEncoderBytes(t.encode + 8)).toBeGreaterThan(budget);
    expect(vaeDecoderBytes(t.decode)).toBeLessThanOrEqual(budget);
    expect(vaeDecoderBytes(t.decode + 8)).toBeGreaterThan(budget);
    expect(unetBytes(t.latent)).toBeLessThanOrEqual(budget);
    expect(unetBytes(t.latent + 8)).toBeGreaterThan(budget);
    expect(t.encode).toBeLessThan(256);
    expect(t.decode).toBeLessThan(256);
    expect(t.latent).toBeLessThan(96);
    expect(t.vaeOverlap % 8).toBe(0);
    expect(t.vaeOverlap).toBeLessThanOrEqual(Math.min(t.encode, t.decode) / 2);
    expect(t.latentOverlap).toBeLessThanOrEqual(t.latent / 2);
  });

  it('falls back to the minimum tiles when nothing fits, and honours an explicit UNet tile', () => {
    expect(chooseDiffusionTiles(manifest, 1)).toMatchObject({ encode: 128, decode: 128, latent: 32, latentOverlap: 16 });
    expect(chooseDiffusionTiles(manifest, 64e9, 48)).toMatchObject({ latent: 48, latentOverlap: 24 });
    expect(() => chooseDiffusionTiles(manifest, 0)).toThrow(/freeBytes must be positive, got 0/);
  });
});

describe('SessionCache groups', () => {
  function fakeOpen(log: string[]): (model: string) => Promise<OpenedModel> {
    return async (model) => {
      log.push(`open ${model}`);
      return {
        runner: { inputNames: [], outputNames: [], run: async () => ({}), dispose: async () => void log.push(`dispose ${model}`) },
        provider: 'cpu',
        warnings: [`warning from ${model}`],
      };
    };
  }

  it('opens a group once per key, routes its warnings, and (held one at a time) releases it on a key change, a single model or dispose()', async () => {
    const log: string[] = [];
    const cache = new SessionCache(fakeOpen(log), { maxEntries: 1 });
    const warnings: string[] = [];
    const build = async (open: (p: string) => Promise<OpenedModel>): Promise<{ dispose(): Promise<void>; n: number }> => {
      const a = await open('a');
      const b = await open('b');
      return { n: 2, dispose: async () => void (await Promise.all([a.runner.dispose(), b.runner.dispose()])) };
    };
    const key = { id: 'pack-1', provider: 'cpu' as const };
    const g1 = await cache.getGroup(key, build, (w) => warnings.push(w));
    const g2 = await cache.getGroup(key, build, (w) => warnings.push(w));
    expect(g2).toBe(g1);
    expect(log).toEqual(['open a', 'open b']);
    expect(warnings).toEqual(['warning from a', 'warning from b']);
    await cache.getGroup({ ...key, threads: 2 }, build, () => {});
    expect(log.slice(2)).toEqual(['dispose a', 'dispose b', 'open a', 'open b']);
    await cache.get({ modelPath: 'single', provider: 'cpu' }, () => {});
    expect(log.slice(6)).toEqual(['dispose a', 'dispose b', 'open single']);
    await cache.getGroup(key, build, () => {});
    await cache.dispose();
    expect(log.slice(9)).toEqual(['dispose single', 'open a', 'open b', 'dispose a', 'dispose b']);
  });
});

describe('revive enhance diffusion options', () => {
  const base: RawEnhanceOptions = { model: 'm', scale: '4', format: 'same', suffix: '_revive', device: 'cpu' };

  it('parses prompt mode, prompt, colour fix and strength', () => {
    expect(parseEnhanceOptions({ ...base, promptMode: 'Custom', prompt: 'old photo', colorFix: 'wavelet', strength: '37.5%' }).diffusion).toEqual({
      promptMode: 'custom',
      prompt: 'old photo',
      colorFix: 'wavelet',
      strength: 37.5,
    });
    expect(parseEnhanceOptions(base).diffusion).toBeUndefined();
  });

  it('refuses bad values, naming the option and the value', () => {
    const bad = (raw: Partial<RawEnhanceOptions>): string => {
      let caught: unknown = new Error('accepted');
      try {
        parseEnhanceOptions({ ...base, ...raw });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(UsageError);
      return (caught as Error).message;
    };
    expect(bad({ promptMode: 'words' })).toBe('--prompt-mode must be one of tags, none, custom, got "words"');
    expect(bad({ colorFix: 'histogram' })).toBe('--color-fix must be one of adain, wavelet, none, got "histogram"');
    expect(bad({ strength: '101' })).toBe('--strength must be a percentage from 0 to 100, got "101"');
    expect(bad({ strength: '-1' })).toBe('--strength must be a percentage from 0 to 100, got "-1"');
    expect(bad({ promptMode: 'custom' })).toBe('--prompt-mode custom needs --prompt TEXT');
    expect(bad({ promptMode: 'none', prompt: 'x' })).toBe('--prompt has no effect with --prompt-mode none; use --prompt-mode tags or custom');
  });
});
