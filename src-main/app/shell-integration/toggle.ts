/**
 * The Settings screen's "Right-click → Enhance with Revive" switch (`shell:integration`): reports whether this
 * user's file manager has the entry and installs or removes it through this OS's installer, then remembers the
 * choice in the shell settings (`shellIntegration.choice`).
 *
 * Supported per user: Linux (Nautilus, Dolphin, Nemo — linux.ts) and macOS (the Finder Quick Action — macos.ts).
 * Windows has no per-user switch here: the NSIS installer writes the Explorer entry and the uninstaller removes it
 * (docs/shell-integration.md), so the row is shown disabled with that reason.
 *
 * What is on disk is the truth for "enabled" (a user may have deleted the files by hand); the stored choice only
 * records what the user last asked for. No Electron here: main.ts passes the paths, so tests need none.
 */
import type { ShellSettings } from '../../settings/shell-schema';
import { ACTION_LABEL, installedExecutable, installLinuxActions, linuxActionsStatus, removeLinuxActions } from './linux';
import { bundledQuickActionPath, installQuickAction, quickActionInstalled, removeQuickAction } from './macos';

/** What the page shows: the contract's `shell:integration` response. */
export interface ShellIntegrationState {
  available: boolean;
  enabled: boolean;
  /** The file managers the entry appears in, for the row's hint. */
  where: string;
  /** Why the switch cannot be used here (one line), or null. */
  reason: string | null;
}

export interface ShellIntegrationDeps {
  platform: NodeJS.Platform;
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  /** `process.execPath` (linux.ts swaps in the AppImage's own path). */
  execPath: string;
  /** `process.resourcesPath`, where the packaged app keeps the Quick Action. */
  resourcesPath: string;
  /**
   * Records the choice in the shell settings (main.ts: `ShellSettingsStore.set`, logged rather than thrown when the
   * file cannot be written — the entry itself is already in place by then).
   */
  remember(choice: ShellSettings['shellIntegration']['choice']): void;
  /** macOS: makes Finder re-read its Services after a change (`pbs -flush`). */
  refreshServices?: () => Promise<void>;
}

export const WINDOWS_REASON = 'On Windows the Revive installer adds this entry to Explorer and uninstalling Revive removes it.';
const WHERE: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'Files (Nautilus), Dolphin and Nemo',
  darwin: 'Finder (Quick Actions)',
  win32: 'Explorer',
};

export function createShellIntegration(deps: ShellIntegrationDeps) {
  const where = WHERE[deps.platform] ?? 'the file manager';
  const linuxCtx = { home: deps.home, env: deps.env };

  async function installed(): Promise<boolean> {
    if (deps.platform === 'linux') return Object.values(await linuxActionsStatus(linuxCtx)).some(Boolean);
    if (deps.platform === 'darwin') return quickActionInstalled(deps.home);
    return false;
  }

  async function state(): Promise<ShellIntegrationState> {
    if (deps.platform === 'win32') return { available: false, enabled: true, where, reason: WINDOWS_REASON };
    if (deps.platform !== 'linux' && deps.platform !== 'darwin') {
      return { available: false, enabled: false, where, reason: `"${ACTION_LABEL}" is not offered on this system (${deps.platform}).` };
    }
    return { available: true, enabled: await installed(), where, reason: null };
  }

  async function set(enabled: boolean): Promise<ShellIntegrationState> {
    const current = await state();
    if (!current.available) throw new Error(current.reason ?? 'the file-manager entry cannot be changed here');
    if (deps.platform === 'linux') {
      if (enabled) await installLinuxActions({ ...linuxCtx, executable: installedExecutable(deps.execPath, deps.env) });
      else await removeLinuxActions(linuxCtx);
    } else {
      if (enabled) await installQuickAction({ home: deps.home, source: bundledQuickActionPath(deps.resourcesPath), userConsented: true });
      else await removeQuickAction(deps.home);
      await deps.refreshServices?.();
    }
    // Remembered only once the files are in place (or gone): a failed install leaves the old choice.
    deps.remember(enabled ? 'enabled' : 'disabled');
    return state();
  }

  return { state, set };
}
