/**
 * ncnn model (parsed `.param` + `.bin`) → ONNX graph with the same maths.
 *
 * Mapping notes (each checked against ncnn's layer code, see the tests):
 * - ncnn blobs are C, H, W without a batch dimension: Concat axis a (a ≥ 0) is ONNX axis a + 1.
 * - PixelShuffle mode 0 is DepthToSpace "CRD" (the PyTorch pixel_shuffle order); "DCR" runs but scrambles the pixels.
 * - Interp nearest with factor s reads source pixel floor(y / s): Resize nearest, "asymmetric", "floor".
 * - Eltwise sum with coefficients is Σ cᵢ·xᵢ: a Mul by a constant for each cᵢ ≠ 1, then Adds.
 * - Split only fans a blob out, so its outputs are the same ONNX tensor.
 *
 * The graph takes float32 [1, C, H, W] and returns float32 [1, C', sH, sW], H and W dynamic. Shapes are also
 * propagated at a nominal input size so that the converter can check channel counts and report the upscale factor
 * and the multiply-accumulates per input pixel.
 */
import { floatAttr, GraphBuilder } from '../onnx/graph-builder';
import type { NcnnGraph, NcnnLayer } from './param';
import { parseNcnnParam } from './param';
import type { LayerWeights } from './weights';
import { readNcnnWeights } from './weights';

/** Bump when the converter's output bytes change for the same input (packs record it to know when to rebuild). */
export const CONVERTER_VERSION = 1;

export interface ConvertOptions {
  /** ONNX graph name (default "ncnn"). */
  graphName?: string;
  /** Name of the ONNX input tensor (default "input"). */
  inputName?: string;
  /** Name of the ONNX output tensor (default "output"). */
  outputName?: string;
  /**
   * How convolution weights are stored. "float32" (default) widens the file's values exactly; "float16" keeps
   * fp16-stored weights as fp16 initialisers followed by a Cast, halving the file; compute is float32 either way.
   */
  weightStorage?: 'float32' | 'float16';
  /** Input channels when the Input layer does not fix them (default 3). */
  inputChannels?: number;
  /** Input edge used to propagate shapes for the checks and statistics (default 64). */
  nominalSize?: number;
}

export interface ConversionResult {
  bytes: Uint8Array;
  /** Output size / input size (the same on both axes, checked). */
  scale: number;
  inputChannels: number;
  outputChannels: number;
  /** Σ over convolutions of Cout·Cin·kh·kw·Hout·Wout, divided by the input pixels, at the nominal size. */
  macsPerInputPixel: number;
  /** Weights, biases and slopes. */
  parameterCount: number;
}

interface Blob {
  tensor: string;
  c: number;
  h: number;
  w: number;
}

/** State shared by the per-layer emitters. */
class Emitter {
  readonly blobs = new Map<string, Blob>();
  readonly #scalars = new Map<number, string>();
  macs = 0;
  parameters = 0;

  constructor(
    readonly b: GraphBuilder,
    readonly weightStorage: 'float32' | 'float16',
    /** ncnn blob that is the graph output, and the ONNX name it must get. */
    readonly outputBlob: string,
    readonly outputName: string,
  ) {}

  in(layer: NcnnLayer, i: number): Blob {
    const name = layer.inputs[i]!;
    const blob = this.blobs.get(name);
    if (!blob) throw new Error(`${layer.type} "${layer.name}": input blob "${name}" has no tensor`);
    return blob;
  }

  /** ONNX name for an ncnn output blob: the graph output name for the final blob, a fresh name otherwise. */
  outName(layer: NcnnLayer, i = 0): string | undefined {
    return layer.outputs[i] === this.outputBlob ? this.outputName : undefined;
  }

  set(layer: NcnnLayer, blob: Blob, i = 0): void {
    this.blobs.set(layer.outputs[i]!, blob);
  }

  /** A float32 scalar constant, shared by every node that uses the same value. */
  scalar(value: number): string {
    let name = this.#scalars.get(value);
    if (!name) {
      name = this.b.initializer(`scalar.${value}`, new Float32Array([value]), []);
      this.#scalars.set(value, name);
    }
    return name;
  }

