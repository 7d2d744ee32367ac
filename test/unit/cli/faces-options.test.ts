/**
 * The faces options from the command line to the job and the engine chain: parsed and checked, kept in the job's
 * settings (and its settings key only when on), and turned into an enhance → faces chain with the embedded detector.
 */
import { describe, expect, it } from 'vitest';
import { jobSettingsFromOptions } from '../../../src-main/cli/enhance-command';
import { parseEnhanceOptions, type RawEnhanceOptions } from '../../../src-main/cli/options';
import { fromJobSettings, toJobSettings } from '../../../src-main/core/contract-mapping';
import { engineChain } from '../../../src-main/jobs/engine-chain';
import { settingsKey } from '../../../src-main/settings/job-settings';

const base: RawEnhanceOptions = { model: 'realesrgan-x4fast', scale: '4', format: 'same', suffix: '_revive', device: 'cpu' };

describe('--faces options', () => {
  it('parses --faces auto with a pack and a fidelity percentage', () => {
    expect(parseEnhanceOptions({ ...base, faces: 'auto', facePack: 'gfpgan', faceFidelity: '70%' }).faces).toEqual({ pack: 'gfpgan', fidelity: 70 });
    expect(parseEnhanceOptions({ ...base, faces: 'off' }).faces).toBeUndefined();
  });

  it('refuses a mode it does not know, auto without a pack, face options without auto, and a fidelity out of range', () => {
    expect(() => parseEnhanceOptions({ ...base, faces: 'always' })).toThrow(/--faces/);
    expect(() => parseEnhanceOptions({ ...base, faces: 'auto' })).toThrow(/--faces auto needs --face-pack ID/);
    expect(() => parseEnhanceOptions({ ...base, facePack: 'gfpgan' })).toThrow(/need --faces auto/);
    expect(() => parseEnhanceOptions({ ...base, faces: 'auto', facePack: 'g', faceFidelity: '120' })).toThrow(/--face-fidelity must be a percentage from 0 to 100/);
  });

  it('keeps faces in the job (fidelity as a fraction) and in its key only when on', () => {
    const on = jobSettingsFromOptions(parseEnhanceOptions({ ...base, faces: 'auto', facePack: 'gfpgan', faceFidelity: '50' }), undefined);
    const off = jobSettingsFromOptions(parseEnhanceOptions(base), undefined);
    expect(on).toMatchObject({ faces: 'auto', facePack: 'gfpgan', faceFidelity: 0.5 });
    expect(off.faces).toBeUndefined();
    expect(settingsKey(on, 'png')).not.toBe(settingsKey(off, 'png'));
    expect(settingsKey({ ...off, faces: 'off' }, 'png')).toBe(settingsKey(off, 'png'));
  });

  it('chains enhance → faces with the embedded detector, and a single stage when off', () => {
    const dir = (id: string) => `/packs/${id}`;
    const on = jobSettingsFromOptions(parseEnhanceOptions({ ...base, faces: 'auto', facePack: 'gfpgan', faceFidelity: '50', tile: '128' }), undefined);
    expect(engineChain(on, dir)).toEqual({
      stages: [
        { stage: 'enhance', modelDir: '/packs/realesrgan-x4fast', tile: 128 },
        { stage: 'faces', modelDir: '/packs/gfpgan', detectorDir: '/packs/blazeface-full', faceFidelity: 0.5 },
      ],
    });
    expect(engineChain(jobSettingsFromOptions(parseEnhanceOptions(base), undefined), dir)).toMatchObject({ modelDir: '/packs/realesrgan-x4fast' });
  });

  it('crosses the app contract and back unchanged, and stays absent when off', () => {
    const on = jobSettingsFromOptions(parseEnhanceOptions({ ...base, faces: 'auto', facePack: 'gfpgan', faceFidelity: '25' }), undefined);
    expect(fromJobSettings(on)).toMatchObject({ faces: 'auto', facePack: 'gfpgan', faceFidelity: 0.25 });
    expect(toJobSettings(fromJobSettings(on))).toMatchObject({ faces: 'auto', facePack: 'gfpgan', faceFidelity: 0.25 });
    const off = fromJobSettings(jobSettingsFromOptions(parseEnhanceOptions(base), undefined));
    expect(off.faces).toBeUndefined();
    expect(toJobSettings({ ...off, faces: 'auto' }).faces).toBeUndefined(); // auto without a pack is off
  });
});
