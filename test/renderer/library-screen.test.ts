/** Issue 13 points 3, 6 and 8 on the library screen: failed cards, labelled re-run, Remove that asks first. */
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { LibraryEntry } from '../../src-preload/contract';
import LibraryScreen from '../../src-renderer/src/features/library/LibraryScreen.svelte';
import { AppState } from '../../src-renderer/src/lib/app-state.svelte';
import { fakeApi, SETTINGS } from './fake-api';

function entry(id: number, patch: Partial<LibraryEntry> = {}): LibraryEntry {
  return {
    id,
    source: `/photos/p${id}.jpg`,
    name: `p${id}.jpg`,
    output: `/photos/p${id}_revive.jpg`,
    sourceUrl: `/img/s${id}`,
    outputUrl: `/img/o${id}`,
    thumbUrl: null,
    status: 'done',
    error: null,
    modelId: 'realesrgan-x4fast',
    settings: { ...SETTINGS, scale: 4 },
    inputWidth: 100,
    inputHeight: 80,
    outputWidth: 400,
    outputHeight: 320,
    ms: 1200,
    device: 'CPU',
    camera: null,
    dateTaken: null,
    createdAt: '2026-01-01T10:00:00Z',
    ...patch,
  };
}

async function mounted(entries: LibraryEntry[], host: 'bridge' | 'electron' = 'bridge') {
  const f = fakeApi({ libraryList: vi.fn(async () => ({ entries, total: entries.length })) });
  // The fake answers as the bridge; the desktop case is told apart by its host alone.
  (f.api.appInfo as unknown as { mockResolvedValue(v: unknown): void }).mockResolvedValue({ name: 'Revive', version: '0', host, platform: 'linux', uploadUrl: '/upload' });
  const app = new AppState(f.api);
  await app.init();
  render(LibraryScreen, { app });
  await screen.findAllByRole('listitem');
  return { app, ...f };
}

describe('LibraryScreen', () => {
  it('offers "Download all" as one zip of the shown results in serve mode only, failed ones left out', async () => {
    await mounted([entry(1), entry(2, { status: 'failed', output: null, outputUrl: null }), entry(3)]);
    expect(screen.getByRole('link', { name: 'Download all' }).getAttribute('href')).toBe('/zip?library=1&library=3');
  });

  it('has no "Download all" in the desktop app, where the results already lie in the person\'s folders', async () => {
    await mounted([entry(1)], 'electron');
    expect(screen.queryByRole('link', { name: 'Download all' })).toBeNull();
  });

  it('shows a failed result as a placeholder with the reason in plain words and only actions that make sense', async () => {
    await mounted([entry(1, { status: 'failed', output: null, outputUrl: null, error: '/photos/p1.jpg: damaged JPEG header — VipsJpeg: Premature end' })]);
    const card = screen.getAllByRole('listitem')[0]!;
    expect(card.querySelector('img')).toBeNull();
    expect(card.querySelector('.placeholder')).not.toBeNull();
    expect(card.textContent).toContain('This photo could not be restored.');
    const buttons = within(card).getAllByRole('button').map((b) => b.textContent!.trim());
    expect(buttons).not.toContain('Compare');
    expect(buttons).toContain('Try again…');
    expect(card.textContent).not.toMatch(/--\w/); // no CLI flags
  });

  it('re-runs with labelled controls that start at the scale the result was made at', async () => {
    await mounted([entry(1)]);
    await fireEvent.click(screen.getByRole('button', { name: 'Re-run…' }));
    const scale = screen.getByLabelText('Scale') as HTMLSelectElement;
    expect(scale.value).toBe('4');
    expect(screen.getByLabelText('Model')).toBeTruthy();
    expect(screen.getByLabelText('Format')).toBeTruthy();
  });

  it('asks before removing an entry, and Keep keeps it', async () => {
    const { api } = await mounted([entry(1)]);
    await fireEvent.click(screen.getByRole('button', { name: 'Remove p1.jpg from the library' }));
    expect(api.libraryRemove).not.toHaveBeenCalled();
    const ask = screen.getByRole('group', { name: 'Remove p1.jpg?' });
    await fireEvent.click(within(ask).getByRole('button', { name: 'Keep' }));
    expect(api.libraryRemove).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByRole('button', { name: 'Remove p1.jpg from the library' }));
    await fireEvent.click(within(screen.getByRole('group', { name: 'Remove p1.jpg?' })).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(api.libraryRemove).toHaveBeenCalledWith({ id: 1, deleteOutput: false }));
  });
});

describe('compare from the library (issue 13 point 6)', () => {
  it('names the result’s model, scale and size in the compare toolbar', async () => {
    const { app } = await mounted([entry(1)]);
    await fireEvent.click(screen.getAllByRole('button', { name: 'Compare' })[0]!);
    expect(app.screen).toBe('compare');
    expect(app.compare.pair?.facts).toBe('Real-ESRGAN x4 fast · 4× · 400×320');
  });
});
