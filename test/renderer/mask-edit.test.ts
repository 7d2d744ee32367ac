/**
 * Issue 15 point 5 in the page: the repair mask's brush and eraser strokes (in the original's pixels), undo, the
 * contract's limits, "Repair again" sending strokes (never a file) and showing the new result once it is done; the
 * compare pair learning its mask from the library listing.
 */
import { describe, expect, it, vi } from 'vitest';
import { channels, type LibraryEntry } from '../../src-preload/contract';
import { CompareState } from '../../src-renderer/src/features/compare/compare-state.svelte';
import { MaskEditState, MAX_STROKES } from '../../src-renderer/src/features/compare/mask-edit-state.svelte';
import { fakeApi, item, SETTINGS } from './fake-api';

function entry(id: number, mask: string | null): LibraryEntry {
  return {
    id, source: '/p/scan.jpg', name: 'scan.jpg', output: `/p/scan_${id}.png`, sourceUrl: '/img/p/scan.jpg', outputUrl: `/img/out${id}`, thumbUrl: null,
    status: 'done', error: null, modelId: 'realesrgan-x4fast', settings: SETTINGS, inputWidth: 100, inputHeight: 80, outputWidth: 200, outputHeight: 160,
    ms: 10, device: 'CPU', camera: null, dateTaken: null, createdAt: '2026-01-01T00:00:00Z', repairMaskUrl: mask,
  };
}

describe('MaskEditState', () => {
  it('records brush and eraser strokes only while a tool is active, skips sub-pixel moves, and undoes the last', () => {
    const { api } = fakeApi();
    const m = new MaskEditState(api, () => undefined);
    expect(m.begin(1, 1)).toBe(false); // no tool: the pointer pans
    m.setTool('paint');
    expect(m.show).toBe(true);
    m.setRadius(7.4);
    expect(m.begin(10, 10)).toBe(true);
    m.extend(10.2, 10.1);
    m.extend(20, 15);
    m.end();
    m.setTool('erase');
    m.begin(5, 5);
    m.end();
    expect(m.strokes).toEqual([
      { tool: 'paint', radius: 7, points: [10, 10, 20, 15] },
      { tool: 'erase', radius: 7, points: [5, 5] },
    ]);
    m.undo();
    expect(m.strokes).toHaveLength(1);
    m.setTool('erase'); // the active tool again: put down
    expect(m.tool).toBeNull();
    m.setRadius(5000);
    expect(m.radius).toBe(200);
  });

  it('keeps within the contract: a long drag continues as further strokes, and no more than the request holds', () => {
    const { api } = fakeApi();
    const m = new MaskEditState(api, () => undefined);
    m.setTool('paint');
    m.begin(0, 0);
    for (let i = 1; i <= 2500; i++) m.extend(i, i % 7);
    m.end();
    expect(m.strokes.length).toBe(2);
    // The second stroke starts where the first ended, so the painted path has no gap.
    expect(m.strokes[1]!.points.slice(0, 2)).toEqual(m.strokes[0]!.points.slice(-2));
    expect(channels['library:repair-again'][0].safeParse({ id: 1, strokes: m.strokes }).success).toBe(true);
    for (let i = m.strokes.length; i < MAX_STROKES; i++) expect(m.begin(i, i)).toBe(true);
    expect(m.begin(1, 1)).toBe(false);
  });

  it('"Repair again" sends the strokes for the entry and hands over the new result once its item is done', async () => {
    const { api, emit } = fakeApi({
      jobsList: vi.fn(async () => ({ items: [item(3, { state: 'done', name: 'scan.jpg', libraryId: 8 })], jobs: [] })),
      libraryList: vi.fn(async () => ({ entries: [entry(7, '/img/m7'), entry(8, '/img/m8')], total: 2 })),
    });
    const m = new MaskEditState(api, () => undefined);
    m.setTool('paint');
    m.begin(4, 4);
    m.end();
    const onResult = vi.fn();
    await m.repairAgain(7, onResult);
    expect(api.libraryRepairAgain).toHaveBeenCalledWith({ id: 7, strokes: [{ tool: 'paint', radius: 12, points: [4, 4] }] });
    expect(m.busy).toBe(true);
    emit('job:progress', { kind: 'item', jobId: 3, itemId: 99, state: 'done', fraction: 1, etaMs: 0, elapsedMs: 1 } as never);
    emit('job:progress', { kind: 'item', jobId: 3, itemId: 3, state: 'done', fraction: 1, etaMs: 0, elapsedMs: 1 } as never);
    await vi.waitFor(() => expect(onResult).toHaveBeenCalledTimes(1));
    expect(onResult.mock.calls[0]![0]).toMatchObject({ id: 8, repairMaskUrl: '/img/m8' });
    expect(m.busy).toBe(false);
    expect(m.strokes).toEqual([]);
  });

  it('a failed repair is reported and the strokes stay for another try', async () => {
    const { api, emit } = fakeApi();
    const report = vi.fn();
    const m = new MaskEditState(api, report);
    m.setTool('paint');
    m.begin(4, 4);
    m.end();
    await m.repairAgain(7, () => expect.fail('no result'));
    emit('job:progress', { kind: 'item', jobId: 3, itemId: 3, state: 'failed', fraction: 0, etaMs: null, elapsedMs: 1, error: 'mask wrong size', code: 'BAD_REQUEST' } as never);
    expect(report).toHaveBeenCalledWith(expect.objectContaining({ message: 'mask wrong size', code: 'BAD_REQUEST' }));
    expect(m.busy).toBe(false);
    expect(m.strokes).toHaveLength(1);
  });
});

