/**
 * The per-user data folder (installed model packs, later the library), as the desktop app uses it:
 * Linux `$XDG_DATA_HOME/revive` (default ~/.local/share/revive), macOS ~/Library/Application Support/Revive,
 * Windows %APPDATA%\Revive. `REVIVE_DATA_DIR` overrides it (tests, portable installs).
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
