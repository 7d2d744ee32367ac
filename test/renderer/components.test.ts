import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import App from '../../src-renderer/src/App.svelte';
import EmptyState from '../../src-renderer/src/lib/components/EmptyState.svelte';
import ProgressBar from '../../src-renderer/src/lib/components/ProgressBar.svelte';
import QueueScreen from '../../src-renderer/src/features/queue/QueueScreen.svelte';
import StartScreen from '../../src-renderer/src/features/start/StartScreen.svelte';
import ModelsScreen from '../../src-renderer/src/features/models/ModelsScreen.svelte';
import LibraryScreen from '../../src-renderer/src/features/library/LibraryScreen.svelte';
import { AppState } from '../../src-renderer/src/lib/app-state.svelte';
import { fakeApi, item } from './fake-api';
import path from 'node:path';
import sharp from 'sharp';
import { PACK_SAMPLES } from '../../src-renderer/src/features/models/samples';

const PUBLIC = path.resolve(import.meta.dirname, '../../src-renderer/public');

async function ready(overrides = {}) {
  const f = fakeApi(overrides);
  const app = new AppState(f.api);
  await app.init();
  return { app, ...f };
}

describe('shared components', () => {
  it('ProgressBar exposes its value to assistive technology', () => {
    render(ProgressBar, { value: 0.426, label: 'Overall progress' });
    const bar = screen.getByRole('progressbar', { name: 'Overall progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('42.6');
  });

  it('EmptyState names itself and shows its text', () => {
    render(EmptyState, { title: 'Nothing in the queue', body: 'Photos appear here.' });
    expect(screen.getByRole('region', { name: 'Nothing in the queue' }).textContent).toContain('Photos appear here.');
  });
});

describe('App', () => {
  it('switches screens from the navigation and with Ctrl+number', async () => {
    const { app } = await ready();
    render(App, { app });
    await fireEvent.click(screen.getByRole('button', { name: 'Models' }));
    expect(app.screen).toBe('models');
    await fireEvent.keyDown(window, { key: '2', ctrlKey: true });
    expect(app.screen).toBe('queue');
    expect(screen.getByRole('button', { name: /Queue/ }).getAttribute('aria-current')).toBe('page');
  });
});

describe('StartScreen', () => {
  it('shows the model with its kind, speed and device, and no diffusion options without a diffusion model', async () => {
    const { app } = await ready();
    render(StartScreen, { app });
    const model = screen.getByRole('radio', { name: /Real-ESRGAN x4 fast/ });
    expect((model as HTMLInputElement).checked).toBe(true);
    const label = model.closest('label')!;
    expect(label.textContent).toContain('Sharpens & enlarges');
    expect(label.textContent).toContain('Fast');
    expect(label.textContent).toContain('CPU');
    // Measured on this device (the fake reports 2 s a megapixel), never "timed after the first photo".
    expect(label.textContent).toContain('measured on this computer');
    // Diffusion options (and their note) are hidden, not greyed, while a non-diffusion model is chosen.
    expect(screen.queryByRole('note')).toBeNull();
    expect(screen.queryByText('Diffusion options')).toBeNull();
    expect((screen.getByRole('button', { name: 'Add photos to start' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('adds a typed host path and restores it at the chosen scale', async () => {
    const { app, api } = await ready();
    render(StartScreen, { app });
    await fireEvent.input(screen.getByLabelText('Or name files or folders on the host'), { target: { value: '/photos/old.jpg' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    await screen.findByText('old.jpg');
    await fireEvent.click(screen.getByRole('radio', { name: '2×' }));
    await waitFor(() => expect(app.settings.defaults?.scale).toBe(2));
    await fireEvent.click(screen.getByRole('button', { name: 'Restore 1 photo' }));
    await waitFor(() => expect(api.jobsStart).toHaveBeenCalled());
    expect(api.jobsStart.mock.calls[0]![0]).toMatchObject({ paths: ['/photos/old.jpg'], settings: { scale: 2 } });
    expect(app.screen).toBe('queue');
  });
});

describe('QueueScreen', () => {
  it('renders only a screenful of a 1,000-item queue', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => item(i + 1));
    const { app } = await ready({ jobsList: vi.fn(async () => ({ items, jobs: [] })) });
    render(QueueScreen, { app });
    const rows = screen.getAllByRole('listitem');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(40);
    expect(rows[0]!.getAttribute('aria-setsize')).toBe('1000');
  });

  it('shows a failed item’s reason inline and cancels a waiting one', async () => {
    const items = [item(1, { state: 'failed', error: { code: 'NOT_AN_IMAGE', message: 'not an image: HTML page' } }), item(2)];
    const { app, api } = await ready({ jobsList: vi.fn(async () => ({ items, jobs: [] })) });
    render(QueueScreen, { app });
    // The catalogue's sentence inline; the core's words behind it (the row's tooltip).
    expect(screen.getByRole('alert').textContent).toContain('This file is not a photo.');
    expect(screen.getByRole('alert').getAttribute('title')).toBe('not an image: HTML page (NOT_AN_IMAGE)');
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel p2.jpg' }));
    expect(api.jobsCancel).toHaveBeenCalledWith({ itemId: 2 });
  });

  it('offers "Download all" in serve mode as one zip of the finished batches, by batch id', async () => {
    const items = [item(1, { state: 'done', jobId: 4 }), item(2, { state: 'done', jobId: 4 }), item(3, { state: 'failed', jobId: 5 }), item(4, { state: 'done', jobId: 6 }), item(5, { jobId: 7 })];
    const { app } = await ready({ jobsList: vi.fn(async () => ({ items, jobs: [] })) });
    render(QueueScreen, { app });
    expect(screen.getByRole('link', { name: 'Download all' }).getAttribute('href')).toBe('/zip?job=4&job=6');
  });

  it('shows a finished result in its folder in the desktop app only', async () => {
    const items = [item(1, { state: 'done', libraryId: 9 }), item(2, { state: 'running' })];
    const desktop = await ready({
      jobsList: vi.fn(async () => ({ items, jobs: [] })),
      appInfo: vi.fn(async () => ({ name: 'Revive', version: '0', host: 'electron' as const, platform: 'linux', uploadUrl: '/upload' })),
    });
    const view = render(QueueScreen, { app: desktop.app });
    expect(screen.queryByRole('link', { name: 'Download all' })).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Show p1.jpg in its folder' }));
    expect(desktop.api.libraryReveal).toHaveBeenCalledWith({ id: 9, which: 'output' });
    expect(screen.queryByRole('button', { name: 'Show p2.jpg in its folder' })).toBeNull();
    view.unmount();
    const browser = await ready({ jobsList: vi.fn(async () => ({ items, jobs: [] })) });
    render(QueueScreen, { app: browser.app });
    expect(screen.queryByRole('button', { name: /in its folder/ })).toBeNull();
  });

  it('cancels the waiting photos from the header, leaving the one being restored', async () => {
    const items = [item(1, { state: 'running' }), item(2), item(3)];
    const jobs = [{ kind: 'batch' as const, jobId: 1, counts: { total: 3, queued: 2, running: 1, done: 0, failed: 0, cancelled: 0, skipped: 0 }, paused: false, fraction: 0.1, elapsedMs: 0, etaMs: null, megapixelsPerSecond: null }];
    const { app, api } = await ready({ jobsList: vi.fn(async () => ({ items, jobs })) });
    render(QueueScreen, { app });
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel waiting' }));
    expect(api.jobsCancel).toHaveBeenCalledWith({ waiting: true });
    expect(screen.getByRole('button', { name: 'Cancel all' })).toBeTruthy();
  });

  it('reuses its row elements while scrolling, so a thumbnail never shows under another photo’s name', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => item(i + 1));
    const { app } = await ready({ jobsList: vi.fn(async () => ({ items, jobs: [] })) });
    render(QueueScreen, { app });
    const list = screen.getByRole('list', { name: 'Queued photos' });
    const first = screen.getAllByRole('listitem')[0]!;
    list.scrollTop = 72 * 100;
    await fireEvent.scroll(list);
    const rows = screen.getAllByRole('listitem');
    // The same element now shows a later item (a keyed list would have replaced it).
    expect(rows[0]).toBe(first);
    expect(rows[0]!.getAttribute('data-key')).not.toBe('1');
    // While scrolling no photo is fetched; a thumbnail never keeps the previous item's picture.
    expect(list.querySelectorAll('img').length).toBe(0);
    await waitFor(() => expect(list.querySelectorAll('img').length).toBe(rows.length), { timeout: 2000 });
    for (const r of rows) expect(r.querySelector('img')!.getAttribute('src')).toBe(`/img/p${r.getAttribute('data-key')}`);
  });

  it('has a designed empty state', async () => {
    const { app } = await ready();
    render(QueueScreen, { app });
    expect(screen.getByRole('region', { name: 'Nothing in the queue' })).toBeTruthy();
  });
});

describe('ModelsScreen and LibraryScreen', () => {
  it('speaks a photographer’s language: display name, what it is for, speed, size and licence in one line, hashes tucked away', async () => {
    const { app } = await ready();
    render(ModelsScreen, { app });
    const card = document.querySelector('[data-model-id="realesrgan-x4fast"]')!;
    expect(card.querySelector('h3')!.textContent).toBe('Real-ESRGAN x4 fast');
    expect(card.textContent).toContain('Quick sharpening and enlarging');
    expect(screen.getByTestId('model-facts').textContent!.replace(/\s+/g, ' ').trim()).toBe('about 2 s a megapixel (measured here) · 4.9 MB · licence BSD-3-Clause');
    // Jargon only inside the collapsed technical details.
    const visible = Array.from(card.children).filter((c) => c.tagName !== 'DETAILS').map((c) => c.textContent).join(' ');
    expect(visible).not.toMatch(/GAN upscaler|sha256|realesrgan-x4fast|AdaIN/i);
    // Grouped by what the packs do; the groups without a pack say where such packs come from.
    const groups = Array.from(document.querySelectorAll('[data-group]')).map((g) => g.querySelector('h2')!.textContent);
    expect(groups).toEqual(['Enhance (upscale)', 'Faces', 'Repair', 'Colour']);
    expect(screen.getByRole('region', { name: 'Colour' }).textContent).toMatch(/DDColor/);
  });

  it('shows a before/after sample on the cards of the packs that come with Revive, and none for other packs', async () => {
    const base = (await fakeApi().api.modelsList({})).models[0]!;
    const other = { ...base, id: 'someone-elses-pack', name: 'Someone’s pack', builtIn: false };
    const { app } = await ready({ modelsList: vi.fn(async () => ({ models: [base, other] })) });
    render(ModelsScreen, { app });
    const figure = screen.getByRole('figure', { name: 'Sample: before and after Real-ESRGAN x4 fast' });
    const srcs = Array.from(figure.querySelectorAll('img')).map((i) => i.getAttribute('src'));
    expect(srcs).toEqual(['samples/realesrgan-x4fast/before.png', 'samples/realesrgan-x4fast/after.png']);
    expect(document.querySelector('[data-model-id="someone-elses-pack"] figure')).toBeNull();
    // The files exist and are what the caption says: the crop, and the pack's 4× of it.
    for (const [id, sample] of Object.entries(PACK_SAMPLES)) {
      const size = (f: string) => sharp(path.join(PUBLIC, f)).metadata().then((m) => [m.width, m.height]);
      expect([id, await size(sample.before), await size(sample.after)]).toEqual([id, [64, 48], [256, 192]]);
    }
  });

  it('verifies a pack and keeps built-in packs from being removed', async () => {
    const { app, api } = await ready();
    render(ModelsScreen, { app });
    expect((screen.getByRole('button', { name: 'Remove' }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByRole('button', { name: 'Verify files' }));
    await screen.findByText('All files match their checksums');
    expect(api.modelsVerify).toHaveBeenCalledWith({ id: 'realesrgan-x4fast' });
  });

  it('shows an empty library with a way to start', async () => {
    const { app } = await ready();
    render(LibraryScreen, { app });
    await screen.findByRole('region', { name: 'Your library is empty' });
  });
});
