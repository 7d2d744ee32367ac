/** Issue 15: the "Old photo" preset runs the repair stage (detection + colour restore); the other presets turn it off. */
import { describe, expect, it } from 'vitest';
import type { ModelInfo, RestoreSettings } from '../../src-preload/contract';
import { toJobSettings } from '../../src-main/core/contract-mapping';
import { repairStageOf } from '../../src-main/jobs/repair-stage';
import { parseJobSettings } from '../../src-main/settings/job-settings';
import { PRESETS, presetSettings } from '../../src-renderer/src/features/start/presets';
import { SETTINGS } from './fake-api';

const MODELS = [
  { id: 'realesrgan-x4plus', kind: 'pixel-sr' },
  { id: 'realesrgan-x4fast', kind: 'pixel-sr' },
] as ModelInfo[];

/** The job settings a preset produces over the current ones, as the core reads them. */
function jobOf(id: string, current: RestoreSettings = SETTINGS) {
  const patch = presetSettings(PRESETS.find((p) => p.id === id)!, MODELS);
  return parseJobSettings(toJobSettings({ ...current, ...patch }));
}

describe('presets and the repair stage', () => {
  it('"Old photo" turns on repair: dust and scratches found automatically, colour restored', () => {
    const job = jobOf('old-photo');
    expect(job.repair).toMatchObject({ mode: 'auto', dust: true, scratches: true, colour: 'restore', strength: 1 });
    expect(repairStageOf(job, (id) => `/packs/${id}`)).toMatchObject({ stage: 'repair', repair: { mode: 'auto', colour: 'restore' } });
  });

  it('the other presets leave repair off, even right after "Old photo" turned it on', () => {
    const afterOldPhoto = { ...SETTINGS, ...presetSettings(PRESETS[0]!, MODELS) } as RestoreSettings;
    for (const id of ['sharpen', 'faithful']) {
      expect(repairStageOf(jobOf(id), (p) => p), id).toBeUndefined();
      expect(repairStageOf(jobOf(id, afterOldPhoto), (p) => p), id).toBeUndefined();
    }
    expect(presetSettings(PRESETS.find((p) => p.id === 'custom')!, MODELS)).toBeNull();
  });
});
