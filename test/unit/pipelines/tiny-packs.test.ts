import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModel } from '../../../src-main/engine/process/session';
import { parseManifest } from '../../../src-main/models/manifest';
import { assemblePrompt, loadPromptTokenizer, loadTagVocabulary, PromptEmbedder, readEmbeddingFile, selectTags } from '../../../src-main/pipelines/prompt';
import type { FloatTensor, ModelRunner } from '../../../src-main/pixels/types';
import { buildTinyPack, heavyUnetMacsPerLatentPixel, TINY_PATHS, writeTinyPack, type TinyPackParams } from '../../fixtures/tiny-packs';
import { rng } from '../../support/random';

const { onnx } = onnxProto;
const TOL = 1e-4;


function random(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

function expectClose(actual: Float32Array, expected: ArrayLike<number>, tol = TOL): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThan(tol);
}

/** The declared element type of each graph input, read back from the ONNX bytes. */
function inputTypes(bytes: Uint8Array): Record<string, number> {
  const model = onnx.ModelProto.decode(bytes);
  return Object.fromEntries(model.graph!.input!.map((i) => [i.name!, i.type!.tensorType!.elemType!]));
}

// ---- Independent computations of each graph's function ----

function expectedEncoder(p: TinyPackParams, img: Float32Array, H: number, W: number): Float32Array {
  const h = H / 8;
  const w = W / 8;
  const out = new Float32Array(8 * h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const avg = [0, 0, 0];
      for (let c = 0; c < 3; c++) {
        for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) avg[c]! += img[c * H * W + (i * 8 + y) * W + j * 8 + x]! / 64;
      }
      for (let k = 0; k < 8; k++) {
        out[k * h * w + i * w + j] = p.encB[k]! + avg.reduce((s, a, c) => s + p.encW[k * 3 + c]! * a, 0);
      }
    }
  }
  return out;
}

function expectedUnet(p: TinyPackParams, sample: Float32Array, h: number, w: number, t: number, ehs: Float32Array): Float32Array {
  const D = p.hiddenSize;
  const mean = new Array<number>(D).fill(0);
  for (let tok = 0; tok < 77; tok++) for (let d = 0; d < D; d++) mean[d]! += ehs[tok * D + d]! / 77;
  const out = new Float32Array(4 * h * w);
  for (let k = 0; k < 4; k++) {
    let bias = p.unetB[k]! + (p.tsW[k]! * t) / 1000;
    for (let d = 0; d < D; d++) bias += p.textW[k * D + d]! * mean[d]!;
    for (let i = 0; i < h * w; i++) {
      let acc = bias;
      for (let c = 0; c < 4; c++) acc += p.unetW[k * 4 + c]! * sample[c * h * w + i]!;
      out[k * h * w + i] = acc;
    }
  }
  return out;
}

function groupNorm(p: TinyPackParams, z: Float32Array, h: number, w: number): Float32Array {
  const out = new Float32Array(z.length);
  const per = (4 / p.gnGroups) * h * w;
  for (let g = 0; g < p.gnGroups; g++) {
    const vals = Array.from(z.subarray(g * per, (g + 1) * per));
    const mean = vals.reduce((a, b) => a + b, 0) / per;
    const variance = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / per;
    for (let i = 0; i < per; i++) {
      const c = Math.floor((g * per + i) / (h * w));
      out[g * per + i] = ((vals[i]! - mean) / Math.sqrt(variance + p.gnEps)) * p.gnGamma[c]! + p.gnBeta[c]!;
    }
  }
  return out;
}

function expectedDecoder(p: TinyPackParams, latent: Float32Array, h: number, w: number, withGroupNorm: boolean): Float32Array {
  const z = withGroupNorm ? groupNorm(p, latent, h, w) : latent;
  const H = h * 8;
  const W = w * 8;
  const out = new Float32Array(3 * H * W);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        // DepthToSpace DCR: output (c, 8i+a, 8j+b) takes conv channel (a·8 + b)·3 + c at (i, j).
        const [i, a, j, b] = [Math.floor(y / 8), y % 8, Math.floor(x / 8), x % 8];
        const k = (a * 8 + b) * 3 + c;
        let acc = p.decB[k]!;
        for (let ch = 0; ch < 4; ch++) acc += p.decW[k * 4 + ch]! * z[ch * h * w + i * w + j]!;
        out[c * H * W + y * W + x] = acc;
      }
    }
  }
  return out;
}

