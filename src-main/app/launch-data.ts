/**
 * What a launch forwards to the running instance, and how the running instance reads it back.
 *
 * Electron's `second-instance` event gives the second launch's argv as Chromium rebuilt it (reordered, switches
 * added) — and, per Electron's docs, nothing at all when another user started it. So each launch also sends its
 * own untouched `process.argv`, cwd and whether it runs unpackaged as `additionalData` of
 * `requestSingleInstanceLock`; the first instance prefers that and falls back to the event's argv.
 *
 * Pure: no `electron` import, so it is tested in plain Node.
 */
import { parseAppArgv, type AppCommandLine } from './argv';

/** Sent as `additionalData`; must stay JSON (Electron serialises it). */
export interface LaunchData {
  kind: 'revive-launch';
  argv: string[];
  cwd: string;
  /** Electron's `process.defaultApp`: the app runs as `electron <folder>`, so argv[1] is the folder. */
  defaultApp: boolean;
}

/** Builds the data this launch forwards. */
export function launchDataOf(argv: readonly string[], cwd: string, defaultApp: boolean): LaunchData {
  return { kind: 'revive-launch', argv: [...argv], cwd, defaultApp };
}

/** Reads `additionalData` from another process; null when it is absent or not ours (never trusted blindly). */
export function readLaunchData(data: unknown): LaunchData | null {
  if (typeof data !== 'object' || data === null) return null;
  const d = data as Record<string, unknown>;
  if (d.kind !== 'revive-launch') return null;
  if (!Array.isArray(d.argv) || d.argv.length === 0 || !d.argv.every((a) => typeof a === 'string')) return null;
  if (typeof d.cwd !== 'string' || d.cwd === '' || typeof d.defaultApp !== 'boolean') return null;
  return { kind: 'revive-launch', argv: d.argv as string[], cwd: d.cwd, defaultApp: d.defaultApp };
}

export interface SecondInstanceEvent {
  argv: readonly string[];
  workingDirectory: string;
  additionalData: unknown;
}

/**
 * The command line of a second launch: from its forwarded {@link LaunchData} when present, else from the event's
 * argv, assuming the second launch runs the same way (packaged or not) as this one.
 */
export function commandLineOfSecondInstance(
  event: SecondInstanceEvent,
  self: { defaultApp: boolean; platform: NodeJS.Platform },
): AppCommandLine {
  const data = readLaunchData(event.additionalData);
  if (data) return parseAppArgv(data.argv, { cwd: data.cwd, platform: self.platform, launcherArgs: data.defaultApp ? 2 : 1 });
  if (event.argv.length === 0) {
    // Another user's launch arrives without arguments: nothing to do but show the window.
    return { enhance: [], open: [], switches: {}, rejected: [] };
  }
  return parseAppArgv(event.argv, { cwd: event.workingDirectory, platform: self.platform, launcherArgs: self.defaultApp ? 2 : 1 });
}
