/**
 * The app's own command line — `Revive --enhance <files…>` — read from whatever argv reaches us: the first
 * instance's `process.argv`, or the argv a second launch forwards through Electron's `second-instance` event.
 *
 * Pure: no file-system access, no `process` reads (cwd and platform are parameters), so every shell quirk below is
 * a unit test. The CLI (`revive enhance …`) uses {@link resolveShellPaths} for its file arguments, so a path means
 * the same thing whichever way it arrives.
 *
 * Quirks this has to survive, and why:
 * - Chromium adds switches of its own (`--allow-file-access-from-files`, `--original-process-start-time=…`, …) and,
 *   when it rebuilds a second instance's command line, puts every switch before every positional argument. So
 *   `Revive a.jpg --enhance b.jpg` may arrive as `Revive --enhance a.jpg b.jpg`: `--enhance` is therefore a mode,
 *   not a switch that takes the next argument, and unknown switches are never mistaken for files.
 * - When Electron runs an unpacked app (`electron . --enhance x.jpg`) the app folder is a positional argument too.
 * - Windows: Explorer passes `"%1"` as one argument even with spaces; a misconfigured verb may leave literal quotes
 *   around it, an unexpanded `%1`, or — the `\"` rule of CommandLineToArgvW — turn `"D:\"` into `D:"`.
 * - Linux file managers may pass `file://` URIs (`%U`) instead of paths (`%F`).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the command line asks for. Paths are absolute and in the order given, each once. */
export interface AppCommandLine {
  /** Files and folders to restore with the default settings (`--enhance`). */
  enhance: string[];
  /** Files given without `--enhance` (an "Open with Revive" file association): shown, not started. */
  open: string[];
  /**
   * Every other switch, name lower-cased without its dashes, value or `true`. Chromium's and Electron's own switches
   * land here too; the app reads only the ones it knows.
   */
  switches: Record<string, string | true>;
  /** Arguments that could not be a path, with the reason — for the log, never silently dropped. */
  rejected: RejectedArg[];
}

export interface RejectedArg {
  arg: string;
  reason: string;
}

/** How paths are read: the platform decides path rules (Windows drive letters, `\`) and the quoting repairs. */
export interface PathContext {
  /** Directory relative paths are resolved against: the launching process's cwd (Nautilus passes bare names). */
  cwd: string;
  /** Defaults to `process.platform` only in the callers; here it is required so tests can be any platform. */
  platform: NodeJS.Platform;
}

export interface ParseAppArgvOptions extends PathContext {
  /**
   * How many leading positional arguments belong to the launcher, not the user: 1 for a packaged app (the
   * executable), 2 when Electron runs an app folder (`electron <app> …`, where Electron sets `process.defaultApp`).
   */
  launcherArgs: 1 | 2;
}

const ENHANCE_SWITCH = 'enhance';
/** An unexpanded shell placeholder: `%1`, `%L`, `%*` (Explorer verbs), `%F`, `%U` (desktop entries). */
const PLACEHOLDER = /^%[0-9A-Za-z*]$/;

/**
 * Parses an argv (including the executable in argv[0]) into what the app should do.
 *
 * @example parseAppArgv(['C:\\Revive\\Revive.exe', '--enhance', 'C:\\My Photos\\a.jpg'], { cwd: 'C:\\', platform: 'win32', launcherArgs: 1 })
 *   → { enhance: ['C:\\My Photos\\a.jpg'], open: [], switches: {}, rejected: [] }
 */
