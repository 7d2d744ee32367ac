/** Issue 13 points 2 and 4: presets, result sizes, time estimates before the first run, large-photo defaults. */
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { ModelInfo } from '../../src-preload/contract';
import StartScreen from '../../src-renderer/src/features/start/StartScreen.svelte';
import { describeResult, estimateSeconds, NOMINAL_MACS_PER_CORE, resultSize, scaleFor, speedOf } from '../../src-preload/estimate';
import { activePreset, PRESETS, presetSettings } from '../../src-renderer/src/features/start/presets';
import { AppState } from '../../src-renderer/src/lib/app-state.svelte';
import { fakeApi, SETTINGS } from './fake-api';

const model = (id: string, patch: Partial<ModelInfo> = {}): ModelInfo => ({
  id,
  name: id,
  version: '1',
  description: '',
  kind: 'pixel-sr',
  scale: 4,
  speed: 'fast',
  sizeBytes: 1,
  licence: { id: 'BSD-3-Clause', summary: 'free' },
  source: 'test',
  builtIn: true,
  secondsPerMegapixel: null,
  ...patch,
});
const cpu = { cpuCores: 2, provider: 'cpu' as const };

describe('result size and time estimates', () => {
  it('describes the result size as the issue asks', () => {
    expect(describeResult(4000, 3000, 2)).toBe('4000×3000 → 8000×6000, about 48 MP');
    expect(describeResult(320, 240, 4)).toBe('320×240 → 1280×960, about 1.2 MP');
    expect(resultSize(6000, 4000, 4).megapixels).toBe(384);
  });

  it('uses the measured speed first, then another measured model scaled by cost, then the cost at the nominal rate', () => {
    const fast = model('fast', { macsPerInputPixel: 1_209_024 });
    const plus = model('plus', { macsPerInputPixel: 17_926_848 });
    // Nothing measured yet: cost ÷ (nominal rate × cores), computed independently here.
    const nominal = speedOf(plus, [fast, plus], cpu)!;
    expect(nominal.basis).toBe('cost');
    expect(nominal.secondsPerMegapixel).toBeCloseTo((17_926_848 * 1e6) / (NOMINAL_MACS_PER_CORE * 2), 6);
    // fast measured at 10 s/MP: plus costs 14.83× as much per pixel.
    const measuredFast = { ...fast, secondsPerMegapixel: 10 };
    const compared = speedOf(plus, [measuredFast, plus], cpu)!;
    expect(compared.basis).toBe('compared');
    expect(compared.secondsPerMegapixel).toBeCloseTo((10 * 17_926_848) / 1_209_024, 6);
    expect(speedOf(measuredFast, [measuredFast], cpu)).toEqual({ secondsPerMegapixel: 10, basis: 'measured' });
    // A GPU's rate is not guessed from CPU cores; a pack without a cost gives no estimate.
    expect(speedOf(plus, [plus], { cpuCores: 2, provider: 'cuda' })).toBeNull();
    expect(speedOf(model('x'), [], cpu)).toBeNull();
    expect(estimateSeconds(2, { secondsPerMegapixel: 3, basis: 'cost' })).toBe(6);
  });

  it('keeps a photo of 12 MP or more at 2× at most unless the person chose the scale', () => {
    expect(scaleFor(24, 4, false)).toBe(2);
    expect(scaleFor(12, 3, false)).toBe(2);
    expect(scaleFor(24, 1, false)).toBe(1);
    expect(scaleFor(11.9, 4, false)).toBe(4);
    expect(scaleFor(24, 4, true)).toBe(4);
  });
});

describe('presets', () => {
  const installed = [model('realesrgan-x4fast'), model('realesrgan-x4plus')];
  it('set model and scale from the packs installed, Custom changes nothing', () => {
    const byId = Object.fromEntries(PRESETS.map((p) => [p.id, presetSettings(p, installed)]));
    expect(byId['old-photo']).toMatchObject({ modelId: 'realesrgan-x4plus', scale: 2 });
    expect(byId.sharpen).toMatchObject({ modelId: 'realesrgan-x4plus', scale: 4 });
    expect(byId.faithful).toMatchObject({ modelId: 'realesrgan-x4fast', scale: 2 });
    expect(byId.custom).toBeNull();
    // A diffusion pack, once installed, is what "Old photo" uses.
    const withDiffusion = [...installed, model('osediff', { kind: 'onestep-diffusion' })];
    expect(presetSettings(PRESETS[0]!, withDiffusion)).toMatchObject({ modelId: 'osediff' });
  });

  it('names the preset the settings match, else Custom', () => {
    expect(activePreset({ modelId: 'realesrgan-x4plus', scale: 4 }, installed)).toBe('sharpen');
    expect(activePreset({ modelId: 'realesrgan-x4fast', scale: 3 }, installed)).toBe('custom');
  });
});

describe('the start screen', () => {
  it('shows each result size and the batch time, and keeps a 24 MP photo at 2× with a note', async () => {
    const f = fakeApi({
      inputsAdd: vi.fn(async () => ({ added: [{ path: '/p/big.jpg', name: 'big.jpg', url: '/img/big', sizeBytes: 9e6, width: 6000, height: 4000 }], rejected: [] })),
    });
    const app = new AppState(f.api);
    await app.init();
    expect(app.settings.defaults?.scale).toBe(SETTINGS.scale); // 4×
    render(StartScreen, { app });
    await app.start.addPaths(['/p/big.jpg']);
    await screen.findByText('6000×4000 → 12000×8000, about 96 MP', { selector: '.size' });
    expect(screen.getByTestId('result-size').textContent).toBe('6000×4000 → 12000×8000, about 96 MP');
    // 24 MP at the fake's measured 2 s a megapixel.
    expect(screen.getByTestId('time-estimate').textContent).toBe('about 48 s');
    expect(screen.getByTestId('scale-note').textContent).toContain('already over 12 MP');
    await fireEvent.click(screen.getByRole('button', { name: 'Restore 1 photo' }));
    await waitFor(() => expect(f.api.jobsStart).toHaveBeenCalled());
    expect(f.api.jobsStart.mock.calls[0]![0]).toMatchObject({ settings: { scale: 2 } });
  });

  it('lets the person choose 4× for a large photo on purpose', async () => {
    const f = fakeApi({
      inputsAdd: vi.fn(async () => ({ added: [{ path: '/p/big.jpg', name: 'big.jpg', url: '/img/big', sizeBytes: 9e6, width: 6000, height: 4000 }], rejected: [] })),
    });
    const app = new AppState(f.api);
    await app.init();
    render(StartScreen, { app });
    await app.start.addPaths(['/p/big.jpg']);
    await fireEvent.click(await screen.findByRole('radio', { name: '4×' }));
    await waitFor(() => expect(screen.queryByTestId('scale-note')).toBeNull());
    expect(screen.getByTestId('result-size').textContent).toContain('24000×16000');
  });
});
