/** User settings: schema, defaults and migrations (conf here; the desktop shell wraps the same schema). */
export { SettingsStore, SETTINGS_MIGRATIONS, type SettingsMigrations, type SettingsOptions } from './settings-store';
export {
  SettingsSchema,
  EnhanceDefaultsSchema,
  defaultSettings,
  settingsJsonSchema,
  SETTINGS_VERSION,
  DEFAULT_MODEL,
  type Settings,
  type SettingsPatch,
} from './schema';
