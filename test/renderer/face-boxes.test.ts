/**
 * Issue 16 point 5 in the renderer: the compare view's face overlay follows the shared viewport (zoom, pan, slider and
 * side by side), "Show faces" is offered only for a result with faces (including one opened from the queue, whose
 * faces come from its library row), and the models screen groups packs by what they do.
 */
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { FaceBox, LibraryEntry, ModelInfo } from '../../src-preload/contract';
import CompareScreen from '../../src-renderer/src/features/compare/CompareScreen.svelte';
import FaceBoxesOverlay from '../../src-renderer/src/features/compare/FaceBoxesOverlay.svelte';
import { faceLabel, facesSummary, LABEL_ROOM, LABEL_WIDTH, overlayPanes, placeFaces } from '../../src-renderer/src/features/compare/face-boxes';
import { groupPacks } from '../../src-renderer/src/features/models/model-words';
import ModelsScreen from '../../src-renderer/src/features/models/ModelsScreen.svelte';
import { AppState } from '../../src-renderer/src/lib/app-state.svelte';
import { fakeApi, SETTINGS } from './fake-api';

const FACES: FaceBox[] = [
  { x: 100, y: 40, width: 60, height: 64, score: 0.95, status: 'restored' },
  { x: 500, y: 8, width: 30, height: 32, score: 0.8, status: 'too-small' },
];

describe('face box geometry', () => {
  it('maps each box through the viewport: screen = image × scale + offset', () => {
    const view = { scale: 0.5, x: 12, y: 30 };
    const placed = placeFaces(FACES, view, 1000);
    expect(placed[0]).toMatchObject({ index: 0, status: 'restored', left: 12 + 50, top: 30 + 20, width: 30, height: 32, labelBelow: false, labelRight: false });
    // 30 + 8 × 0.5 = 34 px from the top: room for the label above (22 px) — at scale 0.1 it would not be.
    expect(placed[1]).toMatchObject({ left: 262, top: 34, width: 15, height: 16, labelBelow: false });
    expect(placeFaces(FACES, { scale: 0.1, x: 0, y: 0 }, 1000)[1]!.labelBelow).toBe(0.8 < LABEL_ROOM);
  });

  it('numbers faces left to right whatever order the stage reported them in, and keeps labels inside the pane', () => {
    const reported = [FACES[1]!, FACES[0]!, { ...FACES[0]!, x: 100, y: 200 }];
    expect(placeFaces(reported, { scale: 1, x: 0, y: 0 }, 1000).map((f) => f.number)).toEqual([3, 1, 2]);
    // A box 100 px from a 600 px pane's right edge: its label (up to LABEL_WIDTH) ends at the box's right edge.
    const near = placeFaces([{ ...FACES[0]!, x: 500, width: 60 }], { scale: 1, x: 0, y: 0 }, 600)[0]!;
    expect(near.labelRight).toBe(500 + LABEL_WIDTH > 600);
    expect(placeFaces([{ ...FACES[0]!, x: 100 }], { scale: 1, x: 0, y: 0 }, 600)[0]!.labelRight).toBe(false);
  });

  it('covers the stage once with the slider, and each half side by side', () => {
    expect(overlayPanes(801, false)).toEqual([{ left: 0, width: 801 }]);
    expect(overlayPanes(801, true)).toEqual([
      { left: 0, width: 400.5 },
      { left: 400.5, width: 400.5 },
    ]);
  });

  it('labels and sums up in plain words', () => {
    expect(faceLabel({ number: 1, status: 'restored' })).toBe('Face 1');
    expect(faceLabel({ number: 2, status: 'too-small' })).toBe('Face 2 · too small');
    expect(facesSummary(FACES)).toBe('1 face restored, 1 too small');
    expect(facesSummary([FACES[0]!, FACES[0]!])).toBe('2 faces restored');
  });
});

describe('FaceBoxesOverlay', () => {
  it('draws one box per face with its status, twice side by side, and takes no pointer events', () => {
    const { rerender } = render(FaceBoxesOverlay, { faces: FACES, view: { scale: 2, x: -10, y: 5 }, side: false });
    const boxes = screen.getAllByTestId('face-box');
    expect(boxes.map((b) => [b.dataset.status, b.style.transform, b.style.width, b.style.height])).toEqual([
      ['restored', 'translate(190px, 85px)', '120px', '128px'],
      ['too-small', 'translate(990px, 21px)', '60px', '64px'],
    ]);
    expect(boxes[1]!.textContent).toBe('Face 2 · too small');
    expect(screen.getByTestId('face-legend').textContent).toMatch(/restored.*too small, left as it was/s);
    void rerender({ faces: FACES, view: { scale: 2, x: -10, y: 5 }, side: true });
    return waitFor(() => expect(screen.getAllByTestId('face-box').map((b) => b.dataset.pane)).toEqual(['0', '0', '1', '1']));
  });
});