  /** A weight tensor; fp16-stored data stays fp16 in the file when asked, with a Cast back to float32. */
  weight(name: string, data: Float32Array, half: Uint16Array | null, dims: number[]): string {
    this.parameters += data.length;
    if (this.weightStorage === 'float16' && half) {
      // The half bits as ncnn stored them: no re-rounding.
      const stored = this.b.initializer(name, half, dims);
      return this.b.op('Cast', [stored], { to: 1 });
    }
    return this.b.initializer(name, data, dims);
  }
}

function weightsOf<K extends LayerWeights['kind']>(
  weights: ReadonlyMap<string, LayerWeights>,
  layer: NcnnLayer,
  kind: K,
): Extract<LayerWeights, { kind: K }> {
  const w = weights.get(layer.name);
  if (!w || w.kind !== kind) throw new Error(`${layer.type} "${layer.name}": no ${kind} weights were read for this layer`);
  return w as Extract<LayerWeights, { kind: K }>;
}

function emitConvolution(e: Emitter, layer: Extract<NcnnLayer, { type: 'Convolution' }>, weights: ReadonlyMap<string, LayerWeights>): void {
  const p = layer.params;
  const x = e.in(layer, 0);
  const cin = p.weightDataSize / (p.numOutput * p.kernelH * p.kernelW);
  if (cin !== x.c) {
    throw new Error(`Convolution "${layer.name}": weights are for ${cin} input channels but its input has ${x.c}`);
  }
  const w = weightsOf(weights, layer, 'Convolution');
  const inputs = [x.tensor, e.weight(`${layer.name}.weight`, w.weight, w.half, [p.numOutput, cin, p.kernelH, p.kernelW])];
  if (w.bias) {
    e.parameters += w.bias.length;
    inputs.push(e.b.initializer(`${layer.name}.bias`, w.bias, [p.numOutput]));
  }
  const extentH = p.dilationH * (p.kernelH - 1) + 1;
  const extentW = p.dilationW * (p.kernelW - 1) + 1;
  const h = Math.floor((x.h + p.padTop + p.padBottom - extentH) / p.strideH) + 1;
  const wOut = Math.floor((x.w + p.padLeft + p.padRight - extentW) / p.strideW) + 1;
  if (h <= 0 || wOut <= 0) throw new Error(`Convolution "${layer.name}": output would be ${h}x${wOut} for a ${x.h}x${x.w} input`);
  e.macs += p.numOutput * cin * p.kernelH * p.kernelW * h * wOut;

  const act = p.activation;
  const final = e.outName(layer);
  const conv = e.b.op('Conv', inputs, {
    kernel_shape: [p.kernelH, p.kernelW],
    pads: [p.padTop, p.padLeft, p.padBottom, p.padRight],
    strides: [p.strideH, p.strideW],
    dilations: [p.dilationH, p.dilationW],
    group: 1,
  }, act.type === 'none' ? final : undefined);
  let out: string;
  switch (act.type) {
    case 'none':
      out = conv;
      break;
    case 'relu':
      out = e.b.op('Relu', [conv], {}, final);
      break;
    case 'leakyrelu':
      out = e.b.op('LeakyRelu', [conv], { alpha: floatAttr(act.slope) }, final);
      break;
    case 'clip':
      out = e.b.op('Clip', [conv, e.scalar(act.min), e.scalar(act.max)], {}, final);
      break;
    case 'sigmoid':
      out = e.b.op('Sigmoid', [conv], {}, final);
      break;
  }
  e.set(layer, { tensor: out, c: p.numOutput, h, w: wOut });
}

function emitPRelu(e: Emitter, layer: Extract<NcnnLayer, { type: 'PReLU' }>, weights: ReadonlyMap<string, LayerWeights>): void {
  const x = e.in(layer, 0);
  const { slope } = weightsOf(weights, layer, 'PReLU');
  if (slope.length !== 1 && slope.length !== x.c) {
    throw new Error(`PReLU "${layer.name}": ${slope.length} slopes for ${x.c} channels`);
  }
  e.parameters += slope.length;
  // ONNX broadcasts from the right: per-channel slopes must be [C, 1, 1] to line up with N, C, H, W.
  const dims = slope.length === 1 ? [1] : [slope.length, 1, 1];
  const s = e.b.initializer(`${layer.name}.slope`, slope, dims);
  e.set(layer, { ...x, tensor: e.b.op('PRelu', [x.tensor, s], {}, e.outName(layer)) });
}

