/**
 * The desktop shell's own settings — where its window was, which folders its dialogs last opened, whether the user
 * wants the file-manager actions — on the same mechanism as the user's settings (schema.ts): one zod schema gives
 * the type, the defaults, the validation naming the field, and the JSON Schema the store enforces on every write.
 *
 * Plain Node on purpose: the shell stores these with electron-store (src-main/app/shell-settings.ts), and this
 * module, its tests and any tool reading the file need no Electron. They live in `shell.json` beside
 * `settings.json`: they describe this machine's shell, not how photos are restored, so `revive serve` and the CLI
 * neither read nor reset them.
 */
import { z } from 'zod';
// The project's zod-issue formatter ("field: reason; …"); no second one here.
import { describeIssues } from '../pixels/zod-issues';

/** The store's file name, without `.json`. */
export const SHELL_SETTINGS_NAME = 'shell';

/** The smallest window the interface lays out in; a saved size below it is raised to it. */
export const MIN_WINDOW = { width: 400, height: 300 } as const;

/** The window's last size and place (its normal bounds, even when it was closed maximized). */
export const WindowBoundsSchema = z.object({
  x: z.number(),
  y: z.number(),
  width: z.number().positive(),
  height: z.number().positive(),
  maximized: z.boolean(),
});

export type WindowBounds = z.infer<typeof WindowBoundsSchema>;

/** Which of the app's file dialogs a remembered folder belongs to. */
export const DIALOG_KINDS = ['addPhotos', 'addFolder'] as const;
export type DialogKind = (typeof DIALOG_KINDS)[number];

export const ShellSettingsSchema = z.object({
  /** null until the window has been closed once. */
  window: WindowBoundsSchema.nullable().default(null),
  /** The folder each dialog opened in last time (null: the system's choice). */
  lastFolders: z
    .object({
      addPhotos: z.string().min(1).nullable().default(null),
      addFolder: z.string().min(1).nullable().default(null),
    })
    .prefault({}),
  shellIntegration: z
    .object({
      /**
       * Whether the user wants "Enhance with Revive" in their file manager (docs/shell-integration.md): nothing is
       * installed until they say yes, and a "no" is not asked again.
       */
      choice: z.enum(['undecided', 'enabled', 'disabled']).default('undecided'),
      /** Whether photos handed over by the file manager first show the size-and-time sheet (app/handoff-sheet.ts). */
      confirmHandoff: z.boolean().default(true),
    })
    .prefault({}),
});

export type ShellSettings = z.infer<typeof ShellSettingsSchema>;
/** A partial update: any section (the window as a whole), any subset of a section's fields. */
export type ShellSettingsPatch = {
  window?: WindowBounds | null;
  lastFolders?: Partial<ShellSettings['lastFolders']>;
  shellIntegration?: Partial<ShellSettings['shellIntegration']>;
};

/** Every default, as a complete shell-settings object. */
export function defaultShellSettings(): ShellSettings {
  return ShellSettingsSchema.parse({});
}

/** JSON Schema of the shell settings' top-level properties (draft 2020-12), for electron-store / conf. */
export function shellSettingsJsonSchema(): Record<string, unknown> {
  const js = z.toJSONSchema(ShellSettingsSchema, { io: 'input' }) as { properties?: Record<string, unknown> };
  if (!js.properties) throw new Error('the shell settings schema did not convert to a JSON Schema object');
  return js.properties;
}

/**
 * Parses what a store holds: fills fields added since it was written, drops the store's own bookkeeping key, and
 * throws naming each wrong field (`where` says which file).
 */
export function parseShellSettings(value: unknown, where: string): ShellSettings {
  const { __internal__: _internal, ...rest } = (value ?? {}) as Record<string, unknown>;
  const r = ShellSettingsSchema.safeParse(rest);
  if (!r.success) throw new Error(`invalid shell settings in ${where} — ${describeIssues(r.error)}`);
  return r.data;
}

/** The settings with a patch applied, validated as a whole; throws naming each wrong field and changes nothing. */
export function patchShellSettings(current: ShellSettings, patch: ShellSettingsPatch, where: string): ShellSettings {
  const merged: Record<string, unknown> = { ...current };
  for (const [section, values] of Object.entries(patch)) {
    if (!(section in current)) throw new Error(`unknown shell settings section ${JSON.stringify(section)}`);
    merged[section] =
      section === 'window' || values === null ? values : { ...(current as Record<string, object>)[section], ...(values as object) };
  }
  return parseShellSettings(merged, where);
}
