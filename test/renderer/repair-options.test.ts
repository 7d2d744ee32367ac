import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import RepairOptions from '../../src-renderer/src/features/start/RepairOptions.svelte';
import type { RestoreSettings } from '../../src-preload/contract';

const settings = { scale: 4, strength: 1 } as unknown as RestoreSettings;

describe('RepairOptions', () => {
  it('"Old photo" turns on detection and colour restore', async () => {
    const onChange = vi.fn();
    render(RepairOptions, { settings, onChange });
    await fireEvent.click(screen.getByRole('button', { name: 'Old photo' }));
    expect(onChange).toHaveBeenCalledWith({ repair: { mode: 'auto', dust: true, scratches: true, sensitivity: 50, colour: 'restore', strength: 1 } });
  });

  it('shows the sensitivity only while detection is on and passes its value', async () => {
    const onChange = vi.fn();
    const { rerender } = render(RepairOptions, { settings, onChange });
    expect(screen.queryByRole('slider', { name: 'Repair sensitivity' })).toBeNull();
    await rerender({ settings: { ...settings, repair: { mode: 'auto', dust: true, scratches: true, sensitivity: 50, colour: 'off', strength: 1 } }, onChange });
    const slider = screen.getByRole('slider', { name: 'Repair sensitivity' });
    await fireEvent.change(slider, { target: { value: '70' } });
    expect(onChange).toHaveBeenLastCalledWith({ repair: expect.objectContaining({ mode: 'auto', sensitivity: 70 }) });
  });
});
