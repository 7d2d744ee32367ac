/**
 * Colourisation of one photo with a DDColor-layout model (models/README.md, "Colourisation packs"):
 *   1. judge   — monochrome, toned or colour (detect-mono.ts); in 'auto' mode a colour photo is left as it is
 *   2. input   — the lightness as a grey RGB image at the model's size (model-input.ts)
 *   3. run     — one model call: grey [1, 3, S, S] → a*b* [1, 2, S, S]
 *   4. combine — chroma upsampled to the full size and joined with the original's own L* (combine.ts), depth kept
 */
import type { ModelRunner, PixelBuffer } from '../../pixels/types';
import { combineChroma } from './combine';
import { isMonochrome, judgeMonochrome, type MonoVerdict } from './detect-mono';
import { greyInput } from './model-input';

export interface ColorizeOptions {
  /** 'auto' colourises only photos judged monochrome or toned; 'on' colourises whatever the photo. */
  mode: 'auto' | 'on';
  /** 0–1: share of the model's chroma (0 keeps the photo's own). */
  strength: number;
  size: number;
  inputName: string;
  outputName: string;
  inputRange: readonly [number, number];
  /** Model output × this = CIELAB a*, b*. */
  outputScale: number;
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface ColorizeResult {
  image: PixelBuffer;
  verdict: MonoVerdict;
  /** False when 'auto' found a colour photo and left it unchanged (`image` is the input). */
  applied: boolean;
}

function checkOutput(out: Record<string, { data: Float32Array; dims: readonly number[] }>, name: string, size: number): Float32Array {
  const t = out[name];
  if (!t) throw new Error(`the colorize model gave no output "${name}" (it gave ${Object.keys(out).join(', ') || 'none'})`);
  const want = [1, 2, size, size];
  if (t.dims.length !== 4 || t.dims.some((d, i) => d !== want[i])) {
    throw new Error(`the colorize model's output "${name}" is [${t.dims.join(', ')}]; the pack declares [${want.join(', ')}]`);
  }
  return t.data;
}

export async function colorizePhoto(rgb: PixelBuffer, model: ModelRunner, o: ColorizeOptions): Promise<ColorizeResult> {
  if (!(o.strength >= 0 && o.strength <= 1)) throw new RangeError(`colorize strength must be 0–1, got ${o.strength}`);
  // 1. judge
  const verdict = judgeMonochrome(rgb);
  if (o.mode === 'auto' && !isMonochrome(verdict)) return { image: rgb, verdict, applied: false };
  // 2. input
  o.onProgress?.('colorize', 0, 3);
  const input = greyInput(rgb, o.size, o.inputRange);
  o.onProgress?.('colorize', 1, 3);
  // 3. run
  const out = await model.run({ [o.inputName]: { data: input, dims: [1, 3, o.size, o.size] } });
  const ab = checkOutput(out, o.outputName, o.size);
  o.onProgress?.('colorize', 2, 3);
  // 4. combine
  const n = o.size * o.size;
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = ab[i]! * o.outputScale;
    b[i] = ab[n + i]! * o.outputScale;
  }
  const image = combineChroma(rgb, { a, b, size: o.size }, o.strength);
  o.onProgress?.('colorize', 3, 3);
  return { image, verdict, applied: true };
}
