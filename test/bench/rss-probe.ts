/**
 * Child process for the memory rows: restores one image with the engine's in-process pipeline and prints
 * {maxRssBytes, ms, outPixels} as JSON. A separate process so each size's peak RSS is its own.
 * Usage: rss-probe.ts <input> <output> <modelDir> <threads> [warm-up input]
 * The optional warm-up image runs first, untimed: onnxruntime plans and allocates per input shape on first use, and
 * ExifTool starts on first use; both are per-process costs, not per-pixel ones.
 */
import { enhanceImage } from '../../src-main/engine/process/enhance-image';
import { openModel } from '../../src-main/engine/process/session';
import { SessionCache } from '../../src-main/engine/process/session-cache';

const [input, output, modelDir, threads, warmUp] = process.argv.slice(2) as [string, string, string, string, string | undefined];
const cache = new SessionCache(openModel);
const hooks = { onProgress: () => {}, onWarning: () => {} };
const req = { type: 'enhance' as const, id: 'probe', input, output, stages: [{ stage: 'enhance' as const, modelDir }], scale: 4 as const, format: 'png' as const, provider: 'cpu' as const, threads: Number(threads) };
// Open the session first so the timed run measures the per-image cost only.
await cache.get({ modelPath: `${modelDir}/model.onnx`, provider: 'cpu', threads: Number(threads) }, () => {});
if (warmUp) await enhanceImage({ ...req, id: 'warm', input: warmUp, output: `${output}.warm.png` }, cache, hooks);
const t = performance.now();
const r = await enhanceImage(req, cache, hooks);
const ms = performance.now() - t;
await cache.dispose();
// resourceUsage().maxRSS is in kilobytes.
console.log(JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, ms, outPixels: r.width * r.height }));