export function parseAppArgv(argv: readonly string[], options: ParseAppArgvOptions): AppCommandLine {
  if (argv.length === 0) throw new Error('argv is empty: expected at least the executable path in argv[0]');
  const switches: Record<string, string | true> = {};
  const positional: string[] = [];
  let enhanceMode = false;
  let launcherLeft = options.launcherArgs;
  let switchesEnded = false;

  for (const arg of argv) {
    if (!switchesEnded && arg === '--') {
      switchesEnded = true;
      continue;
    }
    const sw = switchesEnded ? null : readSwitch(arg);
    if (sw) {
      if (sw.name === ENHANCE_SWITCH) {
        enhanceMode = true;
        // `--enhance=<file>`: Chromium keeps a switch's value attached, so accept a file there too.
        if (sw.value !== true) positional.push(sw.value);
      } else {
        switches[sw.name] = sw.value;
      }
      continue;
    }
    if (launcherLeft > 0) {
      launcherLeft--;
      continue;
    }
    positional.push(arg);
  }

  const { paths, rejected } = resolveShellPaths(positional, options);
  return { enhance: enhanceMode ? paths : [], open: enhanceMode ? [] : paths, switches, rejected };
}

/**
 * Turns path arguments from a shell, a file manager or the CLI into absolute paths: repairs Windows quoting
 * artefacts, converts `file://` URIs, resolves against `cwd`, drops repeats (case-insensitively on Windows, where
 * the file system is) and rejects what cannot be a path (empty, unexpanded `%1`/`%F`, NUL bytes, `-` for stdin).
 */
export function resolveShellPaths(args: readonly string[], context: PathContext): { paths: string[]; rejected: RejectedArg[] } {
  const paths: string[] = [];
  const rejected: RejectedArg[] = [];
  const seen = new Set<string>();
  const win = context.platform === 'win32';
  for (const arg of args) {
    const result = resolveShellPath(arg, context);
    if ('reason' in result) {
      rejected.push({ arg, reason: result.reason });
      continue;
    }
    const key = win ? result.path.toLowerCase() : result.path;
    if (seen.has(key)) continue;
    seen.add(key);
    paths.push(result.path);
  }
  return { paths, rejected };
}

/** One argument → an absolute path, or the reason it is not one. */
export function resolveShellPath(arg: string, context: PathContext): { path: string } | { reason: string } {
  const win = context.platform === 'win32';
  const p = win ? path.win32 : path.posix;
  let s = arg;
  // Literal quotes survive when a verb quotes twice (`""%1""`) or a script re-quotes: one enclosing pair goes.
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1);
  // CommandLineToArgvW reads `\"` as an escaped quote, so `"D:\"` (a drive, or any folder ending in `\`) arrives
  // as `D:"`. Windows names cannot contain `"`, so a trailing one can only be that artefact.
  if (win && s.endsWith('"') && !s.slice(0, -1).includes('"')) s = `${s.slice(0, -1)}\\`;
  if (s.trim() === '') return { reason: 'empty argument' };
  if (s.includes('\0')) return { reason: 'contains a NUL byte' };
  if (PLACEHOLDER.test(s)) return { reason: `unexpanded shell placeholder ${s}: the launcher did not substitute the file` };
  if (s === '-') return { reason: 'reading a file list from standard input is not supported' };
  if (/^file:/i.test(s)) {
    try {
      s = fileURLToPath(s, { windows: win });
    } catch (err) {
      return { reason: `not a local file URL: ${(err as Error).message}` };
    }
  }
  if (!p.isAbsolute(context.cwd)) throw new Error(`cwd must be an absolute ${context.platform} path, got ${JSON.stringify(context.cwd)}`);
  let resolved = p.resolve(context.cwd, s);
  // resolve() keeps the root's separator but drops any other trailing one; keep paths comparable.
  if (resolved.length > p.parse(resolved).root.length) resolved = resolved.replace(/[\\/]+$/, '');
  return { path: resolved };
}

/** `--name=value`, `--name`, `-name` → the lower-cased name and value; anything else is not a switch. */
function readSwitch(arg: string): { name: string; value: string | true } | null {
  const m = /^--?([^-=][^=]*)(?:=([\s\S]*))?$/.exec(arg);
  if (!m) return null;
  const name = m[1]!.toLowerCase();
  return { name, value: m[2] ?? true };
}
