/**
 * Electron glue for the shell hand-off: one Revive per user, later launches forward their files to it, and macOS
 * `open-file` events are buffered until the app can take them. The logic lives in plain modules (app/argv.ts,
 * launch-data.ts, open-files.ts, handoff.ts); this file only wires them to `app`. It owns no lifecycle: main.ts
 * decides when to quit, which window to show and what to do with the files.
 */
import type { App } from 'electron';
import { parseAppArgv, type AppCommandLine } from './argv';
import { commandLineOfSecondInstance, launchDataOf } from './launch-data';
import { OpenFileQueue } from './open-files';

/**
 * Takes the single-instance lock, forwarding this launch's argv as `additionalData`.
 *
 * @returns this launch's own command line when it is the primary instance; `null` when another instance holds
 *   the lock (the files have been handed to it: the caller should `app.quit()`).
 * @param onSecondLaunch called in the primary instance for every later launch (after `ready`), with its parsed
 *   command line — typically: show the window, then enqueue `cmd.enhance` through the hand-off.
 */
export function installSingleInstance(app: App, onSecondLaunch: (cmd: AppCommandLine) => void): AppCommandLine | null {
  const defaultApp = process.defaultApp === true;
  const platform = process.platform;
  const primary = app.requestSingleInstanceLock(launchDataOf(process.argv, process.cwd(), defaultApp));
  if (!primary) return null;
  app.on('second-instance', (_event, argv, workingDirectory, additionalData) => {
    onSecondLaunch(commandLineOfSecondInstance({ argv, workingDirectory, additionalData }, { defaultApp, platform }));
  });
  return parseAppArgv(process.argv, { cwd: process.cwd(), platform, launcherArgs: defaultApp ? 2 : 1 });
}

/**
 * Listens for macOS `open-file` (Finder "Open With", the Quick Action's `open -a Revive`, a drop on the Dock icon).
 * Call before `ready` — files that launched the app arrive before it — and call `markReady()` on the returned
 * queue once the hand-off can take files.
 */
export function installOpenFileHandler(app: App, onPaths: (paths: string[]) => void): OpenFileQueue {
  const queue = new OpenFileQueue({ deliver: onPaths });
  app.on('open-file', (event, filePath) => {
    // Tells macOS the file was accepted (otherwise it reports that Revive cannot open it).
    event.preventDefault();
    queue.push(filePath);
  });
  return queue;
}
