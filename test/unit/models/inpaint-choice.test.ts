import { describe, expect, it } from 'vitest';
import { inpaintPackOf, resolveInpaintPack } from '../../../src-main/models/inpaint-choice';
import type { InstalledPack } from '../../../src-main/models/registry';

const pack = (id: string, kind: string): InstalledPack => ({ id, dir: `/p/${id}`, manifest: { id, kind } }) as unknown as InstalledPack;
const installed = [pack('realesrgan-x4fast', 'pixel-sr'), pack('lama-b', 'inpaint'), pack('lama-a', 'inpaint')];

describe('the inpainting pack a job records', () => {
  it('auto (and absent) takes the installed inpainting pack, the first by id when there are several', () => {
    expect(resolveInpaintPack(undefined, installed)).toBe('lama-a');
    expect(resolveInpaintPack('auto', installed)).toBe('lama-a');
  });

  it('auto with none installed, and none, record the classical method', () => {
    expect(resolveInpaintPack('auto', [pack('realesrgan-x4fast', 'pixel-sr')])).toBe('none');
    expect(resolveInpaintPack('none', installed)).toBe('none');
  });

  it('a named pack must be an installed inpainting pack', () => {
    expect(resolveInpaintPack('lama-b', installed)).toBe('lama-b');
    expect(() => resolveInpaintPack('realesrgan-x4fast', installed)).toThrow(/"realesrgan-x4fast" is a pixel-sr pack, not an inpainting pack/);
    expect(() => resolveInpaintPack('lama-c', installed)).toThrow(/no inpainting pack "lama-c" is installed/);
  });

  it('names a pack to run only for a recorded id', () => {
    expect(inpaintPackOf('lama-a')).toBe('lama-a');
    for (const v of ['none', 'auto', undefined]) expect(inpaintPackOf(v)).toBeUndefined();
  });
});
