/**
 * "Enhance with Revive" in the Linux file managers, installed and removed from the app's settings:
 *
 * - Nautilus (GNOME Files): an executable script in `$XDG_DATA_HOME/nautilus/scripts/` (menu: Scripts ▸ …). Nautilus
 *   runs it in the current folder with the selected names as arguments, so the script passes `--` then `"$@"` and
 *   the app resolves them against the forwarded cwd.
 * - Dolphin (KDE): a service menu in `$XDG_DATA_HOME/kio/servicemenus/`. Plasma 6 only runs service menus whose
 *   file is executable, so it is written 0755. KIO reads `MimeType`/`Actions` from it directly, not `Type`, so it
 *   is written as `Type=Application` — the form `desktop-file-validate` accepts.
 * - Nemo (Cinnamon): an action file in `$XDG_DATA_HOME/nemo/actions/`. Nemo substitutes `%F` shell-escaped and
 *   runs the line through a shell-style parser, so the binary is single-quoted.
 *
 * Each file starts with a marker comment: removal deletes only files carrying it, so a user's own file of the
 * same name is never touched. Only these files are written; folders are created when missing and left in place
 * (they belong to the file manager).
 *
 * Pure Node (fs only); `home` and the environment are parameters so tests run in a temporary HOME.
 */
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const LINUX_FILE_MANAGERS = ['nautilus', 'dolphin', 'nemo'] as const;
export type LinuxFileManager = (typeof LINUX_FILE_MANAGERS)[number];

/** The image types Revive reads; the same list as the `.desktop` entry and electron-builder's associations. */
export const IMAGE_MIME_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/tiff', 'image/avif'] as const;

export const ACTION_LABEL = 'Enhance with Revive';
const MARKER = '# Revive shell integration';

export interface LinuxIntegrationContext {
  /** The user's home folder. */
  home: string;
  /** Only `XDG_DATA_HOME` is read (the file managers look there when it is set). */
  env: Readonly<Record<string, string | undefined>>;
}

export interface LinuxInstallContext extends LinuxIntegrationContext {
  /** Absolute path of the installed binary the actions run (see {@link installedExecutable}). */
  executable: string;
  /** Icon name from the theme or an absolute image path; defaults to `revive` (installed by the .deb). */
  icon?: string;
}

/** One file an action consists of. */
export interface LinuxActionFile {
  manager: LinuxFileManager;
  path: string;
  content: string;
  /** File mode: 0o755 where the file manager requires an executable file. */
  mode: number;
}

/**
 * The binary the actions should run. Inside an AppImage `execPath` points into a temporary mount that vanishes
 * when the app quits; the AppImage runtime puts the image's own path in `APPIMAGE`.
 */
export function installedExecutable(execPath: string, env: Readonly<Record<string, string | undefined>>): string {
  const appImage = env.APPIMAGE;
  if (appImage && path.isAbsolute(appImage)) return appImage;
  return execPath;
}

/** `$XDG_DATA_HOME`, or `~/.local/share` when unset or not absolute (as the XDG spec says to treat it). */
export function dataHome(ctx: LinuxIntegrationContext): string {
  const xdg = ctx.env.XDG_DATA_HOME;
  return xdg && path.isAbsolute(xdg) ? xdg : path.join(ctx.home, '.local', 'share');
}

/** Where each file manager's action lives, whether installed or not. */
export function linuxActionPaths(ctx: LinuxIntegrationContext): Record<LinuxFileManager, string> {
  const data = dataHome(ctx);
  return {
    nautilus: path.join(data, 'nautilus', 'scripts', ACTION_LABEL),
    dolphin: path.join(data, 'kio', 'servicemenus', 'revive-enhance.desktop'),
    nemo: path.join(data, 'nemo', 'actions', 'revive-enhance.nemo_action'),
  };
}

/** The files that {@link installLinuxActions} writes, as data (pure). */
export function linuxActionFiles(ctx: LinuxInstallContext, managers: readonly LinuxFileManager[] = LINUX_FILE_MANAGERS): LinuxActionFile[] {
  checkExecutable(ctx.executable);
  const icon = ctx.icon ?? 'revive';
  const paths = linuxActionPaths(ctx);
  return managers.map((manager) => {
    switch (manager) {
      case 'nautilus':
        return { manager, path: paths.nautilus, mode: 0o755, content: nautilusScript(ctx.executable) };
      case 'dolphin':
        return { manager, path: paths.dolphin, mode: 0o755, content: dolphinServiceMenu(ctx.executable, icon) };
      case 'nemo':
        return { manager, path: paths.nemo, mode: 0o644, content: nemoAction(ctx.executable, icon) };
      default:
        throw new Error(`unknown file manager ${JSON.stringify(manager)}; expected one of ${LINUX_FILE_MANAGERS.join(', ')}`);
    }
  });
}

/**
 * Writes the actions (replacing earlier Revive ones, e.g. after the AppImage moved). Refuses to overwrite a file
 * of the same name that Revive did not write. Returns the paths written.
 */
