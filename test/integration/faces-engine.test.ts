/**
 * The faces stage through the engine's chain with the real embedded BlazeFace and generated face packs whose output
 * is known: an identity pack is invisible, a brightening pack changes the face region and nothing else, a photo
 * without faces skips the stage and says so, and a print turned on its side is still searched.
 * Needs `npm run setup:packs` (models/blazeface-full) and Debian's opencv-doc (the fixture photos).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enhanceImage } from '../../src-main/engine/process/enhance-image';
import { openModel } from '../../src-main/engine/process/session';
import { closeMetadataTool, readGroupedTags } from '../../src-main/imaging/metadata';
import { SessionCache } from '../../src-main/engine/process/session-cache';
import type { EnhanceRequest } from '../../src-main/engine/protocol';
import { loadPack, type LoadedOneStepPack } from '../../src-main/engine/process/pack';
import { openOneStepSessions } from '../../src-main/engine/process/diffusion-sessions';
import { resize } from '../../src-main/engine/process/stages/onestep-diffusion';
import { restoreFaces } from '../../src-main/pipelines/faces/restore-faces';
import { runOneStepDiffusion } from '../../src-main/pipelines/onestep-diffusion';
import { writeDiffusionFacePack, writeFacePack } from '../fixtures/face-packs';
import { writeTinyPack } from '../fixtures/tiny-packs';
import fixtures from '../fixtures/faces/faces.json' with { type: 'json' };

const DETECTOR = path.resolve('models', 'blazeface-full');
let work: string;
const cache = new SessionCache((model, opts) => openModel(model, { ...opts, provider: 'cpu', threads: 1 }));

/** basketball1.png at 2× (its face becomes ~66 px, over the 40 px minimum), as PNG, optionally turned. */
async function facePhoto(name: string, rotate = 0): Promise<string> {
  const file = path.join(work, name);
  const src = path.join(fixtures.dir, 'basketball1.png');
  await sharp(await sharp(src).removeAlpha().resize(1280).png().toBuffer()).rotate(rotate).png().toFile(file);
  return file;
}

async function raw(file: string): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

async function runFaces(input: string, modelDir: string, out: string, extra: Partial<EnhanceRequest['stages'][number]> = {}, metadata: 'none' | 'all' = 'none') {
  const warnings: string[] = [];
  const req: EnhanceRequest = {
    type: 'enhance', id: 'faces', input, output: path.join(work, out), scale: 1, format: 'png', provider: 'cpu', threads: 1, metadata,
    stages: [{ stage: 'faces', modelDir, detectorDir: DETECTOR, ...extra }],
  };
  const done = await enhanceImage(req, cache, { onProgress: () => {}, onWarning: (m) => warnings.push(m) });
  return { done, warnings, out: req.output };
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'revive-faces-'));
  await writeFacePack(path.join(work, 'identity'), { effect: 'identity' });
  await writeFacePack(path.join(work, 'brighten'), { effect: 'brighten', amount: 0.1, colorMatch: 'none' });
});
afterAll(async () => {
  await closeMetadataTool();
  await cache.dispose();
  await rm(work, { recursive: true, force: true });
});

