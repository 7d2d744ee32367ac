/**
 * Benchmark rows for old-photo repair (issue #15), on real photographs (Debian plasma-workspace-wallpapers; see
 * repair/PHOTOS.md) with known damage painted on by the project's generator (repair/damage.ts):
 * detection recall and false-positive area, PSNR gain in the damaged regions, colour restore ΔE00, and the time and
 * peak memory of a 12 MP repair with time per pixel from 1 to 24 MP (each size in its own process). The detector's
 * thresholds were tuned on the first three photos; two more are held out, three more form a second held-out set (never
 * looked at while tuning), each set reported apart, and the colour restore
 * is also scored on fades other than the benchmark's.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { detectDefects } from '../../src-main/pipelines/repair/detect';
import { analyseColour, restoreColour } from '../../src-main/pipelines/repair/colour-restore';
import { inpaint } from '../../src-main/pipelines/repair/inpaint';
import { ciede2000, srgbToLab } from '../../src-main/pipelines/repair/lab';
import { DEFAULT_SENSITIVITY, RepairOptionsSchema } from '../../src-main/pipelines/repair/options';
import { runRepair } from '../../src-main/pipelines/repair/run-repair';
import type { PixelBuffer } from '../../src-main/pixels/types';
import { BENCH_FADE, damage, fade, OTHER_FADES } from './repair/damage';
import { area, damagedPixels, psnrIn, recall } from './repair/score';
import type { BenchRow } from './rows';

const ROOT = path.resolve(import.meta.dirname, '../..');
const photo = (n: string) => ({ name: n, file: `/usr/share/wallpapers/${n}/contents/images/2560x1600.jpg` });
/** The photos the detector's thresholds were tuned on. */
const PHOTOS = ['FallenLeaf', 'BytheWater', 'ColorfulCups'].map(photo);
/** Photos never used for tuning: how the figures hold on photos the thresholds have not seen. */
const HELD_OUT = ['EveningGlow', 'Path'].map(photo);
/**
 * A second held-out set, chosen from the package by file name and licence before the detector was reworked and never
 * looked at while it was tuned (session 5, issue 15): the figures that show whether the detector generalises.
 */
const HELD_OUT_2 = ['Autumn', 'Kite', 'summer_1am'].map(photo);
const GROUP = 'repair';

