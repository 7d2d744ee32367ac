/**
 * Scores for the repair benchmark, each an independent count over the pixels (no shared code with the pipeline).
 */
import type { PixelBuffer } from '../../../src-main/pixels/types';

/** The pixels the damage visibly changed: some channel moved by at least `min` (8-bit levels). */
export function damagedPixels(clean: PixelBuffer, damaged: PixelBuffer, min = 16): Uint8Array {
  const n = clean.width * clean.height, c = clean.channels;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < 3; ch++) {
      if (Math.abs(clean.data[i * c + ch]! - damaged.data[i * c + ch]!) >= min) {
        out[i] = 1;
        break;
      }
    }
  }
  return out;
}

/** Share of the truth's pixels that the mask covers. */
export function recall(truth: Uint8Array, mask: Uint8Array): number {
  let hit = 0, all = 0;
  for (let i = 0; i < truth.length; i++) {
    if (!truth[i]) continue;
    all++;
    if (mask[i]) hit++;
  }
  return all ? hit / all : 1;
}

/** Share of all pixels the mask covers. */
export function area(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) n += v ? 1 : 0;
  return n / mask.length;
}

/** PSNR (dB, 8-bit peak) between two images over the pixels where `region` is set, RGB channels. */
export function psnrIn(a: PixelBuffer, b: PixelBuffer, region: Uint8Array): number {
  let se = 0, n = 0;
  const c = a.channels;
  for (let i = 0; i < region.length; i++) {
    if (!region[i]) continue;
    for (let ch = 0; ch < 3; ch++) {
      const d = (a.data[i * c + ch]! - b.data[i * c + ch]!) * (255 / (a.data instanceof Uint16Array ? 65535 : 255));
      se += d * d;
      n++;
    }
  }
  return n === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / n));
}
