/** Issue 13 point 8: a Settings screen for what was CLI-only or hidden. */
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import App from '../../src-renderer/src/App.svelte';
import { AppState } from '../../src-renderer/src/lib/app-state.svelte';
import { fakeApi, SETTINGS } from './fake-api';
import { SETTINGS_WORDS } from '../../src-preload/contract';

describe('SettingsScreen', () => {
  it('is reachable from the navigation and saves theme, device, pixel limit and metadata defaults', async () => {
    const settingsSet = vi.fn(async (req: { patch: Record<string, unknown> }) => ({
      defaults: { ...SETTINGS, ...(req.patch.defaults as object) },
      recursive: true,
      skipDone: true,
      theme: (req.patch.theme as 'dark') ?? 'system',
      maxInputMegapixels: (req.patch.maxInputMegapixels as number) ?? 200,
    }));
    const f = fakeApi({ settingsSet });
    const app = new AppState(f.api);
    await app.init();
    render(App, { app });
    await fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    expect(app.screen).toBe('settings');
    const theme = screen.getByLabelText('Theme') as HTMLSelectElement;
    theme.value = 'dark';
    await fireEvent.change(theme);
    await waitFor(() => expect(settingsSet).toHaveBeenCalledWith({ patch: { theme: 'dark' } }));
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
    const limit = screen.getByLabelText('Largest photo, in megapixels') as HTMLInputElement;
    limit.value = '400';
    await fireEvent.change(limit);
    await waitFor(() => expect(settingsSet).toHaveBeenCalledWith({ patch: { maxInputMegapixels: 400 } }));
    const device = screen.getByLabelText('Run on') as HTMLSelectElement;
    expect(Array.from(device.options).map((o) => o.value)).toEqual(['auto', 'cpu']);
    // The naming pattern (issue 13 / h13b's field), shown with what it makes of a photo's name.
    const names = screen.getByLabelText('Name results') as HTMLInputElement;
    expect(names.value).toBe('{name}_revive');
    names.value = '{name}_{scale}x';
    await fireEvent.change(names);
    await waitFor(() => expect(settingsSet).toHaveBeenCalledWith({ patch: { defaults: { namePattern: '{name}_{scale}x' } } }));
    await waitFor(() => expect(document.body.textContent).toContain('becomes “beach_4x.jpg”'));
    const keep = screen.getByLabelText('Keep') as HTMLSelectElement;
    keep.value = 'no-gps';
    await fireEvent.change(keep);
    await waitFor(() => expect(settingsSet).toHaveBeenCalledWith({ patch: { defaults: { metadata: 'no-gps' } } }));
  });

  it('sets the engine threads and the tile size, automatic by default', async () => {
    const settingsSet = vi.fn(async (req: { patch: Record<string, unknown> }) => ({
      defaults: { ...SETTINGS, ...(req.patch.defaults as object) },
      recursive: true,
      skipDone: true,
      theme: 'system' as const,
      maxInputMegapixels: 200,
    }));
    const app = new AppState(fakeApi({ settingsSet }).api);
    await app.init();
    render(App, { app });
    await fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const threads = screen.getByLabelText(SETTINGS_WORDS.threads) as HTMLSelectElement;
    expect(threads.value).toBe('0');
    expect(threads.selectedOptions[0]!.textContent).toBe(SETTINGS_WORDS.threadsAuto);
    threads.value = '2';
    await fireEvent.change(threads);
    await waitFor(() => expect(settingsSet).toHaveBeenCalledWith({ patch: { defaults: { threads: 2 } } }));
    const tile = screen.getByLabelText(SETTINGS_WORDS.tile) as HTMLSelectElement;
    expect(tile.value).toBe('0');
    tile.value = '256';
    await fireEvent.change(tile);
    await waitFor(() => expect(settingsSet).toHaveBeenCalledWith({ patch: { defaults: { tile: 256 } } }));
    await waitFor(() => expect(tile.value).toBe('256'));
  });

  it('offers the file-manager entry in the desktop app: installs and removes it, shows why it is disabled, hides it in a browser', async () => {
    let enabled = false;
    const shellIntegration = vi.fn(async (req?: { enabled?: boolean }) => {
      if (req?.enabled !== undefined) enabled = req.enabled;
      return { available: true, enabled, where: 'Files (Nautilus), Dolphin and Nemo', reason: null };
    });
    const desktop = { name: 'Revive', version: '0', host: 'electron' as const, platform: 'linux', uploadUrl: null };
    const f = fakeApi({ appInfo: vi.fn(async () => desktop), shellIntegration });
    const app = new AppState(f.api);
    await app.init();
    const view = render(App, { app });
    await fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const box = (await screen.findByLabelText(SETTINGS_WORDS.shellMenu)) as HTMLInputElement;
    expect(box.checked).toBe(false);
    expect(box.disabled).toBe(false);
    expect(document.body.textContent).toContain(`${SETTINGS_WORDS.shellMenuHint} Files (Nautilus), Dolphin and Nemo.`);
    await fireEvent.click(box);
    await waitFor(() => expect(shellIntegration).toHaveBeenCalledWith({ enabled: true }));
    await waitFor(() => expect(box.checked).toBe(true));
    await fireEvent.click(box);
    await waitFor(() => expect(shellIntegration).toHaveBeenCalledWith({ enabled: false }));
    await waitFor(() => expect(box.checked).toBe(false));
    // A failed install is reported and the box shows what is really installed.
    shellIntegration.mockRejectedValueOnce(Object.assign(new Error('refusing to replace a file'), { code: 'INTERNAL' }));
    await fireEvent.click(box);
    await waitFor(() => expect(app.notices.some((n) => n.kind === 'error')).toBe(true));
    await waitFor(() => expect(box.checked).toBe(false));
    view.unmount();

    // Windows: the installer owns the entry; the row is disabled and says why.
    const reason = 'On Windows the Revive installer adds this entry to Explorer and uninstalling Revive removes it.';
    const win = fakeApi({
      appInfo: vi.fn(async () => ({ ...desktop, platform: 'win32' })),
      shellIntegration: vi.fn(async () => ({ available: false, enabled: true, where: 'Explorer', reason })),
    });
    const winApp = new AppState(win.api);
    await winApp.init();
    const winView = render(App, { app: winApp });
    await fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const winBox = (await screen.findByLabelText(SETTINGS_WORDS.shellMenu)) as HTMLInputElement;
    expect(winBox.disabled).toBe(true);
    expect(document.body.textContent).toContain(reason);
    winView.unmount();

    // `revive serve` in a browser: no row, and the channel is never asked.
    const web = fakeApi({ shellIntegration: vi.fn() });
    const webApp = new AppState(web.api);
    await webApp.init();
    render(App, { app: webApp });
    await fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    await screen.findByLabelText('Theme');
    expect(screen.queryByLabelText(SETTINGS_WORDS.shellMenu)).toBeNull();
    expect(screen.queryByText(SETTINGS_WORDS.fileManager)).toBeNull();
    expect(web.api.shellIntegration).not.toHaveBeenCalled();
  });
});