async function load(file: string, width: number, height?: number): Promise<PixelBuffer> {
  const { data, info } = await sharp(file).resize(width, height, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
}

function meanDeltaE(a: PixelBuffer, b: PixelBuffer): number {
  let s = 0, n = 0;
  // Every 3rd pixel: ΔE00 per pixel is costly and the mean settles long before.
  for (let i = 0; i < a.width * a.height; i += 3, n++) {
    const p = i * 3;
    s += ciede2000(srgbToLab(a.data[p]! / 255, a.data[p + 1]! / 255, a.data[p + 2]! / 255), srgbToLab(b.data[p]! / 255, b.data[p + 1]! / 255, b.data[p + 2]! / 255));
  }
  return s / n;
}

/** Mask pixels on the clean photo as connected groups, largest first: where the false positives are. */
function falseSpots(mask: Uint8Array, w: number): string {
  const cells = new Map<string, number>();
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const key = `${Math.floor((i % w) / 160)},${Math.floor(i / w / 160)}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  return [...cells.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, n]) => `${n} px in 160-px cell ${k}`).join('; ');
}

async function writeOverlay(clean: PixelBuffer, mask: Uint8Array, file: string): Promise<void> {
  const out = Buffer.from(clean.data);
  for (let i = 0; i < mask.length; i++) if (mask[i]) out.set([255, 0, 255], i * 3);
  await sharp(out, { raw: { width: clean.width, height: clean.height, channels: 3 } }).png().toFile(file);
}

interface PhotoScore {
  recall: number;
  fp: number;
  gain: number;
  /** Mean ΔE00 to the original, faded → restored, for the benchmark's fade then each of OTHER_FADES. */
  de: [number, number][];
}

const restore = (faded: PixelBuffer) => restoreColour(faded, analyseColour(faded), 1);

async function scorePhoto(p: { name: string; file: string }, outDir: string, rows: BenchRow[], tag: string): Promise<PhotoScore> {
  const clean = await load(p.file, 1280, 800);
  const d = damage(clean, 7);
  const truth = damagedPixels(clean, d.image);
  const region = d.alpha.map((a) => (a > 0.02 ? 1 : 0)) as unknown as Uint8Array;
  const opts = { dust: true, scratches: true, sensitivity: DEFAULT_SENSITIVITY };
  const mask = detectDefects(d.image, opts);
  const fixed = inpaint(d.image, mask).image;
  const fpMask = detectDefects(clean, opts);
  const de = [BENCH_FADE, ...Object.values(OTHER_FADES)].map((f): [number, number] => {
    const faded = fade(clean, f);
    return [meanDeltaE(clean, faded), meanDeltaE(clean, restore(faded))];
  });
  const s: PhotoScore = { recall: recall(truth, mask), fp: area(fpMask), gain: psnrIn(clean, fixed, region) - psnrIn(clean, d.image, region), de };
  await writeOverlay(clean, fpMask, path.join(outDir, `repair-false-positives-${p.name}.png`));
  const others = Object.keys(OTHER_FADES).map((k, i) => `${k} ${de[i + 1]![0].toFixed(1)} → ${de[i + 1]![1].toFixed(1)}`).join(', ');
  rows.push({ group: GROUP, name: `${p.name}${tag}: recall / FP / PSNR gain`, value: s.recall * 100, unit: '% recall', note: `FP ${(s.fp * 100).toFixed(3)} % (${falseSpots(fpMask, clean.width) || 'none'}); PSNR ${psnrIn(clean, d.image, region).toFixed(1)} → ${psnrIn(clean, fixed, region).toFixed(1)} dB; ΔE00 faded ${de[0]![0].toFixed(2)} → ${de[0]![1].toFixed(2)} (other fades: ${others})` });
  return s;
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/** The goal rows over a set of photos' scores; `label` names the set. */
function goalRows(scores: PhotoScore[], label: string): BenchRow[] {
  const recalls = scores.map((s) => s.recall), fps = scores.map((s) => s.fp), gains = scores.map((s) => s.gain);
  const deFaded = mean(scores.map((s) => s.de[0]![0])), deRestored = mean(scores.map((s) => s.de[0]![1]));
  return [
    { group: GROUP, name: `detection recall (damaged pixels, mean of ${label})`, value: mean(recalls) * 100, unit: '%', goal: '≥ 90 %', pass: mean(recalls) >= 0.9, note: `worst ${(Math.min(...recalls) * 100).toFixed(1)} %` },
    { group: GROUP, name: `false-positive area on undamaged originals (mean of ${label})`, value: mean(fps) * 100, unit: '%', goal: '≤ 0.5 %', pass: mean(fps) <= 0.005, note: `worst ${(Math.max(...fps) * 100).toFixed(3)} %; overlays in test-results/repair-false-positives-*.png` },
    { group: GROUP, name: `PSNR gain in damaged regions (mean of ${label})`, value: mean(gains), unit: 'dB', goal: '≥ +10 dB', pass: mean(gains) >= 10, note: `worst ${Math.min(...gains).toFixed(1)} dB` },
    { group: GROUP, name: `colour restore: mean ΔE00 restored / faded (${label})`, value: deRestored / deFaded, unit: '×', goal: '≤ 0.33', pass: deRestored / deFaded <= 1 / 3, note: `ΔE00 faded ${deFaded.toFixed(2)} → restored ${deRestored.toFixed(2)}; per photo ${scores.map((s) => (s.de[0]![1] / s.de[0]![0]).toFixed(2)).join(' / ')}` },
  ];
}

/** The colour restore on the fades the benchmark does not use, over all photos: the ratio of the mean ΔE00s. */
function otherFadeRows(scores: PhotoScore[]): BenchRow[] {
  return Object.keys(OTHER_FADES).map((k, i) => {
    const faded = mean(scores.map((s) => s.de[i + 1]![0])), restored = mean(scores.map((s) => s.de[i + 1]![1]));
    const per = scores.map((s) => (s.de[i + 1]![1] / s.de[i + 1]![0]).toFixed(2)).join(' / ');
    return { group: GROUP, name: `colour restore, fade ${k}: ΔE00 restored / faded (all ${scores.length} photos)`, value: restored / faded, unit: '×', goal: '≤ 0.33', pass: restored / faded <= 1 / 3, note: `ΔE00 ${faded.toFixed(2)} → ${restored.toFixed(2)}; per photo ${per}` };
  });
}

async function qualityRows(outDir: string): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const tuned: PhotoScore[] = [], held: PhotoScore[] = [], held2: PhotoScore[] = [];
  for (const p of PHOTOS) tuned.push(await scorePhoto(p, outDir, rows, ''));
  for (const p of HELD_OUT) held.push(await scorePhoto(p, outDir, rows, ' (held out)'));
  for (const p of HELD_OUT_2) held2.push(await scorePhoto(p, outDir, rows, ' (held out, set 2)'));
  rows.push(
    ...goalRows(tuned, `${PHOTOS.length} tuning photos`),
    ...goalRows(held, `${HELD_OUT.length} held-out photos`),
    ...goalRows(held2, `${HELD_OUT_2.length} held-out photos, set 2`),
    ...otherFadeRows([...tuned, ...held, ...held2]),
  );
  return rows;
}

interface Probe {
  ms: number;
  /** CPU time of the repair (user + system): wall time on a machine shared with other work overstates the cost. */
  cpuMs: number;
  maxRssBytes: number;
  pixels: number;
  masked: number;
}

async function probe(dir: string, mp: number): Promise<Probe> {
  const w = Math.round(Math.sqrt((mp * 1e6 * 4) / 3)), h = Math.round((w * 3) / 4);
  const clean = await load(PHOTOS[0]!.file, w, h);
  const file = path.join(dir, `p${mp}.rgb`);
  writeFileSync(file, damage(clean, 11).image.data);
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'repair/repair-probe.ts'), file, String(w), String(h)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  rmSync(file);
  return JSON.parse(out.trim().split('\n').at(-1)!) as Probe;
}

async function speedRows(quick: boolean): Promise<BenchRow[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'revive-repair-bench-'));
  try {
    const sizes = quick ? [1, 4] : [1, 6, 12, 24];
    const runs: (Probe & { mp: number })[] = [];
    // On a machine shared with other work a second-long measurement swings by ±15 %: the small sizes are measured
    // in three processes and the median taken (the large ones run long enough to average the swings out).
    for (const mp of sizes) {
      const tries: Probe[] = [];
      for (let i = 0; i < (mp <= 6 && !quick ? 3 : 1); i++) tries.push(await probe(dir, mp));
      tries.sort((a, b) => a.cpuMs - b.cpuMs);
      runs.push({ mp, ...tries[Math.floor(tries.length / 2)]! });
    }
    // Flatness from CPU time: on a machine shared with other work the wall time measures the neighbours too.
    const perMp = runs.map((r) => r.cpuMs / (r.pixels / 1e6));
    const ratio = Math.max(...perMp) / Math.min(...perMp);
    const wallPerMp = runs.map((r) => r.ms / (r.pixels / 1e6));
    const wallRatio = Math.max(...wallPerMp) / Math.min(...wallPerMp);
    const rows: BenchRow[] = runs.map((r) => ({ group: GROUP, name: `repair ${r.mp} MP: CPU time per MP`, value: r.cpuMs / (r.pixels / 1e6), unit: 'ms/MP', note: `${(r.ms / 1000).toFixed(1)} s wall, ${(r.cpuMs / 1000).toFixed(1)} s CPU, peak RSS ${(r.maxRssBytes / 2 ** 20).toFixed(0)} MiB, ${((r.masked / r.pixels) * 100).toFixed(2)} % masked` }));
    const twelve = runs.find((r) => r.mp === 12);
    if (twelve) {
      rows.push(
        { group: GROUP, name: '12 MP repair (detect + inpaint, no pack), wall time', value: twelve.ms / 1000, unit: 's', goal: '≤ 30 s', pass: twelve.ms <= 30_000, note: `CPU time ${(twelve.cpuMs / 1000).toFixed(1)} s (one thread); load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores` },
        { group: GROUP, name: '12 MP repair (detect + inpaint, no pack), CPU time', value: twelve.cpuMs / 1000, unit: 's', goal: '≤ 30 s', pass: twelve.cpuMs <= 30_000, note: 'one thread; what the repair costs with the cores to itself' },
        { group: GROUP, name: '12 MP repair peak RSS', value: twelve.maxRssBytes / 2 ** 30, unit: 'GiB', goal: '≤ 1.5 GB', pass: twelve.maxRssBytes <= 1.5e9 },
      );
    }
    rows.push({ group: GROUP, name: `CPU time per pixel, ${sizes[0]}→${sizes.at(-1)} MP (max / min)`, value: ratio, unit: '×', goal: '≤ 1.2×', pass: ratio <= 1.2, note: `wall time per pixel: ${wallRatio.toFixed(2)}×` });
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const png = (img: PixelBuffer, file: string) => sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } }).png().toFile(file);

/**
 * The "Old photo" preset (repair auto + colour restore) on a faded, damaged real photo: before, the repaired mask
 * and after, as PNGs in test-results/ for a person to look at.
 */
async function screenshots(outDir: string): Promise<void> {
  const clean = await load(PHOTOS[1]!.file, 1280, 800);
  const before = damage(fade(clean), 5).image;
  const r = runRepair(before, RepairOptionsSchema.parse({ mode: 'auto', colour: 'restore' }));
  await png(before, path.join(outDir, 'repair-before.png'));
  const mask = Buffer.alloc(r.mask.length * 3);
  for (let i = 0; i < r.mask.length; i++) if (r.mask[i]) mask.fill(255, i * 3, i * 3 + 3);
  await sharp(mask, { raw: { width: before.width, height: before.height, channels: 3 } }).png().toFile(path.join(outDir, 'repair-mask.png'));
  await png(r.rgb, path.join(outDir, 'repair-after.png'));
}

export async function repairBench(o: { quick: boolean }): Promise<BenchRow[]> {
  const missing = [...PHOTOS, ...HELD_OUT, ...HELD_OUT_2].filter((p) => !existsSync(p.file));
  if (missing.length) throw new Error(`repair bench needs Debian's plasma-workspace-wallpapers: missing ${missing.map((p) => p.file).join(', ')}`);
  const outDir = path.join(ROOT, 'test-results');
  mkdirSync(outDir, { recursive: true });
  await screenshots(outDir);
  return [...(await qualityRows(outDir)), ...(await speedRows(o.quick))];
}