function sameShape(layer: NcnnLayer, blobs: Blob[]): void {
  const [first] = blobs;
  for (const b of blobs) {
    if (b.c !== first!.c || b.h !== first!.h || b.w !== first!.w) {
      const shapes = blobs.map((x) => `${x.c}x${x.h}x${x.w}`).join(', ');
      throw new Error(`${layer.type} "${layer.name}": inputs must have the same shape, got ${shapes}`);
    }
  }
}

function emitEltwise(e: Emitter, layer: Extract<NcnnLayer, { type: 'Eltwise' }>): void {
  const xs = layer.inputs.map((_, i) => e.in(layer, i));
  sameShape(layer, xs);
  const final = e.outName(layer);
  const { op, coeffs } = layer.params;
  let out: string;
  if (op === 'max') {
    out = e.b.op('Max', xs.map((x) => x.tensor), {}, final);
  } else {
    const terms = xs.map((x, i) => {
      const c = coeffs[i] ?? 1;
      return c === 1 ? x.tensor : e.b.op('Mul', [x.tensor, e.scalar(c)]);
    });
    const onnxOp = op === 'sum' ? 'Add' : 'Mul';
    out = terms[0]!;
    for (let i = 1; i < terms.length; i++) {
      out = e.b.op(onnxOp, [out, terms[i]!], {}, i === terms.length - 1 ? final : undefined);
    }
  }
  e.set(layer, { ...xs[0]!, tensor: out });
}

const ONNX_BINARY = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div', max: 'Max', min: 'Min' } as const;

function emitBinaryOp(e: Emitter, layer: Extract<NcnnLayer, { type: 'BinaryOp' }>): void {
  const a = e.in(layer, 0);
  const { op, withScalar, b } = layer.params;
  let other: string;
  if (withScalar) {
    other = e.scalar(b);
  } else {
    const bb = e.in(layer, 1);
    // ncnn's broadcasting rules differ from ONNX's for unequal shapes; the models we convert never need them.
    sameShape(layer, [a, bb]);
    other = bb.tensor;
  }
  e.set(layer, { ...a, tensor: e.b.op(ONNX_BINARY[op], [a.tensor, other], {}, e.outName(layer)) });
}

function emitConcat(e: Emitter, layer: Extract<NcnnLayer, { type: 'Concat' }>): void {
  const xs = layer.inputs.map((_, i) => e.in(layer, i));
  const axis = layer.params.axis < 0 ? layer.params.axis + 3 : layer.params.axis;
  if (axis < 0 || axis > 2) throw new Error(`Concat "${layer.name}": axis ${layer.params.axis} is outside a C, H, W blob`);
  const dims = (x: Blob): number[] => [x.c, x.h, x.w];
  const first = dims(xs[0]!);
  for (const x of xs) {
    if (dims(x).some((d, i) => i !== axis && d !== first[i])) {
      const shapes = xs.map((y) => dims(y).join('x')).join(', ');
      throw new Error(`Concat "${layer.name}": shapes ${shapes} differ outside axis ${axis}`);
    }
  }
  const outDims = [...first];
  outDims[axis] = xs.reduce((s, x) => s + dims(x)[axis]!, 0);
  const tensor = e.b.op('Concat', xs.map((x) => x.tensor), { axis: axis + 1 }, e.outName(layer));
  e.set(layer, { tensor, c: outDims[0]!, h: outDims[1]!, w: outDims[2]! });
}

function emitInterp(e: Emitter, layer: Extract<NcnnLayer, { type: 'Interp' }>): void {
  const x = e.in(layer, 0);
  const { heightScale, widthScale } = layer.params;
  const scales = e.b.initializer(`${layer.name}.scales`, new Float32Array([1, 1, heightScale, widthScale]), [4]);
  const tensor = e.b.op('Resize', [x.tensor, '', scales], {
    mode: 'nearest',
    coordinate_transformation_mode: 'asymmetric',
    nearest_mode: 'floor',
  }, e.outName(layer));
  e.set(layer, { tensor, c: x.c, h: Math.floor(x.h * heightScale), w: Math.floor(x.w * widthScale) });
}

function emitPixelShuffle(e: Emitter, layer: Extract<NcnnLayer, { type: 'PixelShuffle' }>): void {
  const x = e.in(layer, 0);
  const r = layer.params.upscaleFactor;
  if (x.c % (r * r) !== 0) throw new Error(`PixelShuffle "${layer.name}": ${x.c} channels are not a multiple of ${r}²`);
  const tensor = e.b.op('DepthToSpace', [x.tensor], { blocksize: r, mode: layer.params.mode }, e.outName(layer));
  e.set(layer, { tensor, c: x.c / (r * r), h: x.h * r, w: x.w * r });
}

