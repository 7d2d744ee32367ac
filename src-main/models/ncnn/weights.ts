/**
 * Reader for ncnn `.bin` files (the weights half of an ncnn model).
 *
 * The file is the layers' weights back to back, in `.param` order, with no index. Each layer reads its own blobs
 * (ncnn `ModelBin::load(count, type)`):
 * - type 0 ("auto") starts with a 4-byte tag: 0x01306B47 → `count` IEEE half floats, padded to a multiple of 4 bytes;
 *   0x00000000 or 0x0002C056 → `count` float32; 0x000D4B38 → int8; any other non-zero tag → 8-bit indices into a
 *   256-entry float table. Only the two float forms are accepted here.
 * - type 1 is `count` raw float32, no tag.
 * Convolution loads its weights with type 0 and its bias with type 1; PReLU loads its slopes with type 1. All data is
 * little-endian.
 */
import { halfToFloat } from '../onnx/graph-builder';
import type { NcnnLayer } from './param';

export const TAG_FLOAT16 = 0x01306b47;
export const TAG_FLOAT32 = 0x00000000;
export const TAG_FLOAT32_SCALED = 0x0002c056;
const TAG_INT8 = 0x000d4b38;

export interface ConvolutionWeights {
  kind: 'Convolution';
  /** [numOutput][inputChannels][kernelH][kernelW], widened to float32 (exact for fp16 data). */
  weight: Float32Array;
  bias: Float32Array | null;
  /** How the file stored the weights (the bias is always float32). */
  storedAs: 'float16' | 'float32';
  /** The IEEE half bits as stored, when `storedAs` is float16 (lets a writer keep them without re-rounding). */
  half: Uint16Array | null;
}

export interface PReLUWeights {
  kind: 'PReLU';
  slope: Float32Array;
}

export type LayerWeights = ConvolutionWeights | PReLUWeights;

/** Sequential little-endian reader that names the layer and offset in every error. */
class BinReader {
  #offset = 0;
  readonly #view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.bytes.byteLength - this.#offset;
  }

  #need(n: number, what: string): void {
    if (n > this.remaining) {
      throw new Error(`ncnn bin: ${what} needs ${n} bytes at offset ${this.#offset}, but only ${this.remaining} remain`);
    }
  }

  /** `count` raw float32 values (ncnn load type 1). */
  raw(count: number, what: string): Float32Array {
    this.#need(count * 4, what);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.#view.getFloat32(this.#offset + i * 4, true);
    this.#offset += count * 4;
    return out;
  }

  /** `count` values preceded by a storage tag (ncnn load type 0). */
  tagged(count: number, what: string): { data: Float32Array; half: Uint16Array | null } {
    this.#need(4, `${what} (storage tag)`);
    const tag = this.#view.getUint32(this.#offset, true);
    const tagAt = this.#offset;
    this.#offset += 4;
    if (tag === TAG_FLOAT16) {
      // Half floats are padded so the next blob starts on a 4-byte boundary.
      const padded = Math.ceil((count * 2) / 4) * 4;
      this.#need(padded, what);
      const half = new Uint16Array(count);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        half[i] = this.#view.getUint16(this.#offset + i * 2, true);
        out[i] = halfToFloat(half[i]!);
      }
      this.#offset += padded;
      return { data: out, half };
    }
    if (tag === TAG_FLOAT32 || tag === TAG_FLOAT32_SCALED) return { data: this.raw(count, what), half: null };
    const kind = tag === TAG_INT8 ? 'int8' : 'codebook-quantised (8-bit indices)';
    throw new Error(
      `ncnn bin: ${what} at offset ${tagAt} is stored as ${kind} (tag 0x${tag.toString(16).padStart(8, '0')}); ` +
        'only float16 and float32 weights are supported',
    );
  }
}

/**
 * Reads the weights of every layer that has some, in file order, keyed by layer name.
 * Throws if the file is too short for the layers, or longer than they account for (a param/bin mismatch).
 */
export function readNcnnWeights(bin: Uint8Array, layers: readonly NcnnLayer[]): Map<string, LayerWeights> {
  const r = new BinReader(bin);
  const out = new Map<string, LayerWeights>();
  for (const layer of layers) {
    if (layer.type === 'Convolution') {
      const p = layer.params;
      const w = r.tagged(p.weightDataSize, `Convolution "${layer.name}" weights (${p.weightDataSize})`);
      const bias = p.biasTerm ? r.raw(p.numOutput, `Convolution "${layer.name}" bias (${p.numOutput})`) : null;
      out.set(layer.name, {
        kind: 'Convolution',
        weight: w.data,
        bias,
        storedAs: w.half ? 'float16' : 'float32',
        half: w.half,
      });
    } else if (layer.type === 'PReLU') {
      const slope = r.raw(layer.params.numSlope, `PReLU "${layer.name}" slopes (${layer.params.numSlope})`);
      out.set(layer.name, { kind: 'PReLU', slope });
    }
  }
  if (r.remaining !== 0) {
    throw new Error(`ncnn bin: ${r.remaining} bytes left after the last layer (read ${r.offset}); the .bin does not match the .param`);
  }
  return out;
}