export async function installLinuxActions(ctx: LinuxInstallContext, managers: readonly LinuxFileManager[] = LINUX_FILE_MANAGERS): Promise<string[]> {
  const files = linuxActionFiles(ctx, managers);
  for (const f of files) {
    const existing = await readIfExists(f.path);
    if (existing !== null && !isOurs(existing)) {
      throw new Error(`refusing to replace ${f.path}: it exists and was not written by Revive`);
    }
  }
  for (const f of files) {
    await mkdir(path.dirname(f.path), { recursive: true });
    // Write beside, then rename: a file manager rescanning its folder never sees a half-written action.
    const tmp = `${f.path}.revive-tmp`;
    try {
      await writeFile(tmp, f.content, { mode: f.mode });
      await chmod(tmp, f.mode); // the umask may have removed bits that Plasma 6 needs
      await rename(tmp, f.path);
    } catch (err) {
      // Nautilus would list a stray executable in its scripts folder as a menu item.
      await rm(tmp, { force: true });
      throw err;
    }
  }
  return files.map((f) => f.path);
}

/** Removes the Revive actions; a same-named file without the marker is kept and reported. */
export async function removeLinuxActions(
  ctx: LinuxIntegrationContext,
  managers: readonly LinuxFileManager[] = LINUX_FILE_MANAGERS,
): Promise<{ removed: string[]; keptForeign: string[] }> {
  const paths = linuxActionPaths(ctx);
  const removed: string[] = [];
  const keptForeign: string[] = [];
  for (const m of managers) {
    const p = paths[m];
    const existing = await readIfExists(p);
    if (existing === null) continue;
    if (!isOurs(existing)) {
      keptForeign.push(p);
      continue;
    }
    await rm(p);
    removed.push(p);
  }
  return { removed, keptForeign };
}

/** Which file managers currently have the Revive action (for the settings page). */
export async function linuxActionsStatus(ctx: LinuxIntegrationContext): Promise<Record<LinuxFileManager, boolean>> {
  const paths = linuxActionPaths(ctx);
  const entries = await Promise.all(
    LINUX_FILE_MANAGERS.map(async (m) => {
      const content = await readIfExists(paths[m]);
      return [m, content !== null && isOurs(content)] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<LinuxFileManager, boolean>;
}

function nautilusScript(executable: string): string {
  return [
    '#!/bin/sh',
    `${MARKER} (nautilus). Installed and removed from Revive's settings.`,
    '# Nautilus runs this in the current folder with the selected names as arguments; "--" keeps a name that',
    '# starts with "-" from being read as an option.',
    `exec ${shellQuote(executable)} --enhance -- "$@"`,
    '',
  ].join('\n');
}

function dolphinServiceMenu(executable: string, icon: string): string {
  const exec = `${desktopExecQuote(executable)} --enhance %F`;
  return [
    `${MARKER} (dolphin). Installed and removed from Revive's settings.`,
    '[Desktop Entry]',
    'Type=Application',
    'Name=Revive',
    `Exec=${exec}`,
    `Icon=${desktopString(icon)}`,
    `MimeType=${IMAGE_MIME_TYPES.join(';')};`,
    'Actions=enhance;',
    'X-KDE-Priority=TopLevel',
    '',
    '[Desktop Action enhance]',
    `Name=${ACTION_LABEL}`,
    `Icon=${desktopString(icon)}`,
    `Exec=${exec}`,
    '',
  ].join('\n');
}

function nemoAction(executable: string, icon: string): string {
  return [
    `${MARKER} (nemo). Installed and removed from Revive's settings.`,
    '[Nemo Action]',
    `Name=${ACTION_LABEL}`,
    'Comment=Restore and upscale the selected photos with Revive',
    // GKeyFile unescapes `\\`; the shell-style parser Nemo runs the line through then reads the single quotes.
    `Exec=${shellQuote(executable).replace(/\\/g, '\\\\')} --enhance %F`,
    `Icon-Name=${desktopString(icon)}`,
    'Selection=notnone',
    `Mimetypes=${IMAGE_MIME_TYPES.join(';')};`,
    '',
  ].join('\n');
}

/** The executable must be absolute and free of what no launcher line can carry safely. */
function checkExecutable(executable: string): void {
  if (!path.isAbsolute(executable)) throw new Error(`executable must be an absolute path, got ${JSON.stringify(executable)}`);
  // Control characters cannot be written in a key file line; `%` would be read as a field code by every launcher.
  if ([...executable].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f || c === '%')) {
    throw new Error(`executable path ${JSON.stringify(executable)} contains a control character or "%", which launchers cannot run`);
  }
}

/** POSIX shell single-quoting: `'…'`, with `'` written as `'\''`. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Quotes one Exec argument per the Desktop Entry spec: double quotes when it holds a reserved character, with
 * `"`, `` ` ``, `$` and `\` backslash-escaped inside; then the string-value escape doubles every backslash again.
 */
export function desktopExecQuote(arg: string): string {
  const needsQuotes = /[\s"'\\><~|&;$*?#()`]/.test(arg);
  const quoted = needsQuotes ? `"${arg.replace(/(["`$\\])/g, '\\$1')}"` : arg;
  return quoted.replace(/\\/g, '\\\\');
}

/** A key-file string value: backslashes escaped. */
function desktopString(s: string): string {
  return s.replace(/\\/g, '\\\\');
}

function isOurs(content: string): boolean {
  return content.split('\n', 3).some((line) => line.startsWith(MARKER));
}

async function readIfExists(p: string): Promise<string | null> {
  try {
    return await readFile(p, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
