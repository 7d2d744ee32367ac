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
import { resolveShellPaths, type PathContext, type RejectedArg } from '../jobs/shell-paths';

export type { PathContext, RejectedArg };

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

export interface ParseAppArgvOptions extends PathContext {
  /**
   * How many leading positional arguments belong to the launcher, not the user: 1 for a packaged app (the
   * executable), 2 when Electron runs an app folder (`electron <app> …`, where Electron sets `process.defaultApp`).
   */
  launcherArgs: 1 | 2;
}

const ENHANCE_SWITCH = 'enhance';

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

/** `--name=value`, `--name`, `-name` → the lower-cased name and value; anything else is not a switch. */
function readSwitch(arg: string): { name: string; value: string | true } | null {
  const m = /^--?([^-=][^=]*)(?:=([\s\S]*))?$/.exec(arg);
  if (!m) return null;
  const name = m[1]!.toLowerCase();
  return { name, value: m[2] ?? true };
}
