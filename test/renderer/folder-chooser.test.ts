/** Issue 13 point 1: "Save to → One folder…" chooses a real folder and never sends an empty one. */
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import App from '../../src-renderer/src/App.svelte';
import { AppState } from '../../src-renderer/src/lib/app-state.svelte';
import { FolderChooser } from '../../src-renderer/src/lib/folder-chooser.svelte';
import { fakeApi } from './fake-api';

const fail = (err: unknown): never => {
  throw err;
};

describe('FolderChooser', () => {
  it('in a browser walks the host folders from the roots and returns the folder accepted', async () => {
    const { api } = fakeApi();
    const c = new FolderChooser(api, () => 'bridge', fail);
    const answer = c.ask();
    await waitFor(() => expect(c.listing?.folders[0]?.path).toBe('/home/me'));
    expect(c.open).toBe(true);
    await c.browse('/home/me');
    await c.browse('/home/me/Restored');
    expect(c.listing).toMatchObject({ dir: '/home/me/Restored', parent: '/home/me' });
    await c.up();
    expect(c.listing?.dir).toBe('/home/me');
    c.accept();
    await expect(answer).resolves.toBe('/home/me');
    expect(c.open).toBe(false);
    expect(api.foldersPick).not.toHaveBeenCalled();
  });

  it('cannot accept the list of roots, and cancelling answers null', async () => {
    const { api } = fakeApi();
    const c = new FolderChooser(api, () => 'bridge', fail);
    const answer = c.ask();
    await waitFor(() => expect(c.listing).not.toBeNull());
    c.accept(); // the roots list is not a folder
    expect(c.open).toBe(true);
    c.cancel();
    await expect(answer).resolves.toBeNull();
  });

  it('in the desktop app asks the system dialog', async () => {
    const { api } = fakeApi({ foldersPick: vi.fn(async () => ({ dir: '/home/me/Out' })) });
    const c = new FolderChooser(api, () => 'electron', fail);
    await expect(c.ask()).resolves.toBe('/home/me/Out');
    expect(api.foldersList).not.toHaveBeenCalled();
  });
});

describe('Save to → One folder…', () => {
  async function mounted() {
    const f = fakeApi();
    const app = new AppState(f.api);
    await app.init();
    render(App, { app });
    return { app, ...f };
  }

  it('opens the folder browser instead of saving an empty folder, and saves the folder chosen', async () => {
    const { api } = await mounted();
    const select = screen.getByRole('combobox', { name: 'Save to' }) as HTMLSelectElement;
    select.value = 'folder';
    await fireEvent.change(select);
    const dialog = await screen.findByRole('dialog', { name: 'Choose a folder for the restored photos' });
    // Nothing was sent yet: the bug sent { kind: 'folder', dir: '' }, which the schema refuses.
    expect(api.settingsSet).not.toHaveBeenCalled();
    await fireEvent.click(await screen.findByRole('button', { name: /\/home\/me/ }));
    await waitFor(() => expect(screen.getByLabelText('Current folder').textContent).toBe('/home/me'));
    await fireEvent.click(screen.getByRole('button', { name: 'Save here' }));
    await waitFor(() => expect(api.settingsSet).toHaveBeenCalledWith({ patch: { defaults: { output: { kind: 'folder', dir: '/home/me' } } } }));
    expect(dialog.isConnected).toBe(false);
  });

  it('keeps "Next to each original" when the choice is cancelled', async () => {
    const { api } = await mounted();
    const select = screen.getByRole('combobox', { name: 'Save to' }) as HTMLSelectElement;
    select.value = 'folder';
    await fireEvent.change(select);
    await fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Choose a folder for the restored photos' })).toBeNull());
    expect(select.value).toBe('beside');
    expect(api.settingsSet).not.toHaveBeenCalled();
  });
});
