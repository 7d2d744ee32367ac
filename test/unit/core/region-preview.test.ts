/**
 * The region preview's pieces that need no model: the rectangle clamped to the photo (or refused), the crop of the
 * decoded pixels, and the core side that names the files, asks the engine and cleans up after a failure.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewRegion } from '../../../src-main/core/region-preview';
import { EngineError } from '../../../src-main/engine/engine-error';
import type { EnhanceJob } from '../../../src-main/engine/host';
import { clampRegion, cropPixels } from '../../../src-main/engine/process/region';

describe('clampRegion', () => {
  it('keeps a rectangle inside the photo as it is', () => {
    expect(clampRegion({ x: 2, y: 3, width: 8, height: 5 }, 20, 10)).toEqual({ x: 2, y: 3, w: 8, h: 5 });
    expect(clampRegion({ x: 0, y: 0, width: 20, height: 10 }, 20, 10)).toEqual({ x: 0, y: 0, w: 20, h: 10 });
  });

  it('cuts a rectangle that runs past the right or bottom edge', () => {
    expect(clampRegion({ x: 15, y: 8, width: 64, height: 64 }, 20, 10)).toEqual({ x: 15, y: 8, w: 5, h: 2 });
    expect(clampRegion({ x: 19, y: 9, width: 8, height: 8 }, 20, 10)).toEqual({ x: 19, y: 9, w: 1, h: 1 });
  });

  it('refuses a rectangle that starts outside the photo with INVALID_REGION', () => {
    for (const rect of [
      { x: 20, y: 0, width: 8, height: 8 },
      { x: 0, y: 10, width: 8, height: 8 },
      { x: 500, y: 500, width: 64, height: 64 },
      { x: -1, y: 0, width: 8, height: 8 },
    ]) {
      let err: unknown;
      try {
        clampRegion(rect, 20, 10);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EngineError);
      expect(err).toMatchObject({ code: 'INVALID_REGION', message: `region ${rect.width}×${rect.height} at ${rect.x},${rect.y} is outside the 20×10 photo` });
    }
  });
});

describe('cropPixels', () => {
  /** A W×H image whose every sample says where it is: (y·W + x)·C + c. */
  function ramp(W: number, H: number, C: 3 | 4, deep: boolean) {
    const n = W * H * C;
    const data = deep ? new Uint16Array(n) : new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = deep ? i * 97 : i % 251;
    return { data, width: W, height: H, channels: C };
  }

  for (const [C, deep] of [[3, false], [4, false], [3, true]] as const) {
    it(`copies exactly the rows and columns of the rectangle (${C} channels, ${deep ? 16 : 8}-bit)`, () => {
      const img = ramp(7, 5, C, deep);
      const out = cropPixels(img, { x: 2, y: 1, w: 4, h: 3 });
      expect([out.width, out.height, out.channels]).toEqual([4, 3, C]);
      expect(out.data).toBeInstanceOf(deep ? Uint16Array : Uint8Array);
      for (let y = 0; y < 3; y++) {
        for (let x = 0; x < 4; x++) {
          for (let c = 0; c < C; c++) expect(out.data[(y * 4 + x) * C + c]).toBe(img.data[((y + 1) * 7 + x + 2) * C + c]);
        }
      }
      // A copy, not a view: the crop may be written over without touching the photo.
      out.data[0] = 0;
      expect(img.data[(1 * 7 + 2) * C]).not.toBe(0);
    });
  }
});

describe('previewRegion (core side, fake engine)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'revive-region-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('asks the engine for the region with a before and an after file in the previews folder', async () => {
    const calls: EnhanceJob[] = [];
    const host = {
      enhance: async (job: EnhanceJob) => {
        calls.push(job);
        return { id: 'x', width: 128, height: 64, ms: 5, provider: 'cpu', warnings: [] };
      },
    };
    const r = await previewRegion(host, dir, '/photos/p.jpg', { x: 10, y: 20, width: 32, height: 16 }, '/models/x4', { scale: 4, device: 'cpu' });
    expect(calls).toHaveLength(1);
    const job = calls[0]!;
    expect(job).toMatchObject({ input: '/photos/p.jpg', modelDir: '/models/x4', scale: 4, format: 'png', provider: 'cpu' });
    expect(job.region).toEqual({ x: 10, y: 20, width: 32, height: 16, before: r.before });
    expect(job.output).toBe(r.after);
    expect(path.dirname(r.before)).toBe(dir);
    expect(path.dirname(r.after)).toBe(dir);
    expect(path.basename(r.before)).toMatch(/^[0-9a-f-]{36}-before\.png$/);
    expect(path.basename(r.after)).toBe(path.basename(r.before).replace('-before', '-after'));
    expect(r).toMatchObject({ width: 128, height: 64 });
    expect(r.ms).toBeGreaterThanOrEqual(0);
  });

  it('passes the engine\'s coded error on and removes the before file it may have written', async () => {
    let before = '';
    const host = {
      enhance: async (job: EnhanceJob) => {
        before = job.region!.before;
        await writeFile(before, 'crop');
        throw new EngineError('INVALID_REGION', 'region 64×64 at 900,0 is outside the 800×600 photo');
      },
    };
    const err = await previewRegion(host, dir, '/photos/p.jpg', { x: 900, y: 0, width: 64, height: 64 }, '/models/x4', { scale: 2, device: 'auto' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_REGION' });
    expect(before).not.toBe('');
    expect(existsSync(before)).toBe(false);
  });
});
