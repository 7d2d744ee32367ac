/**
 * A small ONNX graph writer on top of `onnx-proto` (the generated protobuf classes).
 *
 * Used by the ncnn converter (real Real-ESRGAN weights) and by the generators of the tiny test packs whose
 * behaviour is known exactly. It only writes graphs; onnxruntime does all the checking when the model loads.
 */
import onnxProto from 'onnx-proto';
import type { onnx as O } from 'onnx-proto';

// onnx-proto is CommonJS; its named export is not visible to Node's ESM loader.
const { onnx } = onnxProto;

export type ElemType = 'float32' | 'float16' | 'int32' | 'int64';
/** A dimension: a fixed size or a symbolic name (dynamic axis). */
export type Dim = number | string;
export type AttrValue = number | string | number[] | Float32Array | FloatScalar;

/** A single FLOAT attribute, whatever its value (plain numbers that are integers are written as INT). */
export class FloatScalar {
  constructor(readonly value: number) {}
}

const ELEM: Record<ElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float16: onnx.TensorProto.DataType.FLOAT16,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
};

/** IEEE 754 half → float, used to read ncnn fp16 weights and to check fp16 initialisers. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** float → IEEE 754 half with round-to-nearest-even (for fp16-weight test packs). */
export function floatToHalf(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

function valueInfo(name: string, type: ElemType, shape: Dim[]): O.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM[type],
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, v: AttrValue): O.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') {
    return Number.isInteger(v) ? { name, type: A.INT, i: v } : { name, type: A.FLOAT, f: v };
  }
  if (v instanceof FloatScalar) return { name, type: A.FLOAT, f: v.value };
  if (v instanceof Float32Array) return { name, type: A.FLOATS, floats: Array.from(v) };
  return { name, type: A.INTS, ints: v };
}

/** Marks a float attribute that happens to hold an integer value (e.g. LeakyRelu alpha = 1). */
export function floatAttr(value: number): FloatScalar {
  // A one-element Float32Array would be written as FLOATS, which ops such as LeakyRelu reject.
  return new FloatScalar(value);
}

export class GraphBuilder {
  readonly #nodes: O.INodeProto[] = [];
  readonly #inits: O.ITensorProto[] = [];
  readonly #inputs: O.IValueInfoProto[] = [];
  readonly #outputs: O.IValueInfoProto[] = [];
  readonly #names = new Set<string>();
  #counter = 0;

  constructor(readonly name: string) {}

  /** A fresh, unique tensor name. */
  fresh(prefix: string): string {
    let n: string;
    do n = `${prefix}_${this.#counter++}`;
    while (this.#names.has(n));
    this.#names.add(n);
    return n;
  }

  input(name: string, type: ElemType, shape: Dim[]): string {
    this.#claim(name);
    this.#inputs.push(valueInfo(name, type, shape));
    return name;
  }

  output(name: string, type: ElemType, shape: Dim[]): void {
    this.#outputs.push(valueInfo(name, type, shape));
  }

  /** A constant tensor stored in the model. float32 data can be stored as fp16 with `storeAs`. */
  initializer(
    name: string,
    data: Float32Array | Int32Array | BigInt64Array | Uint16Array,
    dims: number[],
    storeAs?: ElemType,
  ): string {
    this.#claim(name);
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected) {
      throw new Error(`initializer ${name}: ${data.length} values for dims [${dims.join(', ')}] (${expected})`);
    }
    let type: ElemType;
    let raw: Uint8Array;
    if (data instanceof Float32Array && storeAs === 'float16') {
      const half = new Uint16Array(data.length);
      for (let i = 0; i < data.length; i++) half[i] = floatToHalf(data[i]!);
      type = 'float16';
      raw = new Uint8Array(half.buffer);
    } else {
      type = data instanceof Float32Array ? 'float32' : data instanceof Int32Array ? 'int32'
        : data instanceof BigInt64Array ? 'int64' : 'float16';
      raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    }
    // ONNX raw_data is little-endian, as are all platforms we ship for.
    this.#inits.push({ name, dims, dataType: ELEM[type], rawData: raw });
    return name;
  }

  /** Adds a node; returns the names of its outputs (one fresh name each unless given). */
  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs: number | string[] = 1): string[] {
    const outs = typeof outputs === 'number'
      ? Array.from({ length: outputs }, () => this.fresh(op.toLowerCase()))
      : outputs.map((o) => (this.#claim(o), o));
    this.#nodes.push({
      opType: op,
      input: inputs,
      output: outs,
      name: this.fresh(`${op}_node`),
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** Single-output convenience over {@link node}. */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    return this.node(op, inputs, attrs, output ? [output] : 1)[0]!;
  }

  /** Serialises to ONNX bytes (IR 8, default opset 17). Deterministic: same graph, same bytes. */
  toBytes(opts: { opset?: number; producer?: string } = {}): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: opts.producer ?? 'revive',
      opsetImport: [{ domain: '', version: opts.opset ?? 17 }],
      graph: {
        name: this.name,
        node: this.#nodes,
        initializer: this.#inits,
        input: this.#inputs,
        output: this.#outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  #claim(name: string): void {
    if (this.#names.has(name)) throw new Error(`duplicate tensor name ${name}`);
    this.#names.add(name);
  }
}