function entry(id: number, faces?: FaceBox[]): LibraryEntry {
  return {
    id, source: '/p/group.jpg', name: 'group.jpg', output: `/p/group_${id}.png`, sourceUrl: '/img/p/group.jpg', outputUrl: `/img/out${id}`,
    thumbUrl: null, status: 'done', error: null, modelId: 'realesrgan-x4fast', settings: { ...SETTINGS, scale: 2 }, inputWidth: 400,
    inputHeight: 300, outputWidth: 800, outputHeight: 600, ms: 10, device: 'CPU', camera: null, dateTaken: null, createdAt: '2026-01-01T00:00:00Z',
    ...(faces ? { faces } : {}),
  };
}

async function compareOf(entries: LibraryEntry[]) {
  const f = fakeApi({ libraryList: vi.fn(async () => ({ entries, total: entries.length })) });
  const app = new AppState(f.api);
  await app.init();
  return app;
}

describe('Show faces in the compare screen', () => {
  it('is offered for a result opened from the queue once its library row brings the faces, and toggles the overlay', async () => {
    const app = await compareOf([entry(1, FACES), entry(2)]);
    // From the queue: the library id and the image, no faces yet.
    app.compare.open({ title: 'group.jpg', beforeUrl: '/img/p/group.jpg', afterUrl: '/img/out1', sourcePath: '/p/group.jpg', libraryId: 1 });
    app.compare.setImageSize({ width: 800, height: 600 });
    render(CompareScreen, { app });
    const toggle = await screen.findByRole('button', { name: 'Show faces' });
    expect(toggle.getAttribute('title')).toBe('1 face restored, 1 too small');
    expect(screen.queryByTestId('face-overlay')).toBeNull();
    await fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    expect(screen.getAllByTestId('face-box')).toHaveLength(2);
    // The other result has no faces stage: no toggle, no overlay.
    await fireEvent.change(screen.getByLabelText('Right image'), { target: { value: '2' } });
    expect(screen.queryByRole('button', { name: 'Show faces' })).toBeNull();
    expect(screen.queryByTestId('face-overlay')).toBeNull();
    // Holding for the original hides the boxes.
    await fireEvent.change(screen.getByLabelText('Right image'), { target: { value: '1' } });
    await screen.findByTestId('face-overlay');
    app.compare.hold(true);
    await waitFor(() => expect(screen.queryByTestId('face-overlay')).toBeNull());
  });
});

describe('the models screen’s groups', () => {
  const pack = (id: string, kind: string): ModelInfo => ({
    id, name: id, version: '1', description: '', kind: kind as ModelInfo['kind'], scale: 1, speed: 'fast', sizeBytes: 1,
    licence: { id: 'MIT', summary: 'free' }, source: 'test', builtIn: false, secondsPerMegapixel: null,
  });

  it('puts each pack under what it does and keeps unknown kinds apart', () => {
    const packs = [pack('a', 'pixel-sr'), pack('b', 'face-detect'), pack('c', 'onestep-diffusion'), pack('d', 'colorize'), pack('e', 'future-kind')];
    const { groups, other } = groupPacks(packs);
    expect(groups.map((g) => [g.group.title, g.models.map((m) => m.id)])).toEqual([
      ['Enhance (upscale)', ['a', 'c']],
      ['Faces', ['b']],
      ['Repair', []],
      ['Colour', ['d']],
    ]);
    expect(other.map((m) => m.id)).toEqual(['e']);
  });

  it('says where face packs come from while only the detector is installed, and not once a face pack is', async () => {
    const base = (await fakeApi().api.modelsList({})).models[0]!;
    const f = fakeApi({ modelsList: vi.fn(async () => ({ models: [base, pack('blazeface-full', 'face-detect')] })) });
    const app = new AppState(f.api);
    await app.init();
    const { unmount } = render(ModelsScreen, { app });
    const faces = await screen.findByRole('region', { name: 'Faces' });
    await waitFor(() => expect(faces.querySelector('[data-model-id="blazeface-full"]')).not.toBeNull());
    expect(faces.querySelector('[data-testid="group-source"]')!.textContent).toMatch(/GFPGAN or CodeFormer/);
    expect(screen.getByRole('region', { name: 'Enhance (upscale)' }).querySelector('[data-testid="group-source"]')).toBeNull();
    unmount();
    const g = fakeApi({ modelsList: vi.fn(async () => ({ models: [base, pack('gfpgan', 'face-restore')] })) });
    const app2 = new AppState(g.api);
    await app2.init();
    render(ModelsScreen, { app: app2 });
    const faces2 = await screen.findByRole('region', { name: 'Faces' });
    await waitFor(() => expect(faces2.querySelector('[data-model-id="gfpgan"]')).not.toBeNull());
    expect(faces2.querySelector('[data-testid="group-source"]')).toBeNull();
  });
});
