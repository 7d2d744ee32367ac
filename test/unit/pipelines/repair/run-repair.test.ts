import { describe, expect, it } from 'vitest';
import { RepairOptionsSchema } from '../../../../src-main/pipelines/repair/options';
import { runRepair } from '../../../../src-main/pipelines/repair/run-repair';
import type { PixelBuffer } from '../../../../src-main/pixels/types';

function photo(w: number, h: number): PixelBuffer {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data.set([100 + (i % w) / 4, 120, 90 + Math.floor(i / w) / 4], i * 3);
  // A white speck and a dark line.
  for (let y = 20; y < 24; y++) for (let x = 30; x < 34; x++) data.set([250, 250, 250], (y * w + x) * 3);
  for (let x = 10; x < w - 10; x++) data.set([10, 10, 10], (60 * w + x) * 3);
  return { data, width: w, height: h, channels: 3 };
}

describe('runRepair', () => {
  const auto = RepairOptionsSchema.parse({ mode: 'auto' });

  it('repairs what it detects, reports each stage, and reproduces its result bit for bit', () => {
    const img = photo(160, 100);
    const stages = new Set<string>();
    const a = runRepair(img, { ...auto, colour: 'restore', onProgress: (p) => stages.add(p.stage) });
    const b = runRepair(img, { ...auto, colour: 'restore' });
    expect(a.mask[22 * 160 + 32]).toBe(1);
    expect(a.mask[60 * 160 + 80]).toBe(1);
    // The line is filled like its surroundings (the colour restore moved both alike).
    expect(Math.abs(a.rgb.data[(60 * 160 + 80) * 3]! - a.rgb.data[(57 * 160 + 80) * 3]!)).toBeLessThan(6);
    expect(a.rgb.data).toEqual(b.rgb.data);
    expect([...stages]).toEqual(['detect', 'inpaint', 'colour-restore']);
    // The original buffer is not touched.
    expect(img.data[(60 * 160 + 80) * 3]).toBe(10);
  });

  it('uses the given mask instead of detecting, and refuses one of the wrong size', () => {
    const img = photo(160, 100);
    const mask = new Uint8Array(160 * 100);
    mask[22 * 160 + 32] = 1;
    const r = runRepair(img, { ...auto, mask });
    expect(r.mask).toBe(mask);
    expect(r.rgb.data[(60 * 160 + 80) * 3]).toBe(10);
    expect(() => runRepair(img, { ...auto, mask: new Uint8Array(10) })).toThrow(/10 pixels, the photo 16000/);
  });

  it('does nothing with detection off and no mask or colour', () => {
    const img = photo(64, 64);
    const r = runRepair(img, RepairOptionsSchema.parse({ mode: 'off' }));
    expect(r.rgb.data).toEqual(img.data);
  });
});
