/**
 * Large holes filled by an inpainting model (LaMa layout), one hole at a time:
 *   1. crop    — a square around the hole, the model's size or, for a hole too big for it, half as much again as the
 *                hole (clamped to the photo), so the model sees context on every side
 *   2. tensors — RGB NCHW in the model's range with the masked pixels zeroed (as LaMa's own preprocessing does) and
 *                every masked pixel of the crop in the mask, so no defect is taken for context; resized to the
 *                model's size when the crop is not
 *   3. run     — the model, its output back to 0–1 and to the crop's size
 *   4. paste   — only the hole's own pixels are written; the outer two rings are blended with their already-final
 *                outer neighbours, so the fill meets the photo without a seam. Nothing outside the mask changes.
 * Cancellable between holes, progress per hole ('inpaint-holes'). Model-agnostic: the model is a ModelRunner.
 */
import type { Rect } from '../../pixels/rect';
import { throwIfAborted, type ModelRunner, type PixelBuffer, type ProgressFn } from '../../pixels/types';
import type { Hole } from './large-holes';
import { fullScale } from './planes';
import { resamplePlanes } from './resample';

/** The model and its tensor contract, from the pack's manifest. */
export interface InpaintModel {
  runner: ModelRunner;
  /** Edge of the square the model takes. */
  size: number;
  imageName: string;
  maskName: string;
  outputName: string;
  /** Full white in the image input: 1 or 255. */
  imageScale: number;
  /** Full white in the output: 1 or 255. */
  outputScale: number;
}

export interface PackFillOptions {
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

/** Rings at the hole's rim blended with their neighbours (the feather). */
export const FEATHER_RINGS = 2;
/** A hole bigger than the model's size gets a crop this many times its larger side. */
const CONTEXT = 1.5;

/** Stage 1: the crop for a hole (always covering it). */
export function cropFor(box: Rect, size: number, W: number, H: number): Rect {
  const side = Math.max(size, Math.ceil(Math.max(box.w, box.h) * CONTEXT) + 2);
  const cw = Math.min(side, W), ch = Math.min(side, H);
  const x = Math.min(Math.max(0, Math.floor(box.x + box.w / 2 - cw / 2)), W - cw);
  const y = Math.min(Math.max(0, Math.floor(box.y + box.h / 2 - ch / 2)), H - ch);
  return { x, y, w: cw, h: ch };
}

/** Stage 2: the crop's image (0–1, masked pixels zeroed) and mask planes. */
function cropPlanes(img: PixelBuffer, mask: Uint8Array, c: Rect): { image: Float32Array; hole: Float32Array } {
  const n = c.w * c.h;
  const image = new Float32Array(3 * n);
  const hole = new Float32Array(n);
  const s = 1 / fullScale(img);
  for (let y = 0; y < c.h; y++) {
    for (let x = 0; x < c.w; x++) {
      const p = (c.y + y) * img.width + c.x + x;
      const o = y * c.w + x;
      if (mask[p]) {
        hole[o] = 1;
        continue;
      }
      const i = p * img.channels;
      image[o] = img.data[i]! * s;
      image[n + o] = img.data[i + 1]! * s;
      image[2 * n + o] = img.data[i + 2]! * s;
    }
  }
  return { image, hole };
}

/** Stages 2–3: the model's fill of the crop, RGB planes in 0–1 at the crop's size. */
async function runModel(model: InpaintModel, image: Float32Array, hole: Float32Array, c: Rect): Promise<Float32Array> {
  const S = model.size;
  const img = resamplePlanes(image, 3, c.w, c.h, S, S);
  for (let i = 0; i < img.length; i++) img[i]! *= model.imageScale;
  // A mask pixel that any masked pixel reaches stays masked: the model fills a little more, never less.
  const m = resamplePlanes(hole, 1, c.w, c.h, S, S).map((v) => (v > 0 ? 1 : 0));
  const result = await model.runner.run({ [model.imageName]: { data: img, dims: [1, 3, S, S] }, [model.maskName]: { data: m, dims: [1, 1, S, S] } });
  const out = result[model.outputName];
  if (!out) throw new Error(`the inpaint model gave no output "${model.outputName}" (it gave ${Object.keys(result).join(', ') || 'none'})`);
  if (out.data.length !== 3 * S * S) throw new Error(`the inpaint model's output "${model.outputName}" has ${out.data.length} values; expected [1, 3, ${S}, ${S}]`);
  const filled = out.data.map((v) => Math.min(1, Math.max(0, v / model.outputScale)));
  return resamplePlanes(filled, 3, S, S, c.w, c.h);
}

/** Stage 4: the hole's pixels written into `out`, rim rings blended (rings in order, so each reads final values). */
function paste(out: PixelBuffer, hole: Hole, depth: Uint8Array, fill: Float32Array, c: Rect): void {
  const { width: W, height: H, channels: ch } = out;
  const max = fullScale(out);
  const n = c.w * c.h;
  const byRing: number[][] = Array.from({ length: FEATHER_RINGS + 1 }, () => []);
  for (const p of hole.pixels) byRing[Math.min(depth[p]!, FEATHER_RINGS + 1) - 1]!.push(p);
  for (const [r, ring] of byRing.entries()) {
    const d = r + 1;
    const w = d > FEATHER_RINGS ? 1 : d / (FEATHER_RINGS + 1);
    for (const p of ring) {
      const x = p % W, y = (p - x) / W;
      const o = (y - c.y) * c.w + (x - c.x);
      const base = [0, 0, 0];
      let count = 0;
      if (w < 1) {
        for (let yy = Math.max(0, y - 1); yy <= Math.min(H - 1, y + 1); yy++) {
          for (let xx = Math.max(0, x - 1); xx <= Math.min(W - 1, x + 1); xx++) {
            const q = yy * W + xx;
            if (depth[q]! >= d) continue;
            for (let k = 0; k < 3; k++) base[k]! += out.data[q * ch + k]! / max;
            count++;
          }
        }
      }
      for (let k = 0; k < 3; k++) {
        const v = count ? w * fill[k * n + o]! + (1 - w) * (base[k]! / count) : fill[k * n + o]!;
        out.data[p * ch + k] = Math.round(Math.min(1, Math.max(0, v)) * max);
      }
    }
  }
}

/**
 * A copy of `img` with each hole filled by the model; pixels outside the holes are the input's, bit for bit.
 * `depth` is the mask's depth map (large-holes.ts) and `mask` every masked pixel, small defects included.
 */
export async function fillLargeHoles(img: PixelBuffer, mask: Uint8Array, holes: readonly Hole[], depth: Uint8Array, model: InpaintModel, o: PackFillOptions = {}): Promise<PixelBuffer> {
  const out = { ...img, data: img.data.slice() };
  // Holes already filled are context for the next ones.
  const pending = mask.slice();
  for (const [i, hole] of holes.entries()) {
    throwIfAborted(o.signal);
    const c = cropFor(hole.box, model.size, img.width, img.height);
    const { image, hole: holePlane } = cropPlanes(out, pending, c);
    const fill = await runModel(model, image, holePlane, c);
    paste(out, hole, depth, fill, c);
    for (const p of hole.pixels) pending[p] = 0;
    o.onProgress?.({ stage: 'inpaint-holes', done: i + 1, total: holes.length });
  }
  return out;
}
