/** The start screen's face options: offered only with a face-restore pack installed, and what switching them on sends. */
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { ModelInfo } from '../../src-preload/contract';
import FaceOptions from '../../src-renderer/src/features/start/FaceOptions.svelte';
import { SETTINGS } from './fake-api';

const pack = (id: string, kind: ModelInfo['kind']): ModelInfo => ({
  id, name: id, version: '1', description: '', kind, scale: kind === 'pixel-sr' ? 4 : 1, speed: 'fast', sizeBytes: 1,
  licence: { id: 'x', summary: 'x' }, source: 'test', builtIn: false, secondsPerMegapixel: null,
});

describe('FaceOptions', () => {
  it('is disabled, and says where face models come from, when no face-restore pack is installed', () => {
    render(FaceOptions, { settings: SETTINGS, models: [pack('realesrgan-x4fast', 'pixel-sr'), pack('blazeface-full', 'face-detect')], onChange: vi.fn() });
    expect((screen.getByLabelText('Restore faces') as HTMLInputElement).closest('fieldset')!.disabled).toBe(true);
    expect(screen.getByTestId('face-note').textContent).toMatch(/No face model is installed.*added on the Models screen/s);
  });

  it('switches faces on with the first face pack, then offers the pack and the fidelity', async () => {
    const onChange = vi.fn();
    const models = [pack('realesrgan-x4fast', 'pixel-sr'), pack('gfpgan', 'face-restore')];
    const view = render(FaceOptions, { settings: SETTINGS, models, onChange });
    await fireEvent.click(screen.getByLabelText('Restore faces'));
    expect(onChange).toHaveBeenCalledWith({ faces: 'auto', facePack: 'gfpgan' });
    await view.rerender({ settings: { ...SETTINGS, faces: 'auto', facePack: 'gfpgan' }, models, onChange });
    expect(screen.getByLabelText('Face model')).toBeTruthy();
    expect(screen.getByLabelText('Face fidelity')).toBeTruthy();
  });
});
