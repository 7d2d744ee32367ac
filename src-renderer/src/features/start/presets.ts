/**
 * The start screen's presets, in words a person understands: each sets the model, the scale and the options from
 * the packs installed. One declarative table: a preset is a row, and the restoration stages that land later (repair
 * of scratches, faces, colour) join "Old photo" by adding their stage to its `stages` list.
 */
import type { ModelInfo, RestoreSettings } from '../../../../src-preload/contract';

export type PresetId = 'old-photo' | 'sharpen' | 'faithful' | 'custom';

export interface Preset {
  id: PresetId;
  label: string;
  /** One sentence: what it is for. */
  description: string;
  /** Models to use, best first: a pack id, or a kind (any pack of that kind). Empty: the preset changes nothing. */
  models: readonly (string | { kind: ModelInfo['kind'] })[];
  scale: RestoreSettings['scale'] | null;
  /** Other settings the preset fixes. */
  options: Partial<RestoreSettings>;
  /**
   * Restoration stages the preset runs besides the model (table.ts, keyed by pack kind). The repair, face and colour
   * stages join "Old photo" here as their issues land.
   */
  stages: readonly string[];
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'old-photo',
    label: 'Old photo',
    description: 'Scans of prints and faded photos: the strongest clean-up, enlarged 2×.',
    models: [{ kind: 'onestep-diffusion' }, 'realesrgan-x4plus', { kind: 'pixel-sr' }],
    scale: 2,
    options: { colorFix: 'adain', strength: 1 },
    stages: ['repair'],
  },
  {
    id: 'sharpen',
    label: 'Sharpen & enlarge',
    description: 'Small or soft pictures made crisp and four times larger.',
    models: ['realesrgan-x4plus', 'realesrgan-x4fast', { kind: 'pixel-sr' }],
    scale: 4,
    options: {},
    stages: [],
  },
  {
    id: 'faithful',
    label: 'Faithful',
    description: 'A gentle, quick clean-up that stays closest to the original, enlarged 2×.',
    models: ['realesrgan-x4fast', { kind: 'pixel-sr' }],
    scale: 2,
    options: {},
    stages: [],
  },
  { id: 'custom', label: 'Custom', description: 'Choose the model and every option yourself.', models: [], scale: null, options: {}, stages: [] },
];

type Repair = NonNullable<RestoreSettings['repair']>;
/** The repair stage as a preset with `repair` in its stages runs it: dust and scratches found and filled, colour restored. */
export const PRESET_REPAIR: Repair = { mode: 'auto', dust: true, scratches: true, sensitivity: 50, colour: 'restore', strength: 1 };
/**
 * The other presets turn repair off explicitly: a left-out key would not cross to the core, and the repair "Old photo"
 * turned on would stay on.
 */
export const REPAIR_OFF: Repair = { ...PRESET_REPAIR, mode: 'off', colour: 'off' };

/** The first installed model a preset names; undefined when none is installed (the preset is then unavailable). */
export function presetModel(preset: Preset, models: readonly ModelInfo[]): ModelInfo | undefined {
  for (const want of preset.models) {
    const m = typeof want === 'string' ? models.find((x) => x.id === want) : models.find((x) => x.kind === want.kind);
    if (m) return m;
  }
  return undefined;
}

/** The settings a preset sets with the installed `models`; null for Custom or when it has no model here. */
export function presetSettings(preset: Preset, models: readonly ModelInfo[]): Partial<RestoreSettings> | null {
  const model = presetModel(preset, models);
  if (!model || preset.scale === null) return null;
  return { modelId: model.id, scale: preset.scale, ...preset.options, repair: preset.stages.includes('repair') ? PRESET_REPAIR : REPAIR_OFF };
}

/** Which preset the settings are: the first whose model and scale they match, else Custom. */
export function activePreset(settings: Pick<RestoreSettings, 'modelId' | 'scale'>, models: readonly ModelInfo[]): PresetId {
  for (const p of PRESETS) {
    const s = presetSettings(p, models);
    if (s && s.modelId === settings.modelId && s.scale === settings.scale) return p.id;
  }
  return 'custom';
}
