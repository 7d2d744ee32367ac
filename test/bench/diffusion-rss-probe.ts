/**
 * Child process for the diffusion memory row: one photo through the engine's own path (enhanceImage → diffusion
 * pack: decode, bicubic ×4, tiled VAE encode, UNet, tiled VAE decode, colour fix, JPEG encode, atomic write) and
 * prints {maxRssBytes, baselineRssBytes, ms, outPixels, tiles} as JSON. A separate process so the peak is this run's.
 * Usage: diffusion-rss-probe.ts <input> <output> <packDir> <threads>
 */
import { enhanceImage } from '../../src-main/engine/process/enhance-image';
import { openModel } from '../../src-main/engine/process/session';
import { SessionCache } from '../../src-main/engine/process/session-cache';

const [input, output, modelDir, threads] = process.argv.slice(2) as [string, string, string, string];
const cache = new SessionCache(openModel);
const tiles = new Map<string, number>();
const hooks = {
  onProgress: (stage: string, _done: number, total: number) => void tiles.set(stage, total),
  onWarning: (m: string) => void process.stderr.write(`warning: ${m}\n`),
};
const req = { type: 'enhance' as const, id: 'rss-probe', input, output, stages: [{ stage: 'enhance' as const, modelDir }], scale: 4 as const, format: 'jpg' as const, provider: 'cpu' as const, threads: Number(threads) };
const baselineRssBytes = process.resourceUsage().maxRSS * 1024;
const t = performance.now();
const r = await enhanceImage(req, cache, hooks);
const ms = performance.now() - t;
await cache.dispose();
// resourceUsage().maxRSS is in kilobytes.
console.log(JSON.stringify({
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  baselineRssBytes,
  ms,
  outPixels: r.width * r.height,
  tiles: Object.fromEntries([...tiles].filter(([s]) => ['vae-encode', 'unet', 'vae-decode'].includes(s))),
}));