describe('CompareState and repair masks', () => {
  it('a pair opened without its mask learns it from the library listing, and each result choice carries its own', async () => {
    const { api } = fakeApi({ libraryList: vi.fn(async () => ({ entries: [entry(7, '/img/m7'), entry(8, null)], total: 2 })) });
    const c = new CompareState(api, () => undefined);
    c.open({ title: 'scan.jpg', beforeUrl: '/img/p/scan.jpg', afterUrl: '/img/out7', sourcePath: '/p/scan.jpg', libraryId: 7 });
    await c.loadChoices(() => 'x');
    expect(c.pair?.maskUrl).toBe('/img/m7');
    c.choose('b', 2);
    expect(c.pair).toMatchObject({ libraryId: 8, maskUrl: undefined });
    c.choose('b', 1);
    expect(c.pair?.maskUrl).toBe('/img/m7');
  });
});

describe('the mask panel in the compare screen', () => {
  it('appears only for a result with a mask; its Brush takes the pointer; Repair again waits for a stroke', async () => {
    const { render, screen, fireEvent } = await import('@testing-library/svelte');
    const { default: CompareScreen } = await import('../../src-renderer/src/features/compare/CompareScreen.svelte');
    const { AppState } = await import('../../src-renderer/src/lib/app-state.svelte');
    const { api } = fakeApi({ libraryList: vi.fn(async () => ({ entries: [entry(7, '/img/m7')], total: 1 })) });
    const app = new AppState(api);
    await app.init();
    app.compare.open({ title: 'scan.jpg', beforeUrl: '/img/p/scan.jpg', afterUrl: '/img/out7', sourcePath: '/p/scan.jpg', libraryId: 7, maskUrl: '/img/m7' });
    render(CompareScreen, { app });
    const show = (await screen.findByLabelText('Show repair mask')) as HTMLInputElement;
    expect(show.checked).toBe(false);
    expect(screen.queryByRole('button', { name: 'Brush' })).toBeNull(); // the tools come with the mask
    await fireEvent.click(show);
    await fireEvent.click(screen.getByRole('button', { name: 'Brush' }));
    expect(screen.getByRole('button', { name: 'Brush' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('mask-overlay').classList.contains('tool')).toBe(true);
    expect((screen.getByRole('button', { name: 'Repair again' }) as HTMLButtonElement).disabled).toBe(true);
    // Picking a region to preview puts the brush down, so the pointer reaches the picture.
    await fireEvent.click(screen.getByRole('button', { name: 'Preview a region' }));
    expect(screen.getByRole('button', { name: 'Brush' }).getAttribute('aria-pressed')).toBe('false');
    expect(screen.getByTestId('mask-overlay').classList.contains('tool')).toBe(false);
    // The original on the right has no mask: no panel.
    app.compare.choose('b', 0);
    await vi.waitFor(() => expect(screen.queryByLabelText('Show repair mask')).toBeNull());
  });
});