describe('faces stage', () => {
  it('an identity pack leaves the photo unchanged (≤ 1/255 everywhere, ≥ 45 dB in the face) and reports the face', async () => {
    const input = await facePhoto('identity-in.png');
    const { done, out } = await runFaces(input, path.join(work, 'identity'), 'identity-out.png');
    const marked = fixtures.photos[1]!.faces[0]!;
    expect(done.faces).toHaveLength(1);
    const f = done.faces![0]!;
    // The hand-marked face at 2×, within a quarter of its width.
    expect(Math.abs(f.x + f.width / 2 - 2 * (marked.x + marked.width / 2))).toBeLessThan(marked.width / 2);
    expect(Math.abs(f.y + f.height / 2 - 2 * (marked.y + marked.height / 2))).toBeLessThan(marked.height / 2);
    const a = await raw(input);
    const b = await raw(out);
    let maxDiff = 0;
    let sq = 0;
    let n = 0;
    for (let i = 0; i < a.data.length; i++) {
      const d = a.data[i]! - b.data[i]!;
      maxDiff = Math.max(maxDiff, Math.abs(d));
      const p = Math.floor(i / 3);
      const x = p % a.width;
      const y = Math.floor(p / a.width);
      if (x >= f.x && x < f.x + f.width && y >= f.y && y < f.y + f.height) {
        sq += d * d;
        n++;
      }
    }
    expect(maxDiff).toBeLessThanOrEqual(1);
    const psnr = sq === 0 ? Infinity : 10 * Math.log10((255 * 255) / (sq / n));
    expect(psnr).toBeGreaterThanOrEqual(45);
  });

  it('a brightening pack raises the face by its amount and touches nothing outside the face\'s template', async () => {
    const input = await facePhoto('bright-in.png');
    const { done, out } = await runFaces(input, path.join(work, 'brighten'), 'bright-out.png', { faceFidelity: 1 });
    const f = done.faces![0]!;
    const a = await raw(input);
    const b = await raw(out);
    const cx = f.x + f.width / 2;
    const cy = f.y + f.height / 2;
    // The template spans about twice the face's width around it; nothing beyond 1.5 widths from the centre may change.
    let outside = 0;
    let changed = 0;
    for (let p = 0; p < a.width * a.height; p++) {
      const x = p % a.width;
      const y = Math.floor(p / a.width);
      const diff = [0, 1, 2].some((c) => a.data[3 * p + c] !== b.data[3 * p + c]);
      if (!diff) continue;
      changed++;
      if (Math.abs(x + 0.5 - cx) > 1.5 * f.width || Math.abs(y + 0.5 - cy) > 1.5 * f.height) outside++;
    }
    expect(changed).toBeGreaterThan(f.width * f.height * 0.5);
    expect(outside).toBe(0);
    const centre = 3 * (Math.round(cy) * a.width + Math.round(cx));
    for (let c = 0; c < 3; c++) expect(Math.abs(b.data[centre + c]! - Math.min(255, a.data[centre + c]! + 25.5))).toBeLessThanOrEqual(1);
  });

  it('skips the stage, unchanged, and says so when the photo has no face', async () => {
    const input = path.join(work, 'no-face.png');
    await sharp(path.join(fixtures.faceFree.dir, fixtures.faceFree.files[0]!)).resize(800).png().toFile(input);
    const { done, warnings, out } = await runFaces(input, path.join(work, 'brighten'), 'no-face-out.png');
    expect(done.faces).toEqual([]);
    expect(warnings.join('\n')).toMatch(/no face of 40 px or more found; the faces stage was skipped/);
    expect(Buffer.compare((await raw(input)).data, (await raw(out)).data)).toBe(0);
  });

  it('finds the face of a print turned a quarter', async () => {
    const input = await facePhoto('turned.png', 90);
    const { done } = await runFaces(input, path.join(work, 'identity'), 'turned-out.png');
    expect(done.faces).toHaveLength(1);
  });

  it('a 3-photo batch of enhance + faces opens each of its three sessions once', async () => {
    const opened: string[] = [];
    const counting = new SessionCache((model, opts) => {
      opened.push(path.basename(path.dirname(model)));
      return openModel(model, { ...opts, provider: 'cpu', threads: 1 });
    });
    try {
      for (const i of [1, 2, 3]) {
        const input = path.join(work, `batch-${i}.png`);
        // 320 px wide: Real-ESRGAN's 4× makes it 1280, where the face is over the 40 px minimum.
        await sharp(path.join(fixtures.dir, 'basketball1.png')).removeAlpha().resize(320).png().toFile(input);
        const req: EnhanceRequest = {
          type: 'enhance', id: `batch-${i}`, input, output: path.join(work, `batch-${i}-out.png`), scale: 4, format: 'png', provider: 'cpu', threads: 1, metadata: 'none',
          stages: [{ stage: 'enhance', modelDir: path.resolve('models', 'realesrgan-x4fast') }, { stage: 'faces', modelDir: path.join(work, 'identity'), detectorDir: DETECTOR }],
        };
        const done = await enhanceImage(req, counting, { onProgress: () => {}, onWarning: () => {} });
        expect(done.faces).toHaveLength(1);
      }
      expect(opened.sort()).toEqual(['blazeface-full', 'identity', 'realesrgan-x4fast']);
    } finally {
      await counting.dispose();
    }
  });

  it('a one-step diffusion face pack restores the aligned face with the one-step pipeline at 1× and pastes only there', async () => {
    const input = await facePhoto('diffusion-in.png');
    await writeDiffusionFacePack(path.join(work, 'face-diffusion'));
    const { done, out } = await runFaces(input, path.join(work, 'face-diffusion'), 'diffusion-out.png');
    expect(done.faces).toHaveLength(1);

    // Independently: the same tiny graphs as a one-step-diffusion pack, run by the pipeline on each aligned face.
    await writeTinyPack(path.join(work, 'as-onestep'), { emptyPromptEmbedding: true, promptMode: 'none', colorFix: 'none' });
    const onestep = (await loadPack(path.join(work, 'as-onestep'))) as LoadedOneStepPack;
    const sessions = await openOneStepSessions(onestep, (p) => openModel(p, { provider: 'cpu', threads: 1 }), { withTagger: false, normCacheDir: path.join(work, 'norm') });
    const detector = await openModel(path.join(DETECTOR, 'model.onnx'), { provider: 'cpu', threads: 1 });
    try {
      const a = await raw(input);
      const restore = async (aligned: Float32Array, size: number): Promise<Float32Array> => {
        const data = Uint16Array.from(aligned, (v) => Math.round(Math.min(Math.max(v, 0), 1) * 65535));
        const r = await runOneStepDiffusion({ data, width: size, height: size, channels: 3 }, sessions.models, {
          scale: 1, diffusion: sessions.params, promptMode: 'none', colorFix: 'none', strength: 1,
          tiles: { encode: 512, decode: 512, vaeOverlap: 64, latent: 64, latentOverlap: 16 }, resize,
        });
        return Float32Array.from(r.data, (v) => v / 65535);
      };
      const expected = await restoreFaces({ data: new Uint8Array(a.data), width: a.width, height: a.height, channels: 3 }, detector.runner, restore, { minFace: 40, fidelity: 1, colorMatch: 'none', size: 512 });
      const b = await raw(out);
      let worst = 0;
      let changed = 0;
      for (let i = 0; i < b.data.length; i++) {
        worst = Math.max(worst, Math.abs(b.data[i]! - expected.image.data[i]!));
        if (b.data[i] !== a.data[i]) changed++;
      }
      expect(worst).toBeLessThanOrEqual(1);
      // The tiny pack is far from the identity: the face really was replaced.
      expect(changed).toBeGreaterThan(done.faces![0]!.width * done.faces![0]!.height);
    } finally {
      await sessions.dispose();
      await detector.runner.dispose();
    }
  });

  it('reports each face with what was done to it, and the result\'s XMP history says so', async () => {
    const input = await facePhoto('history-in.png');
    const { done, out } = await runFaces(input, path.join(work, 'identity'), 'history-out.png', {}, 'all');
    expect(done.faces!.map((f) => f.status)).toEqual(['restored']);
    const tags = await readGroupedTags(out);
    const history = tags['XMP-xmpMM:History'] as { Parameters?: string }[];
    expect(history.at(-1)?.Parameters).toBe('enhanced 1x with model faces: 1 restored (face-identity)');
  });

  it('reports a face narrower than the minimum as too small and leaves the photo as it was', async () => {
    const input = await facePhoto('small-in.png');
    // The face is about 66 px wide here; at an 80 px minimum it is met by the search but not restored.
    const { done, warnings, out } = await runFaces(input, path.join(work, 'brighten'), 'small-out.png', { minFace: 80 });
    expect(done.faces!.length).toBeGreaterThan(0);
    expect(done.faces!.every((f) => f.status === 'too-small' && Math.max(f.width, f.height) < 80)).toBe(true);
    expect(warnings.join('\n')).toMatch(/no face of 80 px or more found; the faces stage was skipped \(1 smaller face was left as it was\)/);
    expect(Buffer.compare((await raw(input)).data, (await raw(out)).data)).toBe(0);
  });

  it('refuses a chain that names no detector', async () => {
    const input = await facePhoto('nodet.png');
    const req: EnhanceRequest = { type: 'enhance', id: 'x', input, output: path.join(work, 'x.png'), scale: 1, format: 'png', provider: 'cpu', stages: [{ stage: 'faces', modelDir: path.join(work, 'identity') }] };
    await expect(enhanceImage(req, cache, { onProgress: () => {}, onWarning: () => {} })).rejects.toThrow(/needs a face detector pack/);
  });
});
