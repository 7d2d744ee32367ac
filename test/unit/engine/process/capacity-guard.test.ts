/**
 * The engine's own guard for results this platform cannot hold (issue 12 F16): a photo refused before any model
 * runs, with a one-line reason that names what would work, not "Invalid typed array length" after the model ran.
 * The host refuses such photos from their headers first (jobs/input-limit.ts); this covers every other caller.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enhanceImage } from '../../../../src-main/engine/process/enhance-image';
import { SessionCache } from '../../../../src-main/engine/process/session-cache';

const ROOT = path.resolve(import.meta.dirname, '../../../..');
let tmp: string;
let input: string;

describe('the engine refuses a result larger than this platform holds, before the model runs', () => {
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'revive-capacity-'));
    input = path.join(tmp, 'wide.jpg');
    // 9 600 × 9 400 = 90.2 MP of flat grey (a tiny JPEG): more than the 89.5 MP a 4× model's 8-bit result allows.
    await sharp({ create: { width: 9600, height: 9400, channels: 3, background: '#777777' } }).jpeg({ quality: 50 }).toFile(input);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('at 1× with a 4× model (it always works at 4×)', async () => {
    let ran = 0;
    const sessions = new SessionCache(async () => {
      ran++;
      throw new Error('no model may be opened');
    });
    const hooks = { onProgress: () => {}, onWarning: () => {} };
    const req = {
      type: 'enhance' as const,
      id: 'capacity',
      input,
      output: path.join(tmp, 'out.png'),
      stages: [{ stage: 'enhance' as const, modelDir: path.join(ROOT, 'models', 'realesrgan-x4fast') }],
      scale: 1 as const,
      format: 'png' as const,
      provider: 'cpu' as const,
    };
    await expect(enhanceImage(req, sessions, hooks)).rejects.toMatchObject({
      code: 'TOO_LARGE',
      message: expect.stringMatching(/wide\.jpg: 9600×9400 \(90\.2 MP\) is too large for this model on this computer: it always works at 4×/),
    });
    expect(ran).toBe(0);
  }, 120_000);
});
