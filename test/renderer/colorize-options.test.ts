/** The start screen's colour options: offered only with a colorize pack installed, and what switching them on sends. */
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { ModelInfo } from '../../src-preload/contract';
import ColorizeOptions from '../../src-renderer/src/features/start/ColorizeOptions.svelte';
import { SETTINGS } from './fake-api';

const pack = (id: string, kind: ModelInfo['kind']): ModelInfo => ({
  id, name: id, version: '1', description: '', kind, scale: kind === 'pixel-sr' ? 4 : 1, speed: 'fast', sizeBytes: 1,
  licence: { id: 'x', summary: 'x' }, source: 'test', builtIn: false, secondsPerMegapixel: null,
});

describe('ColorizeOptions', () => {
  it('is disabled, and says where colour models come from, when no colorize pack is installed', () => {
    render(ColorizeOptions, { settings: SETTINGS, models: [pack('realesrgan-x4fast', 'pixel-sr'), pack('gfpgan', 'face-restore')], onChange: vi.fn() });
    expect((screen.getByLabelText('Colourise') as HTMLInputElement).closest('fieldset')!.disabled).toBe(true);
    expect(screen.getByTestId('colorize-note').textContent).toMatch(/No colour model is installed.*added on the Models screen/s);
  });

  it('switches colour on in auto mode with the first colorize pack, then offers which photos, the pack and the strength', async () => {
    const onChange = vi.fn();
    const models = [pack('realesrgan-x4fast', 'pixel-sr'), pack('ddcolor', 'colorize')];
    const view = render(ColorizeOptions, { settings: SETTINGS, models, onChange });
    expect((screen.getByLabelText('Colourise') as HTMLInputElement).closest('fieldset')!.disabled).toBe(false);
    await fireEvent.click(screen.getByLabelText('Colourise'));
    expect(onChange).toHaveBeenCalledWith({ colorize: 'auto', colorizePack: 'ddcolor' });
    await view.rerender({ settings: { ...SETTINGS, colorize: 'auto', colorizePack: 'ddcolor' }, models, onChange });
    await fireEvent.change(screen.getByLabelText('Colourise which photos'), { target: { value: 'on' } });
    expect(onChange).toHaveBeenLastCalledWith({ colorize: 'on' });
    expect(screen.getByLabelText('Colour model')).toBeTruthy();
    await fireEvent.change(screen.getByLabelText('Colour strength'), { target: { value: '0.5' } });
    expect(onChange).toHaveBeenLastCalledWith({ colorizeStrength: 0.5 });
    await fireEvent.click(screen.getByLabelText('Colourise'));
    expect(onChange).toHaveBeenLastCalledWith({ colorize: 'off' });
  });
});
