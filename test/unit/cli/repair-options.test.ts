import { describe, expect, it } from 'vitest';
import { parseEnhanceOptions, type RawEnhanceOptions } from '../../../src-main/cli/options';
import { repairStageOf } from '../../../src-main/jobs/repair-stage';
import { parseJobSettings, settingsKey } from '../../../src-main/settings/job-settings';

const base: RawEnhanceOptions = { model: 'realesrgan-x4fast', scale: '4', format: 'same', suffix: '_revive', device: 'auto' };

describe('repair options on the command line', () => {
  it('reads --repair auto --repair-sensitivity N --colour restore --mask FILE', () => {
    const o = parseEnhanceOptions({ ...base, repair: 'auto', repairSensitivity: '70', colour: 'restore', colourStrength: '80', mask: 'm.png' });
    expect(o.repair).toMatchObject({ mode: 'auto', sensitivity: 70, colour: 'restore', strength: 0.8, dust: true, scratches: true });
    expect(o.repair?.mask).toBe(`${process.cwd()}/m.png`);
  });

  it('reads --inpaint-pack with the repair options (resolved when the batch is queued)', () => {
    expect(parseEnhanceOptions({ ...base, repair: 'auto', inpaintPack: 'lama-512' }).repair?.inpaintPack).toBe('lama-512');
    expect(parseEnhanceOptions({ ...base, repair: 'auto' }).repair?.inpaintPack).toBeUndefined();
  });

  it('carries no repair when none is asked for', () => {
    expect(parseEnhanceOptions(base).repair).toBeUndefined();
  });

  it.each([
    [{ repair: 'maybe' }, /--repair must be one of off, auto/],
    [{ repair: 'auto', repairSensitivity: '120' }, /--repair-sensitivity must be a number from 0 to 100/],
    [{ repairSensitivity: '50', repair: 'off' }, /--repair-sensitivity needs --repair auto/],
    [{ colourStrength: '50' }, /--colour-strength needs --colour restore/],
    [{ inpaintPack: 'lama' }, /--inpaint-pack needs --repair auto or --mask FILE/],
  ])('refuses %o', (extra, message) => {
    expect(() => parseEnhanceOptions({ ...base, ...extra })).toThrow(message);
  });
});

describe('repair in the job settings', () => {
  const plain = parseJobSettings({ model: 'm', scale: 4, format: 'png' });

  it('changes the result key only when a repair runs', () => {
    const off = parseJobSettings({ ...plain, repair: { mode: 'off' } });
    const on = parseJobSettings({ ...plain, repair: { mode: 'auto' } });
    const stronger = parseJobSettings({ ...plain, repair: { mode: 'auto', sensitivity: 80 } });
    expect(settingsKey(off, 'png')).toBe(settingsKey(plain, 'png'));
    expect(settingsKey(on, 'png')).not.toBe(settingsKey(plain, 'png'));
    expect(settingsKey(stronger, 'png')).not.toBe(settingsKey(on, 'png'));
  });

  it('becomes a repair stage before the enhance stage', () => {
    const dirOf = (id: string): string => `/packs/${id}`;
    expect(repairStageOf(plain, dirOf)).toBeUndefined();
    const s = parseJobSettings({ ...plain, repair: { mode: 'off', colour: 'restore', mask: '/m.png' } });
    expect(repairStageOf(s, dirOf)).toEqual({ stage: 'repair', repair: { mode: 'off', dust: true, scratches: true, sensitivity: 50, colour: 'restore', strength: 1 }, mask: '/m.png' });
  });

  it("runs the repair stage on the job's inpainting pack, and pack-less for none or for jobs queued before packs", () => {
    const dirOf = (id: string): string => `/packs/${id}`;
    const withPack = parseJobSettings({ ...plain, repair: { mode: 'auto', inpaintPack: 'lama-512' } });
    expect(repairStageOf(withPack, dirOf)).toMatchObject({ stage: 'repair', modelDir: '/packs/lama-512' });
    expect(repairStageOf(withPack, dirOf)?.repair).not.toHaveProperty('inpaintPack');
    for (const inpaintPack of ['none', undefined]) {
      const s = parseJobSettings({ ...plain, repair: { mode: 'auto', ...(inpaintPack ? { inpaintPack } : {}) } });
      expect(repairStageOf(s, dirOf)).not.toHaveProperty('modelDir');
    }
    // The pack changes the result, so it is part of the result's key.
    expect(settingsKey(withPack, 'png')).not.toBe(settingsKey(parseJobSettings({ ...plain, repair: { mode: 'auto', inpaintPack: 'none' } }), 'png'));
  });
});
