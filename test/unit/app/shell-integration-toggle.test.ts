/**
 * The Settings switch "Right-click → Enhance with Revive" end to end on the main side: the `shell:integration`
 * channel through the real dispatcher and handlers, app/shell-integration/toggle.ts, and the real shell settings
 * (electron-store, with `electron` mocked). The installers are mocked: their own tests (shell-integration-linux /
 * -macos) write real files; here what matters is which one runs, with what, and what is remembered.
 */
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { tempFolders } from '../../support/temp-folders';
import { FakeCore } from '../../support/fake-core';

vi.mock('electron', () => {
  const app = { getVersion: () => '0.1.0', getPath: () => '/nonexistent-user-data' };
  const ipcMain = { on: vi.fn() };
  return { default: { app, ipcMain, shell: {} }, app, ipcMain, shell: {} };
});

const linuxState = { nautilus: false, dolphin: false, nemo: false };
const linux = vi.hoisted(() => ({
  installLinuxActions: vi.fn(),
  removeLinuxActions: vi.fn(),
  linuxActionsStatus: vi.fn(),
}));
vi.mock('../../../src-main/app/shell-integration/linux', async (orig) => ({ ...(await orig<object>()), ...linux }));
const macos = vi.hoisted(() => ({ installQuickAction: vi.fn(), removeQuickAction: vi.fn(), quickActionInstalled: vi.fn() }));
vi.mock('../../../src-main/app/shell-integration/macos', async (orig) => ({ ...(await orig<object>()), ...macos }));

const { ShellSettingsStore } = await import('../../../src-main/app/shell-settings');
const { createShellIntegration, WINDOWS_REASON } = await import('../../../src-main/app/shell-integration/toggle');
const { createDispatcher } = await import('../../../src-main/ipc/dispatch');
const { createHandlers } = await import('../../../src-main/ipc/handlers');

const tmp = tempFolders();

function setUp(platform: NodeJS.Platform) {
  const dir = tmp('revive-shell-toggle-');
  const store = new ShellSettingsStore({ cwd: dir });
  const refreshServices = vi.fn(async () => undefined);
  const integration = createShellIntegration({
    platform,
    home: '/home/ann',
    env: { APPIMAGE: '/home/ann/Apps/Revive.AppImage' },
    execPath: '/tmp/.mount_Revive/revive',
    resourcesPath: '/Applications/Revive.app/Contents/Resources',
    remember: (choice) => store.set({ shellIntegration: { choice } }),
    refreshServices,
  });
  const dispatch = createDispatcher(createHandlers(new FakeCore(path.join(dir, 'uploads')), { name: 'Revive', platform }));
  const ctx = { host: 'electron' as const, imageUrl: (f: string) => f, downloadUrl: () => undefined, shellIntegration: integration };
  const call = (payload: unknown) => dispatch('shell:integration', payload, ctx);
  return { store, call, refreshServices };
}

beforeEach(() => {
  vi.clearAllMocks();
  Object.assign(linuxState, { nautilus: false, dolphin: false, nemo: false });
  linux.linuxActionsStatus.mockImplementation(async () => ({ ...linuxState }));
  linux.installLinuxActions.mockImplementation(async () => {
    Object.assign(linuxState, { nautilus: true, dolphin: true, nemo: true });
    return [];
  });
  linux.removeLinuxActions.mockImplementation(async () => {
    Object.assign(linuxState, { nautilus: false, dolphin: false, nemo: false });
    return { removed: [], keptForeign: [] };
  });
});

describe('shell:integration (the Settings switch)', () => {
  it('Linux: reports, installs for the AppImage file itself, removes, and remembers each choice', async () => {
    const { store, call } = setUp('linux');
    expect(await call({})).toEqual({ ok: true, value: { available: true, enabled: false, where: 'Files (Nautilus), Dolphin and Nemo', reason: null } });
    expect(store.get().shellIntegration.choice).toBe('undecided');

    expect(await call({ enabled: true })).toMatchObject({ ok: true, value: { available: true, enabled: true } });
    expect(linux.installLinuxActions).toHaveBeenCalledWith({ home: '/home/ann', env: { APPIMAGE: '/home/ann/Apps/Revive.AppImage' }, executable: '/home/ann/Apps/Revive.AppImage' });
    expect(store.get().shellIntegration.choice).toBe('enabled');

    expect(await call({ enabled: false })).toMatchObject({ ok: true, value: { enabled: false } });
    expect(linux.removeLinuxActions).toHaveBeenCalledWith({ home: '/home/ann', env: { APPIMAGE: '/home/ann/Apps/Revive.AppImage' } });
    expect(store.get().shellIntegration.choice).toBe('disabled');
    expect(macos.installQuickAction).not.toHaveBeenCalled();
  });

  it('a failed install answers with its reason and leaves the remembered choice as it was', async () => {
    const { store, call } = setUp('linux');
    linux.installLinuxActions.mockRejectedValueOnce(new Error('refusing to replace /home/ann/x: it exists and was not written by Revive'));
    const r = await call({ enabled: true });
    expect(r).toMatchObject({ ok: false, error: { message: expect.stringContaining('refusing to replace') } });
    expect(store.get().shellIntegration.choice).toBe('undecided');
    expect(await call({})).toMatchObject({ ok: true, value: { enabled: false } });
  });

  it('macOS: copies the bundled Quick Action with consent, refreshes Finder, and removes it', async () => {
    const { store, call, refreshServices } = setUp('darwin');
    let installed = false;
    macos.quickActionInstalled.mockImplementation(async () => installed);
    macos.installQuickAction.mockImplementation(async () => {
      installed = true;
      return '';
    });
    macos.removeQuickAction.mockImplementation(async () => {
      installed = false;
      return true;
    });
    expect(await call({ enabled: true })).toMatchObject({ ok: true, value: { available: true, enabled: true, where: 'Finder (Quick Actions)' } });
    expect(macos.installQuickAction).toHaveBeenCalledWith({
      home: '/home/ann',
      source: path.join('/Applications/Revive.app/Contents/Resources', 'macos', 'Enhance with Revive.workflow'),
      userConsented: true,
    });
    expect(refreshServices).toHaveBeenCalledTimes(1);
    expect(await call({ enabled: false })).toMatchObject({ ok: true, value: { enabled: false } });
    expect(macos.removeQuickAction).toHaveBeenCalledWith('/home/ann');
    expect(refreshServices).toHaveBeenCalledTimes(2);
    expect(store.get().shellIntegration.choice).toBe('disabled');
    expect(linux.installLinuxActions).not.toHaveBeenCalled();
  });

  it('Windows: unavailable with the installer as the reason; a change is refused and nothing runs', async () => {
    const { store, call } = setUp('win32');
    expect(await call({})).toEqual({ ok: true, value: { available: false, enabled: true, where: 'Explorer', reason: WINDOWS_REASON } });
    expect(await call({ enabled: false })).toMatchObject({ ok: false, error: { message: WINDOWS_REASON } });
    for (const f of [...Object.values(linux), ...Object.values(macos)]) expect(f).not.toHaveBeenCalled();
    expect(store.get().shellIntegration.choice).toBe('undecided');
  });

  it('is refused in a browser (no shell integration in the call context)', async () => {
    const dispatch = createDispatcher(createHandlers(new FakeCore(tmp('revive-shell-toggle-')), { name: 'Revive', platform: 'linux' }));
    const r = await dispatch('shell:integration', { enabled: true }, { host: 'bridge', imageUrl: (f) => f, downloadUrl: () => undefined });
    expect(r).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
    expect(linux.installLinuxActions).not.toHaveBeenCalled();
  });
});
