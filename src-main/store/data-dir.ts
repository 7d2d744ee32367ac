/**
 * The per-user data folder: the queue and history database (`revive.db`), thumbnails, settings and installed model
 * packs. Linux `$XDG_DATA_HOME/revive` (default ~/.local/share/revive), macOS ~/Library/Application Support/Revive,
 * Windows %APPDATA%\Revive. `REVIVE_DATA_DIR` overrides it (tests, portable installs); `--data-dir` overrides both.
 *
 * The desktop app, `revive serve` and the CLI share this one folder on purpose: a batch started with
 * `revive enhance` shows in the app's history, a batch the app was running when it was killed continues with
 * `revive resume`, and a pack installed once serves all three. The Electron shell points its `userData` here
 * (src-main/app/main.ts) instead of Electron's own default; the queue lock in the database keeps two of them from
 * running the queue at the same time.
 */
import os from 'node:os';
import path from 'node:path';

export interface DataDirEnvironment {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  home: string;
}

/** The user data folder for an environment (pure; the default reads this process's). */
export function defaultDataDir(
  e: DataDirEnvironment = { platform: process.platform, env: process.env, home: os.homedir() },
): string {
  if (e.env.REVIVE_DATA_DIR) return e.env.REVIVE_DATA_DIR;
  switch (e.platform) {
    case 'win32':
      return path.win32.join(e.env.APPDATA ?? path.win32.join(e.home, 'AppData', 'Roaming'), 'Revive');
    case 'darwin':
      return path.posix.join(e.home, 'Library', 'Application Support', 'Revive');
    default:
      return path.posix.join(e.env.XDG_DATA_HOME || path.posix.join(e.home, '.local', 'share'), 'revive');
  }
}

/** Where installed model packs live inside a data folder. */
export function modelsDirIn(dataDir: string): string {
  return path.join(dataDir, 'models');
}
