/**
 * The Finder Quick Action "Enhance with Revive": an Automator service shipped in the app's resources
 * (`resources/macos/Enhance with Revive.workflow`, packed as an extra resource) and copied to `~/Library/Services`
 * when the user agrees in the settings. It runs `open -a Revive "$@"`, which reaches the app as `open-file` events
 * whether or not it is running (see open-files.ts).
 *
 * Pure Node (fs only); `home` is a parameter so tests run in a temporary folder. After installing or removing,
 * the app runs {@link SERVICES_REFRESH_COMMAND} so Finder sees the change without a logout.
 */
import { cp, mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { exists } from '../../pixels/exists';

export const QUICK_ACTION_BUNDLE = 'Enhance with Revive.workflow';
/** The identifier in the bundle's Info.plist that marks it as ours (removal checks it). */
export const QUICK_ACTION_ID = 'app.revive.desktop.enhance-quick-action';
/** Re-reads the Services menus; run after install/remove (macOS only, not run here). */
export const SERVICES_REFRESH_COMMAND = ['/System/Library/CoreServices/pbs', '-flush'] as const;

/** Where the Quick Action lives inside a packaged app's `Contents/Resources` (electron-builder extraResources). */
export function bundledQuickActionPath(resourcesPath: string): string {
  return path.join(resourcesPath, 'macos', QUICK_ACTION_BUNDLE);
}

/** Where it is installed for the user. */
export function installedQuickActionPath(home: string): string {
  return path.join(home, 'Library', 'Services', QUICK_ACTION_BUNDLE);
}

export interface InstallQuickActionOptions {
  home: string;
  /** The bundled `.workflow` folder ({@link bundledQuickActionPath}). */
  source: string;
  /**
   * Installing adds an item to every Finder context menu, so it happens only when the user asked for it in the
   * settings; the caller states that here.
   */
  userConsented: true;
}

/**
 * Copies the Quick Action into `~/Library/Services`, replacing an earlier Revive copy. Refuses to replace a
 * same-named workflow that is not ours. Returns the installed path.
 */
export async function installQuickAction(options: InstallQuickActionOptions): Promise<string> {
  if (options.userConsented !== true) throw new Error('installing the Quick Action needs the user consent flag');
  const src = options.source;
  if (!(await isOurWorkflow(src))) {
    throw new Error(`${src} is not the Revive Quick Action (missing Contents/Info.plist with ${QUICK_ACTION_ID})`);
  }
  const dest = installedQuickActionPath(options.home);
  if ((await exists(dest)) && !(await isOurWorkflow(dest))) {
    throw new Error(`refusing to replace ${dest}: it exists and is not the Revive Quick Action`);
  }
  await mkdir(path.dirname(dest), { recursive: true });
  // Copy beside, then swap: the Services scanner never sees a half-copied bundle.
  const tmp = `${dest}.revive-tmp`;
  await rm(tmp, { recursive: true, force: true });
  try {
    await cp(src, tmp, { recursive: true, errorOnExist: true, force: false });
    await rm(dest, { recursive: true, force: true });
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return dest;
}

/** Removes the installed Quick Action if it is ours. Returns whether something was removed. */
export async function removeQuickAction(home: string): Promise<boolean> {
  const dest = installedQuickActionPath(home);
  if (!(await exists(dest))) return false;
  if (!(await isOurWorkflow(dest))) throw new Error(`refusing to remove ${dest}: it is not the Revive Quick Action`);
  await rm(dest, { recursive: true });
  return true;
}

/** Whether the Revive Quick Action is installed for the user (for the settings page). */
export async function quickActionInstalled(home: string): Promise<boolean> {
  return isOurWorkflow(installedQuickActionPath(home));
}

async function isOurWorkflow(bundle: string): Promise<boolean> {
  let info: string;
  try {
    info = await readFile(path.join(bundle, 'Contents', 'Info.plist'), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw err;
  }
  return info.includes(`<string>${QUICK_ACTION_ID}</string>`);
}