function expectedText(p: TinyPackParams, ids: number[]): Float32Array {
  const D = p.hiddenSize;
  const out = new Float32Array(77 * D);
  ids.forEach((id, t) => {
    for (let d = 0; d < D; d++) out[t * D + d] = p.embedding[id * D + d]! + p.position[t * D + d]!;
  });
  return out;
}

describe('generated tiny onestep-diffusion packs', () => {
  let dir: string;
  const runners: ModelRunner[] = [];
  const open = async (file: string): Promise<ModelRunner> => {
    const { runner } = await openModel(file, { provider: 'cpu', threads: 1 });
    runners.push(runner);
    return runner;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'revive-tinypack-'));
  });
  afterAll(async () => {
    for (const r of runners) await r.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a manifest that validates and whose sizes and sha256 match the files', async () => {
    const packDir = path.join(dir, 'full');
    const pack = await writeTinyPack(packDir, { tagger: true, emptyPromptEmbedding: true });
    const manifest = parseManifest(JSON.parse(await readFile(path.join(packDir, 'revive-pack.json'), 'utf8')));
    expect(manifest.kind).toBe('onestep-diffusion');
    if (manifest.kind !== 'onestep-diffusion') return;
    expect(manifest.diffusion.alphaBar).toBeCloseTo(0.0046601, 6);
    expect(manifest.files.map((f) => f.path).sort()).toEqual([...pack.files.keys()].sort());
    for (const f of manifest.files) {
      const bytes = await readFile(path.join(packDir, f.path));
      expect(bytes.byteLength).toBe(f.size);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(f.sha256);
    }
  });

  it('is byte-for-byte deterministic', () => {
    const a = buildTinyPack({ tagger: true, groupNorm: true, emptyPromptEmbedding: true });
    const b = buildTinyPack({ tagger: true, groupNorm: true, emptyPromptEmbedding: true });
    expect(Buffer.from(a.manifestBytes).equals(Buffer.from(b.manifestBytes))).toBe(true);
    expect(buildTinyPack({ seed: 2 }).manifestBytes).not.toEqual(a.manifestBytes);
  });

  it('VAE encoder = 8×8 average pool + 1×1 conv, with a log-variance half distinct from the mean', async () => {
    const pack = await writeTinyPack(path.join(dir, 'enc'));
    const enc = await open(path.join(dir, 'enc', TINY_PATHS.vaeEncoder));
    const [H, W] = [16, 40];
    const img = random(3 * H * W, 1);
    const out = (await enc.run({ sample: { data: img, dims: [1, 3, H, W] } })).latent_sample!;
    expect(out.dims).toEqual([1, 8, 2, 5]);
    const expected = expectedEncoder(pack.params, img, H, W);
    expectClose(out.data, expected);
    const meanAvg = expected.subarray(0, 40).reduce((a, b) => a + b, 0) / 40;
    const logvarAvg = expected.subarray(40).reduce((a, b) => a + b, 0) / 40;
    expect(logvarAvg - meanAvg).toBeLessThan(-1);
  });

  for (const timestepType of ['int64', 'int32', 'float32'] as const) {
    it(`UNet (timestep ${timestepType}) = 1×1 conv + text term + timestep term`, async () => {
      const sub = `unet-${timestepType}`;
      const pack = await writeTinyPack(path.join(dir, sub), { timestepType, hiddenSize: 16 });
      const types = inputTypes(pack.files.get(TINY_PATHS.unet)!);
      const want = { int64: onnx.TensorProto.DataType.INT64, int32: onnx.TensorProto.DataType.INT32, float32: onnx.TensorProto.DataType.FLOAT };
      expect(types.timestep).toBe(want[timestepType]);
      const unet = await open(path.join(dir, sub, TINY_PATHS.unet));
      const [h, w] = [3, 5];
      const sample = random(4 * h * w, 2);
      const ehs = random(77 * 16, 3);
      const feeds = (t: number): Record<string, FloatTensor> => ({
        sample: { data: sample, dims: [1, 4, h, w] },
        timestep: { data: Float32Array.from([t]), dims: [1] },
        encoder_hidden_states: { data: ehs, dims: [1, 77, 16] },
      });
      const at999 = (await unet.run(feeds(999))).out_sample!;
      expect(at999.dims).toEqual([1, 4, h, w]);
      expectClose(at999.data, expectedUnet(pack.params, sample, h, w, 999, ehs));
      // The timestep shows in the output: a wrong t cannot go unnoticed.
      const at500 = (await unet.run(feeds(500))).out_sample!;
      expectClose(at500.data, expectedUnet(pack.params, sample, h, w, 500, ehs));
      expect(Math.abs(at500.data[0]! - at999.data[0]!)).toBeGreaterThan(0.1);
    });
  }

  for (const groupNormOn of [false, true]) {
    it(`VAE decoder${groupNormOn ? ' with GroupNorm' : ''} = 1×1 conv 4→192 + DepthToSpace 8`, async () => {
      const sub = `dec-${groupNormOn}`;
      const pack = await writeTinyPack(path.join(dir, sub), { groupNorm: groupNormOn });
      const dec = await open(path.join(dir, sub, TINY_PATHS.vaeDecoder));
      const [h, w] = [2, 3];
      const latent = random(4 * h * w, 4, -2, 2);
      const out = (await dec.run({ latent_sample: { data: latent, dims: [1, 4, h, w] } })).sample!;
      expect(out.dims).toEqual([1, 3, 16, 24]);
      expectClose(out.data, expectedDecoder(pack.params, latent, h, w, groupNormOn));
    });
  }

  for (const idsType of ['int64', 'int32'] as const) {
    it(`text encoder (ids ${idsType}) = token embedding + position embedding`, async () => {
      const sub = `text-${idsType}`;
      const pack = await writeTinyPack(path.join(dir, sub), { inputIdsType: idsType });
      expect(inputTypes(pack.files.get(TINY_PATHS.textEncoder)!).input_ids).toBe(
        idsType === 'int64' ? onnx.TensorProto.DataType.INT64 : onnx.TensorProto.DataType.INT32,
      );
      const te = await open(path.join(dir, sub, TINY_PATHS.textEncoder));
      const ids = Array.from({ length: 77 }, (_, t) => (t * 37 + 5) % pack.params.vocabSize);
      const out = (await te.run({ input_ids: { data: Float32Array.from(ids), dims: [1, 77] } })).last_hidden_state!;
      expect(out.dims).toEqual([1, 77, 32]);
      expectClose(out.data, expectedText(pack.params, ids));
    });
  }

  it('ships an empty-prompt embedding equal to the text encoder on [start, end, "!" × 75]', async () => {
    const sub = 'empty';
    const pack = await writeTinyPack(path.join(dir, sub), { emptyPromptEmbedding: true });
    const te = await open(path.join(dir, sub, TINY_PATHS.textEncoder));
    const ids = [524, 525, ...new Array<number>(75).fill(0)]; // ids of the generated tokenizer (see prompt.test.ts)
    const out = (await te.run({ input_ids: { data: Float32Array.from(ids), dims: [1, 77] } })).last_hidden_state!;
    const file = await readFile(path.join(dir, sub, TINY_PATHS.emptyPromptEmbedding));
    const stored = new Float32Array(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength));
    expectClose(stored, out.data, 1e-6);
    expectClose(stored, expectedText(pack.params, ids), 1e-6);
  });

  it('tagger returns its fixed logits, plus the image term when weights are given', async () => {
    const fixed = await writeTinyPack(path.join(dir, 'tag'), { tagger: true });
    const weighted = await writeTinyPack(path.join(dir, 'tag-w'), {
      tagger: { tags: ['a', 'b'], logits: [1, -1], thresholds: [0.5, 0.5], imageWeights: [[1, 0, 0], [0, 0, -2]] },
    });
    const image = random(3 * 384 * 384, 5, 0, 1);
    const feeds = { image: { data: image, dims: [1, 3, 384, 384] } };
    const t1 = await open(path.join(dir, 'tag', TINY_PATHS.taggerModel));
    expectClose((await t1.run(feeds)).logits!.data, fixed.params.tagger!.logits, 1e-6);
    expect(new TextDecoder().decode(fixed.files.get(TINY_PATHS.taggerTags))).toBe('cat\ndog\nold photo\nportrait\nsky\n');
    const t2 = await open(path.join(dir, 'tag-w', TINY_PATHS.taggerModel));
    const plane = 384 * 384;
    const mean = (c: number): number => image.subarray(c * plane, (c + 1) * plane).reduce((a, b) => a + b, 0) / plane;
    expectClose((await t2.run(feeds)).logits!.data, [1 + mean(0), -1 - 2 * mean(2)]);
    expect(weighted.params.tagger!.tags).toEqual(['a', 'b']);
  });

  it('tagger output, the pack’s tags and thresholds give the prompt "cat, sky, ,"', async () => {
    const sub = 'tag-prompt';
    await writeTinyPack(path.join(dir, sub), { tagger: true });
    const tagger = await open(path.join(dir, sub, TINY_PATHS.taggerModel));
    const logits = (await tagger.run({ image: { data: new Float32Array(3 * 384 * 384), dims: [1, 3, 384, 384] } })).logits!;
    const { tags, thresholds } = await loadTagVocabulary(path.join(dir, sub, TINY_PATHS.taggerTags), path.join(dir, sub, TINY_PATHS.taggerThresholds));
    // Logits [2, −1, 0.5, 3, −4] against thresholds [0.6, 0.5, 0.7, 1 (disabled), 0.01]: only cat and sky pass.
    const chosen = selectTags(logits.data, tags, thresholds);
    expect(chosen).toEqual(['cat', 'sky']);
    expect(assemblePrompt('tags', { tags: chosen })).toBe('cat, sky, ,');
  });

  it('PromptEmbedder on the real text encoder: hand-computed ids in, embedding rows out; empty prompt = shipped file', async () => {
    const sub = 'embedder';
    const pack = await writeTinyPack(path.join(dir, sub), { emptyPromptEmbedding: true });
    const te = await open(path.join(dir, sub, TINY_PATHS.textEncoder));
    const tokenizer = await loadPromptTokenizer(path.join(dir, sub, TINY_PATHS.tokenizer));
    const computed = new PromptEmbedder(te, tokenizer, { maxTokens: 77, hiddenSize: 32 });
    // "old cat" → [start 524, old</w> 521, cat</w> 513, end 525, "!" 0 × 73]
    const ids = [524, 521, 513, 525, ...new Array<number>(73).fill(0)];
    expectClose((await computed.embed('old cat')).data, expectedText(pack.params, ids));
    const shipped = await readEmbeddingFile(path.join(dir, sub, TINY_PATHS.emptyPromptEmbedding), 77, 32);
    expectClose((await computed.emptyPrompt()).data, shipped, 1e-6);
  });

  it('heavy UNet costs ≥ 0.1 G MAC per latent pixel and runs', async () => {
    const heavyChannels = 320;
    const repeats = 109;
    // Counted independently: 3×3 kernels, stem 4→320, 109 × 320→320, head 320→4, plus the 4×4 1×1 conv.
    const counted = 9 * 4 * 320 + repeats * 9 * 320 * 320 + 9 * 320 * 4 + 16;
    expect(heavyUnetMacsPerLatentPixel(heavyChannels, repeats)).toBe(counted);
    expect(counted).toBeGreaterThanOrEqual(1e8);
    // A small stack to keep the test quick: same structure, fewer layers.
    const pack = await writeTinyPack(path.join(dir, 'heavy'), { heavy: { channels: 32, repeats: 3 }, hiddenSize: 8 });
    expect(pack.params.heavy!.macsPerLatentPixel).toBe(9 * 4 * 32 + 3 * 9 * 32 * 32 + 9 * 32 * 4 + 16);
    const unet = await open(path.join(dir, 'heavy', TINY_PATHS.unet));
    const out = (await unet.run({
      sample: { data: random(4 * 6 * 6, 6), dims: [1, 4, 6, 6] },
      timestep: { data: Float32Array.from([999]), dims: [1] },
      encoder_hidden_states: { data: random(77 * 8, 7), dims: [1, 77, 8] },
    })).out_sample!;
    expect(out.dims).toEqual([1, 4, 6, 6]);
    expect(out.data.every(Number.isFinite)).toBe(true);
  });
});
