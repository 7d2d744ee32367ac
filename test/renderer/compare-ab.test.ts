/** Issue 13, compare: A/B between any two results of one original, side by side, hold for the original, Save/Reveal. */
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { LibraryEntry } from '../../src-preload/contract';
import CompareScreen from '../../src-renderer/src/features/compare/CompareScreen.svelte';
import { CompareState } from '../../src-renderer/src/features/compare/compare-state.svelte';
import { AppState } from '../../src-renderer/src/lib/app-state.svelte';
import { fakeApi, SETTINGS } from './fake-api';

function result(id: number, source: string, scale: 2 | 4, width: number): LibraryEntry {
  return {
    id, source, name: source.split('/').pop()!, output: `${source}_${id}.png`, sourceUrl: `/img${source}`, outputUrl: `/img/out${id}`,
    downloadUrl: `/download/out${id}`, thumbUrl: null, status: 'done', error: null, modelId: 'realesrgan-x4fast',
    settings: { ...SETTINGS, scale }, inputWidth: 100, inputHeight: 80, outputWidth: width, outputHeight: (width * 4) / 5,
    ms: 10, device: 'CPU', camera: null, dateTaken: null, createdAt: '2026-01-01T00:00:00Z',
  };
}

// Two results of /p/cat.jpg, and one of another cat.jpg in another folder that must not be offered.
const ENTRIES = [result(1, '/p/cat.jpg', 4, 400), result(2, '/p/cat.jpg', 2, 200), result(3, '/q/cat.jpg', 4, 400)];
const PAIR = { title: 'cat.jpg', beforeUrl: '/img/p/cat.jpg', afterUrl: '/img/out1', sourcePath: '/p/cat.jpg', libraryId: 1, downloadUrl: '/download/out1', facts: 'first' };

describe('CompareState A/B', () => {
  it('offers the original and every finished result of the same original, and shows any two', async () => {
    const { api } = fakeApi({ libraryList: vi.fn(async () => ({ entries: ENTRIES, total: 3 })) });
    const c = new CompareState(api, () => undefined);
    c.open(PAIR);
    await c.loadChoices((e) => `${e.settings.scale}× ${e.outputWidth}`);
    expect(c.choices.map((x) => x.url)).toEqual(['/img/p/cat.jpg', '/img/out1', '/img/out2']);
    c.choose('a', 2);
    expect(c.pair).toMatchObject({ beforeUrl: '/img/out2', afterUrl: '/img/out1' });
    expect(c.originalUrl).toBe('/img/p/cat.jpg');
    c.choose('b', 0);
    expect(c.pair).toMatchObject({ afterUrl: '/img/p/cat.jpg', facts: 'Original', downloadUrl: undefined, libraryId: undefined });
    c.choose('b', 2);
    expect(c.pair).toMatchObject({ afterUrl: '/img/out2', facts: '2× 200', downloadUrl: '/download/out2', libraryId: 2 });
  });
});

async function mounted(host: 'bridge' | 'electron') {
  const f = fakeApi({
    libraryList: vi.fn(async () => ({ entries: ENTRIES, total: 3 })),
    appInfo: vi.fn(async () => ({ name: 'Revive', version: '0', host, platform: 'linux', uploadUrl: '/upload' })) as never,
  });
  const app = new AppState(f.api);
  await app.init();
  app.compare.open(PAIR);
  render(CompareScreen, { app });
  return { app, ...f };
}

describe('CompareScreen', () => {
  it('picks left and right images from the original and the results, with the chosen result facts in the toolbar', async () => {
    const { app } = await mounted('bridge');
    const right = (await screen.findByLabelText('Right image')) as HTMLSelectElement;
    expect(Array.from(right.options).map((o) => o.textContent)).toEqual(['Original', 'first', 'Real-ESRGAN x4 fast · 2× · 200 × 160 (0.0 MP)']);
    await fireEvent.change(right, { target: { value: '2' } });
    expect(app.compare.pair?.afterUrl).toBe('/img/out2');
    expect(screen.getByTestId('compare-facts').textContent).toBe('Real-ESRGAN x4 fast · 2× · 200 × 160 (0.0 MP)');
    expect(screen.getByRole('link', { name: 'Save' }).getAttribute('href')).toBe('/download/out2');
    expect(screen.queryByRole('button', { name: 'Show in folder' })).toBeNull();
  });

  it('shows the original while the O key or the button is held, and switches to side by side', async () => {
    const { app } = await mounted('bridge');
    await fireEvent.keyDown(window, { key: 'o' });
    expect(app.compare.holding).toBe(true);
    expect(screen.getByTestId('compare-holding').textContent).toBe('Original');
    await fireEvent.keyUp(window, { key: 'o' });
    expect(app.compare.holding).toBe(false);
    const hold = screen.getByRole('button', { name: 'Hold for original' });
    await fireEvent.pointerDown(hold);
    expect(app.compare.holding).toBe(true);
    await fireEvent.pointerUp(hold);
    expect(app.compare.holding).toBe(false);
    await fireEvent.click(screen.getByRole('button', { name: 'Side by side' }));
    expect(app.compare.mode).toBe('side');
    expect(screen.queryByLabelText('Divider position')).toBeNull();
  });

  it('reveals the shown result in its folder in the desktop app', async () => {
    const { api } = await mounted('electron');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Show in folder' })).toBeTruthy());
    await fireEvent.click(screen.getByRole('button', { name: 'Show in folder' }));
    expect(api.libraryReveal).toHaveBeenCalledWith({ id: 1, which: 'output' });
    expect(screen.queryByRole('link', { name: 'Save' })).toBeNull();
  });
});
