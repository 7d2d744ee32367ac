/**
 * Default values the command line needs before anything else loads: plain constants, no schema, so `revive --help`
 * can show them without loading zod (settings/schema.ts builds the settings defaults from these).
 */

/** The model a fresh install uses: the compact Real-ESRGAN pack that ships with the app. */
export const DEFAULT_MODEL = 'realesrgan-x4fast';
