import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { enhanceImage } from '../../../../src-main/engine/process/enhance-image';
import { SessionCache } from '../../../../src-main/engine/process/session-cache';
import type { EnhanceRequest } from '../../../../src-main/engine/protocol';

const dir = mkdtempSync(path.join(os.tmpdir(), 'revive-repair-stage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// No model is opened by a pack-less chain: a cache whose opener fails proves it.
const sessions = new SessionCache(() => Promise.reject(new Error('no model expected')));
const hooks = { onProgress: () => {}, onWarning: () => {} };

/** A smooth gradient with a white speck at (40, 30) and a dark line along row 50. */
async function damagedPhoto(file: string): Promise<void> {
  const w = 120, h = 80;
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([80 + x, 100 + y / 2, 120], (y * w + x) * 3);
  for (let y = 29; y < 32; y++) for (let x = 39; x < 42; x++) data.set([255, 255, 255], (y * w + x) * 3);
  for (let x = 5; x < 115; x++) data.set([5, 5, 5], (50 * w + x) * 3);
  await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toFile(file);
}

function request(input: string, output: string, extra: Partial<EnhanceRequest['stages'][number]> = {}): EnhanceRequest {
  return { type: 'enhance', id: `r${Math.random().toString(36).slice(2, 8)}`, input, output, stages: [{ stage: 'repair', repair: { mode: 'auto' }, ...extra }], scale: 1, format: 'png', provider: 'cpu', metadata: 'none' };
}

describe('the pack-less repair stage', () => {
  it('repairs a photo at 1× without a model and writes the mask it repaired', async () => {
    const input = path.join(dir, 'in.png'), output = path.join(dir, 'out.png'), maskOut = path.join(dir, 'mask.png');
    await damagedPhoto(input);
    const r = await enhanceImage(request(input, output, { maskOut }), sessions, hooks);
    expect([r.width, r.height]).toEqual([120, 80]);
    const px = await sharp(output).raw().toBuffer();
    // The line pixel now looks like the row above it, not black.
    expect(Math.abs(px[(50 * 120 + 60) * 3]! - px[(48 * 120 + 60) * 3]!)).toBeLessThan(6);
    const mask = await sharp(maskOut).greyscale().raw().toBuffer();
    expect(mask[50 * 120 + 60]).toBe(255);
    expect(mask[30 * 120 + 40]).toBe(255);
    expect(mask[10 * 120 + 10]).toBe(0);
  });

  it('refuses a mask of the wrong size, naming both sizes', async () => {
    const input = path.join(dir, 'in2.png'), mask = path.join(dir, 'small-mask.png');
    await damagedPhoto(input);
    await sharp({ create: { width: 60, height: 40, channels: 3, background: '#ffffff' } }).png().toFile(mask);
    await expect(enhanceImage(request(input, path.join(dir, 'out2.png'), { mask }), sessions, hooks)).rejects.toThrow(/60×40 but the photo is 120×80/);
  });

  it('refuses a non-repair stage without a pack', async () => {
    const input = path.join(dir, 'in3.png');
    await damagedPhoto(input);
    const req = { ...request(input, path.join(dir, 'out3.png')), stages: [{ stage: 'enhance' as const }] };
    await expect(enhanceImage(req, sessions, hooks)).rejects.toThrow(/enhance stage needs a model pack/);
  });
});

describe('the repair provenance text', () => {
  it('names every option that shaped the result, with nothing that breaks the XMP history structure', async () => {
    const { describeRepair } = await import('../../../../src-main/engine/process/stages/repair');
    const text = describeRepair({ mode: 'auto', dust: true, scratches: false, sensitivity: 70, colour: 'restore', strength: 0.8 });
    expect(text).toBe('classical-repair (dust at sensitivity 70; colour restore 80 %)');
    expect(describeRepair({ mode: 'off', dust: true, scratches: true, sensitivity: 50, colour: 'off', strength: 1 }, '/a/b/mask.png')).toBe('classical-repair (mask mask.png)');
    expect(text).not.toMatch(/[,{}[\]|]/);
  });
});
