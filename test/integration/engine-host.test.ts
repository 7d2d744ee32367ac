/**
 * The engine process for real: child_process.fork of engine/process/main.ts running the realesrgan-x4fast pack on
 * small crops of real photos.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewRegion } from '../../src-main/core/region-preview';
import { EngineError } from '../../src-main/engine/engine-error';
import { EngineHost, type EnhanceJob } from '../../src-main/engine/host';
import { atomicTempPath } from '../../src-main/imaging/atomic';
import { decodeImage } from '../../src-main/imaging/read';
import { AbortedError, type StageProgress } from '../../src-main/pixels/types';
import { sha256, writePhotoFixtures } from '../fixtures/real-photos';

const PACK = path.resolve(import.meta.dirname, '../../models/realesrgan-x4fast');
let dir: string;
let small: string;
let medium: string;
let host: EngineHost;

/** True while a process with this id exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilDead(pid: number): Promise<void> {
  for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 25));
}

const job = (input: string, output: string, extra: Partial<EnhanceJob> = {}): EnhanceJob => ({
  input,
  output,
  modelDir: PACK,
  scale: 4,
  format: 'png',
  provider: 'cpu',
  threads: 2,
  ...extra,
});

beforeAll(async () => {
  expect(existsSync(path.join(PACK, 'revive-pack.json')), `the x4fast pack is missing at ${PACK}: run "npm run setup:packs"`).toBe(true);
  dir = await mkdtemp(path.join(os.tmpdir(), 'revive-engine-'));
  const written = await writePhotoFixtures(dir, [
    { name: 'small.jpg', width: 64, height: 48 },
    // Large enough for many 32 px tiles, so there is time to act between the first tile and the end.
    { name: 'medium.png', width: 192, height: 160, format: 'png' },
  ]);
  small = written[0]!;
  medium = written[1]!;
  host = new EngineHost();
});

afterAll(async () => {
  await host?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('EngineHost with the real engine process', () => {
  it('enhances a photo 4× with progress through every stage and leaves the original untouched', async () => {
    const before = await sha256(small);
    const stages = new Set<string>();
    const out = path.join(dir, 'small_x4.png');
    const result = await host.enhance(job(small, out), { onProgress: (p: StageProgress) => stages.add(p.stage) });
    expect(result).toMatchObject({ width: 256, height: 192, provider: 'cpu' });
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([256, 192, 'png']);
    expect([...stages]).toEqual(['decode', 'load-model', 'upscale', 'encode', 'write']);
    expect(await sha256(small)).toBe(before);
  });

  it('makes 2× and 1× by downscaling the model output', async () => {
    const two = await host.enhance(job(small, path.join(dir, 'small_x2.jpg'), { scale: 2, format: 'jpg' }));
    const one = await host.enhance(job(small, path.join(dir, 'small_x1.webp'), { scale: 1, format: 'webp' }));
    expect([two.width, two.height, one.width, one.height]).toEqual([128, 96, 64, 48]);
    expect((await sharp(path.join(dir, 'small_x2.jpg')).metadata()).width).toBe(128);
  });

  it('fails a bad file with its code and keeps the same engine for the next one', async () => {
    const html = path.join(dir, 'page.jpg');
    await writeFile(html, '<!doctype html><html><body>not a photo</body></html>');
    const pid = host.pid;
    const err = await host.enhance(job(html, path.join(dir, 'page_x4.png'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('NOT_AN_IMAGE');
    expect(existsSync(path.join(dir, 'page_x4.png'))).toBe(false);
    expect(host.pid).toBe(pid);
  });

  it('refuses to write over the original', async () => {
    const err = await host.enhance(job(small, small)).catch((e: unknown) => e);
    expect((err as EngineError).code).toBe('OUTPUT_IS_INPUT');
  });

  it('cancel kills the engine mid-image, leaves no output and no temp file, and the next call works', async () => {
    const out = path.join(dir, 'medium_cancel.png');
    const controller = new AbortController();
    const id = 'cancel-test-1';
    const pid = host.pid;
    expect(pid).toBeDefined();
    // A half-written temp file where this request's would be: the host must remove it after killing the engine.
    await writeFile(atomicTempPath(out, id), 'partial');
    await writeFile(`${atomicTempPath(out, id)}_exiftool_tmp`, 'partial');
    const err = await host
      .enhance(job(medium, out, { id, tile: 32 }), {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.stage === 'upscale' && p.done === 1) controller.abort();
        },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    await waitUntilDead(pid!);
    expect(alive(pid!)).toBe(false);
    expect(existsSync(out)).toBe(false);
    expect((await readdir(dir)).filter((n) => n.startsWith('.revive-tmp-'))).toEqual([]);

    const next = await host.enhance(job(small, path.join(dir, 'after_cancel.png')));
    expect(next.width).toBe(256);
    expect(host.pid).not.toBe(pid);
  });

  it('a cancelled request that has not started never reaches the engine', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(host.enhance(job(small, path.join(dir, 'never.png')), { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(existsSync(path.join(dir, 'never.png'))).toBe(false);
  });

  it('an engine killed with SIGKILL mid-image fails that item with the reason; the next item succeeds', async () => {
    const out = path.join(dir, 'medium_crash.png');
    let victim: number | undefined;
    const err = await host
      .enhance(job(medium, out, { tile: 32 }), {
        onProgress: (p) => {
          if (p.stage === 'upscale' && p.done === 1 && victim === undefined) {
            victim = host.pid;
            process.kill(victim!, 'SIGKILL'); // what the OOM killer does
          }
        },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('ENGINE_CRASHED');
    expect((err as EngineError).message).toMatch(/^engine process exited with signal SIGKILL/);
    expect(existsSync(out)).toBe(false);

    const next = await host.enhance(job(small, path.join(dir, 'after_crash.png')));
    expect([next.width, next.height]).toEqual([256, 192]);
    expect(host.pid).not.toBe(victim);
    expect((await readdir(dir)).filter((n) => n.startsWith('.revive-tmp-'))).toEqual([]);
  });

  it('previews a region: the engine crops the photo, writes the crop as the before PNG and restores just that', async () => {
    const previews = path.join(dir, 'previews');
    await mkdir(previews, { recursive: true });
    // Starts inside the 64×48 photo and runs past its corner: cut to 24×18.
    const r = await previewRegion(host, previews, small, { x: 40, y: 30, width: 32, height: 32 }, PACK, { scale: 4, device: 'cpu' });
    expect([r.width, r.height]).toEqual([96, 72]);
    const photo = await decodeImage(small);
    const before = await sharp(r.before).raw().toBuffer({ resolveWithObject: true });
    expect([before.info.width, before.info.height, before.info.channels]).toEqual([24, 18, 3]);
    const crop = Buffer.alloc(24 * 18 * 3);
    for (let y = 0; y < 18; y++) crop.set(photo.rgb.data.subarray(((30 + y) * 64 + 40) * 3, ((30 + y) * 64 + 64) * 3), y * 24 * 3);
    expect(before.data.equals(crop)).toBe(true);
    // The same pixels as enhancing the before PNG as a photo of its own (how the preview used to be made).
    const whole = path.join(dir, 'before_as_photo.png');
    await host.enhance(job(r.before, whole, { threads: undefined }));
    const after = await sharp(r.after).raw().toBuffer();
    expect(after.equals(await sharp(whole).raw().toBuffer())).toBe(true);
  });

  it('refuses a preview region that starts outside the photo with INVALID_REGION and leaves no files', async () => {
    const previews = path.join(dir, 'previews-bad');
    await mkdir(previews, { recursive: true });
    const err = await previewRegion(host, previews, small, { x: 64, y: 0, width: 16, height: 16 }, PACK, { scale: 4, device: 'cpu' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ code: 'INVALID_REGION', message: 'region 16×16 at 64,0 is outside the 64×48 photo' });
    expect(await readdir(previews)).toEqual([]);
  });

  it('dispatches each stage through the table: a pack serves only its own stage, and a chain enlarges once', async () => {
    const { modelDir: _unused, ...rest } = job(small, path.join(dir, 'chain.png'));
    const faces = await host.enhance({ ...rest, scale: 1, stages: [{ stage: 'faces', modelDir: PACK }] }).catch((e: unknown) => e);
    expect(faces).toMatchObject({ code: 'BAD_PACK', message: /is a pixel-sr pack, which serves the enhance stage, not faces/ });
    const twice = [
      { stage: 'enhance' as const, modelDir: PACK },
      { stage: 'enhance' as const, modelDir: PACK },
    ];
    await expect(host.enhance({ ...rest, stages: twice })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: /a chain may enlarge once; 2 of its stages enlarge/ });
    const chain = await host.enhance({ ...rest, scale: 2, stages: [{ stage: 'enhance', modelDir: PACK }] });
    expect([chain.width, chain.height]).toEqual([128, 96]);
  });

  it('disposes sessions on request and closes the engine process', async () => {
    const pid = host.pid!;
    await host.disposeSessions();
    expect(host.pid).toBe(pid); // still running, just without a model
    await host.close();
    expect(host.pid).toBeUndefined();
    await waitUntilDead(pid);
    expect(alive(pid)).toBe(false);
  });
});