/** The one blob that no layer consumes; that is the network's output. */
function findOutputBlob(graph: NcnnGraph): string {
  const consumed = new Set(graph.layers.flatMap((l) => l.inputs));
  const unconsumed = graph.layers.flatMap((l) => l.outputs).filter((b) => !consumed.has(b));
  if (unconsumed.length !== 1) {
    throw new Error(`the ncnn graph must have exactly one output blob, found ${unconsumed.length}: ${unconsumed.join(', ')}`);
  }
  return unconsumed[0]!;
}

/**
 * Converts a parsed ncnn graph and its weights to ONNX bytes. Deterministic: the same inputs give the same bytes.
 * Throws, naming the layer, on anything it cannot reproduce exactly.
 */
export function ncnnToOnnx(
  graph: NcnnGraph,
  weights: ReadonlyMap<string, LayerWeights>,
  opts: ConvertOptions = {},
): ConversionResult {
  const inputName = opts.inputName ?? 'input';
  const outputName = opts.outputName ?? 'output';
  const nominal = opts.nominalSize ?? 64;
  const inputs = graph.layers.filter((l) => l.type === 'Input');
  if (inputs.length !== 1) throw new Error(`the ncnn graph must have exactly one Input layer, found ${inputs.length}`);
  const outputBlob = findOutputBlob(graph);
  const b = new GraphBuilder(opts.graphName ?? 'ncnn');
  const e = new Emitter(b, opts.weightStorage ?? 'float32', outputBlob, outputName);
  let inputChannels = 0;

  for (const layer of graph.layers) {
    switch (layer.type) {
      case 'Input': {
        const c = layer.params.c || (opts.inputChannels ?? 3);
        if (opts.inputChannels !== undefined && layer.params.c && layer.params.c !== opts.inputChannels) {
          throw new Error(`Input "${layer.name}" fixes ${layer.params.c} channels, not the ${opts.inputChannels} asked for`);
        }
        inputChannels = c;
        b.input(inputName, 'float32', [1, c, 'height', 'width']);
        e.set(layer, { tensor: inputName, c, h: nominal, w: nominal });
        break;
      }
      case 'Split': {
        const x = e.in(layer, 0);
        layer.outputs.forEach((_, i) => {
          const named = e.outName(layer, i);
          e.set(layer, named ? { ...x, tensor: b.op('Identity', [x.tensor], {}, named) } : x, i);
        });
        break;
      }
      case 'Convolution':
        emitConvolution(e, layer, weights);
        break;
      case 'PReLU':
        emitPRelu(e, layer, weights);
        break;
      case 'Eltwise':
        emitEltwise(e, layer);
        break;
      case 'BinaryOp':
        emitBinaryOp(e, layer);
        break;
      case 'Concat':
        emitConcat(e, layer);
        break;
      case 'Interp':
        emitInterp(e, layer);
        break;
      case 'PixelShuffle':
        emitPixelShuffle(e, layer);
        break;
    }
  }

  const out = e.blobs.get(outputBlob)!;
  if (out.tensor !== outputName) throw new Error(`output blob "${outputBlob}" is the graph input; nothing to convert`);
  if (out.h !== out.w) {
    throw new Error(`output is ${out.h}x${out.w} for a ${nominal}x${nominal} input: scale differs between axes`);
  }
  b.output(outputName, 'float32', [1, out.c, 'out_height', 'out_width']);
  return {
    bytes: b.toBytes({ producer: `revive ncnn-to-onnx v${CONVERTER_VERSION}` }),
    scale: out.h / nominal,
    inputChannels,
    outputChannels: out.c,
    macsPerInputPixel: e.macs / (nominal * nominal),
    parameterCount: e.parameters,
  };
}

/** Parses `.param` text and `.bin` bytes and converts them (see {@link ncnnToOnnx}). */
export function convertNcnnModel(paramText: string, bin: Uint8Array, opts: ConvertOptions = {}): ConversionResult {
  const graph = parseNcnnParam(paramText);
  return ncnnToOnnx(graph, readNcnnWeights(bin, graph.layers), opts);
}
