/**
 * The user's settings: one zod schema is the source of truth. It gives the TypeScript type, the defaults, the
 * validation with messages naming the field, and (through z.toJSONSchema) the JSON Schema that `conf` here and
 * `electron-store` in the desktop shell enforce on every write — the same rules in both places.
 */
import { z } from 'zod';
import { JobSettingsSchema } from './job-settings';
import { DEFAULT_NAME_PATTERN } from './name-pattern';

/** Settings format version (conf's projectVersion): bump it and add a migration when the shape changes. */
export const SETTINGS_VERSION = '1.1.0';

import { DEFAULT_MODEL } from './defaults';

export { DEFAULT_MODEL };

/** Defaults for new batches: a job's settings snapshot is taken from these plus what the user changes for it. */
export const EnhanceDefaultsSchema = JobSettingsSchema.extend({
  model: JobSettingsSchema.shape.model.default(DEFAULT_MODEL),
  scale: JobSettingsSchema.shape.scale.default(4),
  format: JobSettingsSchema.shape.format.default('same'),
  /** New batches' file names: `{name}_{model}_{scale}x` unless the user chooses another pattern. */
  namePattern: JobSettingsSchema.shape.namePattern.unwrap().default(DEFAULT_NAME_PATTERN),
});

export const SettingsSchema = z.object({
  enhance: EnhanceDefaultsSchema.prefault({}),
  queue: z
    .object({
      /** Adding a folder includes its subfolders. */
      recursive: z.boolean().default(true),
      /** Skip photos that already have a result with the same settings (content hash + settings). */
      skipDone: z.boolean().default(true),
      /** Check free disk space before a batch. */
      checkSpace: z.boolean().default(true),
      /** Photos with more megapixels than this are refused from their header (a guard against decompression bombs). */
      maxInputMegapixels: z.number().positive().max(10_000).default(200),
    })
    .prefault({}),
  library: z
    .object({
      thumbnails: z.boolean().default(true),
      /** Longest side of a thumbnail, pixels. */
      thumbnailSize: z.number().int().min(64).max(1024).default(256),
    })
    .prefault({}),
  appearance: z
    .object({
      theme: z.enum(['system', 'light', 'dark']).default('system'),
    })
    .prefault({}),
});

export type Settings = z.infer<typeof SettingsSchema>;
/** A partial update: any section, any subset of its fields. */
export type SettingsPatch = { [K in keyof Settings]?: Partial<Settings[K]> };

/** Every default, as a complete settings object. */
export function defaultSettings(): Settings {
  return SettingsSchema.parse({});
}

/** JSON Schema of the settings (draft 2020-12), for conf and electron-store. */
export function settingsJsonSchema(): { properties: Record<string, unknown> } {
  const js = z.toJSONSchema(SettingsSchema, { io: 'input' }) as { properties?: Record<string, unknown> };
  if (!js.properties) throw new Error('the settings schema did not convert to a JSON Schema object');
  return { properties: js.properties };
}
