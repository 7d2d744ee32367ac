/**
 * The colour stage's options from the command line to the job and the engine chain: parsed and checked, kept in the
 * job's settings (and its settings key only when on), turned into a chain whose last stage is colour, and carried
 * across the app contract and back.
 */
import { describe, expect, it } from 'vitest';
import { jobSettingsFromOptions } from '../../../src-main/cli/enhance-command';
import { parseEnhanceOptions, type RawEnhanceOptions } from '../../../src-main/cli/options';
import { fromJobSettings, toJobSettings } from '../../../src-main/core/contract-mapping';
import { engineChain } from '../../../src-main/jobs/engine-chain';
import { settingsKey } from '../../../src-main/settings/job-settings';

const base: RawEnhanceOptions = { model: 'realesrgan-x4fast', scale: '4', format: 'same', suffix: '_revive', device: 'cpu' };

describe('--colorize options', () => {
  it('parses auto and on with a pack and a strength percentage; off is nothing', () => {
    expect(parseEnhanceOptions({ ...base, colorize: 'auto', colorizePack: 'ddcolor' }).colorize).toEqual({ mode: 'auto', pack: 'ddcolor' });
    expect(parseEnhanceOptions({ ...base, colorize: 'ON', colorizePack: 'ddcolor', colorizeStrength: '60%' }).colorize).toEqual({ mode: 'on', pack: 'ddcolor', strength: 60 });
    expect(parseEnhanceOptions({ ...base, colorize: 'off' }).colorize).toBeUndefined();
    expect(parseEnhanceOptions(base).colorize).toBeUndefined();
  });

  it('refuses an unknown mode, a mode without a pack, pack or strength without a mode, and a strength out of range', () => {
    expect(() => parseEnhanceOptions({ ...base, colorize: 'always', colorizePack: 'd' })).toThrow(/--colorize must be one of off, auto, on, got "always"/);
    expect(() => parseEnhanceOptions({ ...base, colorize: 'auto' })).toThrow(/--colorize auto needs --colorize-pack ID/);
    expect(() => parseEnhanceOptions({ ...base, colorizePack: 'ddcolor' })).toThrow(/need --colorize auto or on/);
    expect(() => parseEnhanceOptions({ ...base, colorizeStrength: '50' })).toThrow(/need --colorize auto or on/);
    expect(() => parseEnhanceOptions({ ...base, colorize: 'on', colorizePack: 'd', colorizeStrength: '101' })).toThrow(/--colorize-strength must be a percentage from 0 to 100, got "101"/);
  });

  it('keeps the stage in the job (strength as a fraction) and in its key only when on', () => {
    const auto = jobSettingsFromOptions(parseEnhanceOptions({ ...base, colorize: 'auto', colorizePack: 'ddcolor', colorizeStrength: '50' }), undefined);
    const on = jobSettingsFromOptions(parseEnhanceOptions({ ...base, colorize: 'on', colorizePack: 'ddcolor', colorizeStrength: '50' }), undefined);
    const off = jobSettingsFromOptions(parseEnhanceOptions(base), undefined);
    expect(auto).toMatchObject({ colorize: 'auto', colorizePack: 'ddcolor', colorizeStrength: 0.5 });
    expect(off.colorize).toBeUndefined();
    const keys = new Set([auto, on, off].map((s) => settingsKey(s, 'png')));
    expect(keys.size).toBe(3);
    expect(settingsKey({ ...off, colorize: 'off', colorizePack: 'ddcolor' }, 'png')).toBe(settingsKey(off, 'png'));
  });

  it('chains enhance → colour, and enhance → faces → colour with colour last', () => {
    const dir = (id: string) => `/packs/${id}`;
    const on = jobSettingsFromOptions(parseEnhanceOptions({ ...base, colorize: 'on', colorizePack: 'ddcolor', colorizeStrength: '80', tile: '128' }), undefined);
    expect(engineChain(on, dir)).toEqual({
      stages: [
        { stage: 'enhance', modelDir: '/packs/realesrgan-x4fast', tile: 128 },
        { stage: 'colour', modelDir: '/packs/ddcolor', colorize: 'on', colorizeStrength: 0.8 },
      ],
    });
    const both = jobSettingsFromOptions(parseEnhanceOptions({ ...base, faces: 'auto', facePack: 'gfpgan', colorize: 'auto', colorizePack: 'ddcolor' }), undefined);
    expect(engineChain(both, dir).stages!.map((s) => s.stage)).toEqual(['enhance', 'faces', 'colour']);
    expect(engineChain(both, dir).stages![2]).toEqual({ stage: 'colour', modelDir: '/packs/ddcolor', colorize: 'auto' });
  });

  it('crosses the app contract and back unchanged, and stays absent when off or without a pack', () => {
    const on = jobSettingsFromOptions(parseEnhanceOptions({ ...base, colorize: 'auto', colorizePack: 'ddcolor', colorizeStrength: '25' }), undefined);
    expect(fromJobSettings(on)).toMatchObject({ colorize: 'auto', colorizePack: 'ddcolor', colorizeStrength: 0.25 });
    expect(toJobSettings(fromJobSettings(on))).toMatchObject({ colorize: 'auto', colorizePack: 'ddcolor', colorizeStrength: 0.25 });
    const off = fromJobSettings(jobSettingsFromOptions(parseEnhanceOptions(base), undefined));
    expect(off.colorize).toBeUndefined();
    expect(toJobSettings({ ...off, colorize: 'on' }).colorize).toBeUndefined();
  });
});
