/**
 * Reader for ncnn `.param` text files (the network structure half of an ncnn model).
 *
 * Format (Tencent/ncnn wiki, "param and model file structure"):
 *
 *     7767517                                   magic
 *     <layer count> <blob count>
 *     <type> <name> <#inputs> <#outputs> <input blobs…> <output blobs…> <id=value …>
 *
 * A key 0…19 holds an int (no '.', 'e' or 'E' in the text) or a float. A key of -23300 - id holds an array for
 * parameter `id`, written `count,v1,v2,…`. Parameter ids per layer follow ncnn's operation-param-weight table.
 *
 * Only the layer types the embedded Real-ESRGAN models use are accepted, and within them only the settings the ONNX
 * converter can reproduce exactly; anything else fails here with the layer, the id and the value, so that a model is
 * never converted into something that only looks right.
 */

export const NCNN_PARAM_MAGIC = 7767517;

/** One raw `id=value` entry. Arrays keep whether ncnn would read their elements as floats. */
export type ParamValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'array'; values: number[]; float: boolean };

/** Raw parameters of one layer line, by parameter id (array keys already mapped back to their id). */
export type ParamDict = ReadonlyMap<number, ParamValue>;

/** Activation fused into an ncnn Convolution (param 9 = type, 10 = its parameters). */
export type FusedActivation =
  | { type: 'none' }
  | { type: 'relu' }
  | { type: 'leakyrelu'; slope: number }
  | { type: 'clip'; min: number; max: number }
  | { type: 'sigmoid' };

export interface ConvolutionParams {
  numOutput: number;
  kernelW: number;
  kernelH: number;
  dilationW: number;
  dilationH: number;
  strideW: number;
  strideH: number;
  padLeft: number;
  padRight: number;
  padTop: number;
  padBottom: number;
  biasTerm: boolean;
  /** Number of weights: numOutput · inputChannels · kernelH · kernelW. */
  weightDataSize: number;
  activation: FusedActivation;
}

export type BinaryOpType = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min';
export type EltwiseOpType = 'prod' | 'sum' | 'max';

interface LayerBase {
  name: string;
  /** Blob names consumed, in order. */
  inputs: string[];
  /** Blob names produced, in order. */
  outputs: string[];
}

/** The network input. Sizes are 0 when not fixed in the file (ncnn blobs have no batch dimension: C, H, W). */
export interface InputLayer extends LayerBase { type: 'Input'; params: { w: number; h: number; c: number } }
export interface ConvolutionLayer extends LayerBase { type: 'Convolution'; params: ConvolutionParams }
/** Per-channel (or single) slope for negative values. */
export interface PReLULayer extends LayerBase { type: 'PReLU'; params: { numSlope: number } }
/** Fans one blob out to several consumers (ncnn needs it; ONNX does not). */
export interface SplitLayer extends LayerBase { type: 'Split'; params: Record<string, never> }
/** Element-wise over n inputs; `coeffs` weight each input of a sum (empty: all 1). */
export interface EltwiseLayer extends LayerBase { type: 'Eltwise'; params: { op: EltwiseOpType; coeffs: number[] } }
/** Nearest-neighbour upscaling by fixed factors (the only Interp mode accepted). */
export interface InterpLayer extends LayerBase {
  type: 'Interp';
  params: { resizeType: 'nearest'; heightScale: number; widthScale: number };
}
/** Depth to space. ncnn mode 0 takes channel p·r² + i·r + j (ONNX "CRD"); mode 1 takes (i·r + j)·C + p ("DCR"). */
export interface PixelShuffleLayer extends LayerBase {
  type: 'PixelShuffle';
  params: { upscaleFactor: number; mode: 'CRD' | 'DCR' };
}
/** Two blobs of equal shape, or one blob and the scalar `b` when `withScalar`. */
export interface BinaryOpLayer extends LayerBase {
  type: 'BinaryOp';
  params: { op: BinaryOpType; withScalar: boolean; b: number };
}
/** Concatenation along an ncnn axis (0 = channels for C, H, W blobs; negative counts from the end). */
export interface ConcatLayer extends LayerBase { type: 'Concat'; params: { axis: number } }

export type NcnnLayer =
  | InputLayer
  | ConvolutionLayer
  | PReLULayer
  | SplitLayer
  | EltwiseLayer
  | InterpLayer
  | PixelShuffleLayer
  | BinaryOpLayer
  | ConcatLayer;

export type NcnnLayerType = NcnnLayer['type'];

export interface NcnnGraph {
  layers: NcnnLayer[];
  /** Blob count declared in the header (checked against the blobs the layers produce). */
  blobCount: number;
}

/** Where a problem is, for error messages: `line 12, Convolution "Conv_4"`. */
export interface ParamLocation {
  line: number;
  type: string;
  name: string;
}

function at(w: ParamLocation): string {
  return `line ${w.line}, ${w.type} "${w.name}"`;
}

/** Parses one value the way ncnn decides int versus float: by the characters '.', 'e', 'E'. */
function parseScalar(text: string, w: ParamLocation, id: number): { value: number; float: boolean } {
  const float = /[.eE]/.test(text);
  const ok = float ? /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) : /^[+-]?\d+$/.test(text);
  if (!ok) throw new Error(`${at(w)}: param ${id} has value "${text}", which is not a number`);
  return { value: Number(text), float };
}

/** Parses the `id=value` tokens of one layer line into a dictionary keyed by parameter id. */
export function parseParamDict(tokens: readonly string[], w: ParamLocation): Map<number, ParamValue> {
  const dict = new Map<number, ParamValue>();
  for (const token of tokens) {
    const m = /^(-?\d+)=(.*)$/.exec(token);
    if (!m) throw new Error(`${at(w)}: expected id=value, got "${token}"`);
    const key = Number(m[1]);
    const text = m[2]!;
    const isArray = key <= -23300;
    const id = isArray ? -key - 23300 : key;
    if (id < 0 || id > 31) throw new Error(`${at(w)}: param key ${key} is outside the ncnn id range`);
    if (dict.has(id)) throw new Error(`${at(w)}: param ${id} is given twice`);
    if (!isArray) {
      const { value, float } = parseScalar(text, w, id);
      dict.set(id, float ? { kind: 'float', value } : { kind: 'int', value });
      continue;
    }
    const parts = text.split(',');
    const count = parseScalar(parts[0] ?? '', w, id);
    if (count.float || count.value < 0) throw new Error(`${at(w)}: array param ${id} must start with a count, got "${parts[0]}"`);
    const items = parts.slice(1).map((p) => parseScalar(p, w, id));
    if (items.length !== count.value) {
      throw new Error(`${at(w)}: array param ${id} declares ${count.value} values but has ${items.length}`);
    }
    dict.set(id, { kind: 'array', values: items.map((i) => i.value), float: items.some((i) => i.float) });
  }
  return dict;
}

/** Typed access to one layer's raw parameters; rejects ids the layer type does not define. */
class Params {
  constructor(
    private readonly dict: ParamDict,
    private readonly w: ParamLocation,
    known: readonly number[],
  ) {
    for (const id of dict.keys()) {
      if (!known.includes(id)) {
        throw new Error(`${at(w)}: param id ${id} is not supported for ${w.type} (known: ${known.join(', ') || 'none'})`);
      }
    }
  }

  int(id: number, def: number): number {
    const v = this.dict.get(id);
    if (v === undefined) return def;
    if (v.kind !== 'int') throw new Error(`${at(this.w)}: param ${id} must be an integer, got ${describe(v)}`);
    return v.value;
  }

  float(id: number, def: number): number {
    const v = this.dict.get(id);
    if (v === undefined) return def;
    // Current ncnn converts an int written where a float is expected ("1=4"); do the same.
    if (v.kind === 'array') throw new Error(`${at(this.w)}: param ${id} must be a number, got ${describe(v)}`);
    return v.value;
  }

  floats(id: number): number[] {
    const v = this.dict.get(id);
    if (v === undefined) return [];
    if (v.kind !== 'array') throw new Error(`${at(this.w)}: param ${id} must be an array, got ${describe(v)}`);
    return v.values;
  }

  fail(id: number, value: unknown, why: string): never {
    throw new Error(`${at(this.w)}: param ${id} = ${String(value)} is not supported (${why})`);
  }
}

function describe(v: ParamValue): string {
  return v.kind === 'array' ? `array [${v.values.join(', ')}]` : `${v.kind} ${v.value}`;
}

function positive(p: Params, id: number, value: number, what: string): number {
  if (!Number.isInteger(value) || value <= 0) p.fail(id, value, `${what} must be a positive integer`);
  return value;
}

function convolutionParams(p: Params): ConvolutionParams {
  const numOutput = positive(p, 0, p.int(0, 0), 'num_output');
  const kernelW = positive(p, 1, p.int(1, 0), 'kernel_w');
  const kernelH = positive(p, 11, p.int(11, kernelW), 'kernel_h');
  const dilationW = positive(p, 2, p.int(2, 1), 'dilation_w');
  const dilationH = positive(p, 12, p.int(12, dilationW), 'dilation_h');
  const strideW = positive(p, 3, p.int(3, 1), 'stride_w');
  const strideH = positive(p, 13, p.int(13, strideW), 'stride_h');
  const padLeft = p.int(4, 0);
  const padRight = p.int(15, padLeft);
  const padTop = p.int(14, padLeft);
  const padBottom = p.int(16, padTop);
  for (const [id, v] of [[4, padLeft], [15, padRight], [14, padTop], [16, padBottom]] as const) {
    // -233 / -234 ask ncnn for SAME padding computed at run time; not needed by our models.
    if (v < 0) p.fail(id, v, 'automatic (negative) padding');
  }
  const padValue = p.float(18, 0);
  if (padValue !== 0) p.fail(18, padValue, 'ONNX Conv pads with zeros');
  const biasTerm = p.int(5, 0);
  if (biasTerm !== 0 && biasTerm !== 1) p.fail(5, biasTerm, 'bias_term is 0 or 1');
  const weightDataSize = positive(p, 6, p.int(6, 0), 'weight_data_size');
  const int8 = p.int(8, 0);
  if (int8 !== 0) p.fail(8, int8, 'int8 quantised convolution');
  const dynamicWeight = p.int(19, 0);
  if (dynamicWeight !== 0) p.fail(19, dynamicWeight, 'weights fed as a second input');
  const perOutput = numOutput * kernelW * kernelH;
  if (weightDataSize % perOutput !== 0) {
    p.fail(6, weightDataSize, `not a multiple of num_output·kernel_h·kernel_w = ${perOutput}`);
  }
  return {
    numOutput, kernelW, kernelH, dilationW, dilationH, strideW, strideH,
    padLeft, padRight, padTop, padBottom,
    biasTerm: biasTerm === 1,
    weightDataSize,
    activation: fusedActivation(p),
  };
}

function fusedActivation(p: Params): FusedActivation {
  const type = p.int(9, 0);
  const args = p.floats(10);
  const need = (n: number): void => {
    if (args.length < n) p.fail(10, `[${args.join(', ')}]`, `activation ${type} needs ${n} parameter(s)`);
  };
  switch (type) {
    case 0:
      return { type: 'none' };
    case 1:
      return { type: 'relu' };
    case 2:
      need(1);
      return { type: 'leakyrelu', slope: args[0]! };
    case 3:
      need(2);
      return { type: 'clip', min: args[0]!, max: args[1]! };
    case 4:
      return { type: 'sigmoid' };
    default:
      return p.fail(9, type, 'supported fused activations: 0 none, 1 relu, 2 leakyrelu, 3 clip, 4 sigmoid');
  }
}

const BINARY_OPS: readonly BinaryOpType[] = ['add', 'sub', 'mul', 'div', 'max', 'min'];
const ELTWISE_OPS: readonly EltwiseOpType[] = ['prod', 'sum', 'max'];

/** Known parameter ids per layer type (ncnn operation-param-weight table). */
const KNOWN_IDS: Record<NcnnLayerType, readonly number[]> = {
  Input: [0, 1, 2],
  Convolution: [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19],
  PReLU: [0],
  Split: [],
  Eltwise: [0, 1],
  Interp: [0, 1, 2, 3, 4, 5, 6],
  PixelShuffle: [0, 1],
  BinaryOp: [0, 1, 2],
  Concat: [0],
};

export const SUPPORTED_LAYER_TYPES = Object.keys(KNOWN_IDS) as NcnnLayerType[];

function isSupported(type: string): type is NcnnLayerType {
  return Object.hasOwn(KNOWN_IDS, type);
}

/** Builds the typed layer for one parsed line. */
function typedLayer(type: NcnnLayerType, base: LayerBase, dict: ParamDict, w: ParamLocation): NcnnLayer {
  const p = new Params(dict, w, KNOWN_IDS[type]);
  switch (type) {
    case 'Input':
      return { type, ...base, params: { w: p.int(0, 0), h: p.int(1, 0), c: p.int(2, 0) } };
    case 'Convolution':
      return { type, ...base, params: convolutionParams(p) };
    case 'PReLU':
      return { type, ...base, params: { numSlope: positive(p, 0, p.int(0, 0), 'num_slope') } };
    case 'Split':
      return { type, ...base, params: {} };
    case 'Eltwise': {
      const opId = p.int(0, 1);
      const op = ELTWISE_OPS[opId] ?? p.fail(0, opId, '0 prod, 1 sum, 2 max');
      const coeffs = p.floats(1);
      if (coeffs.length > 0 && op !== 'sum') p.fail(1, `[${coeffs.join(', ')}]`, 'coefficients apply to sum only');
      if (coeffs.length > 0 && coeffs.length !== base.inputs.length) {
        p.fail(1, `[${coeffs.join(', ')}]`, `one coefficient per input (${base.inputs.length})`);
      }
      return { type, ...base, params: { op, coeffs } };
    }
    case 'Interp': {
      const resizeType = p.int(0, 0);
      if (resizeType !== 1) p.fail(0, resizeType, 'only 1 (nearest) is converted');
      if (p.int(3, 0) !== 0 || p.int(4, 0) !== 0) p.fail(3, `${p.int(3, 0)}x${p.int(4, 0)}`, 'fixed output size');
      if (p.int(5, 0) !== 0) p.fail(5, p.int(5, 0), 'dynamic target size');
      const heightScale = p.float(1, 1);
      const widthScale = p.float(2, 1);
      if (!(heightScale > 0) || !(widthScale > 0)) p.fail(1, `${heightScale}, ${widthScale}`, 'scales must be positive');
      return { type, ...base, params: { resizeType: 'nearest', heightScale, widthScale } };
    }
    case 'PixelShuffle': {
      const upscaleFactor = positive(p, 0, p.int(0, 1), 'upscale_factor');
      const mode = p.int(1, 0);
      if (mode !== 0 && mode !== 1) p.fail(1, mode, '0 (CRD) or 1 (DCR)');
      return { type, ...base, params: { upscaleFactor, mode: mode === 0 ? 'CRD' : 'DCR' } };
    }
    case 'BinaryOp': {
      const opId = p.int(0, 0);
      const op = BINARY_OPS[opId] ?? p.fail(0, opId, '0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min');
      const withScalar = p.int(1, 0);
      if (withScalar !== 0 && withScalar !== 1) p.fail(1, withScalar, 'with_scalar is 0 or 1');
      return { type, ...base, params: { op, withScalar: withScalar === 1, b: p.float(2, 0) } };
    }
    case 'Concat':
      return { type, ...base, params: { axis: p.int(0, 0) } };
  }
}

/** Input and output counts each layer type accepts: [min inputs, max inputs, min outputs, max outputs]. */
function arity(layer: NcnnLayer): [number, number, number, number] {
  switch (layer.type) {
    case 'Input':
      return [0, 0, 1, 1];
    case 'Split':
      return [1, 1, 1, Infinity];
    case 'Eltwise':
    case 'Concat':
      return [2, Infinity, 1, 1];
    case 'BinaryOp':
      return layer.params.withScalar ? [1, 1, 1, 1] : [2, 2, 1, 1];
    default:
      return [1, 1, 1, 1];
  }
}

/**
 * Parses the text of an ncnn `.param` file.
 * Throws with the line number, layer type and name on anything malformed or unsupported.
 */
export function parseNcnnParam(text: string): NcnnGraph {
  const lines = text.split(/\r?\n/).map((l, i) => ({ n: i + 1, tokens: l.trim().split(/\s+/).filter(Boolean) }))
    .filter((l) => l.tokens.length > 0);
  const magic = lines[0];
  if (!magic || magic.tokens.join(' ') !== String(NCNN_PARAM_MAGIC)) {
    throw new Error(`not an ncnn text param file: the first line must be ${NCNN_PARAM_MAGIC}, got "${magic?.tokens.join(' ') ?? ''}"`);
  }
  const header = lines[1];
  const counts = header?.tokens.map(Number) ?? [];
  if (!header || counts.length !== 2 || !counts.every((c) => Number.isInteger(c) && c >= 0)) {
    throw new Error(`ncnn param line ${header?.n ?? 2}: expected "<layer count> <blob count>", got "${header?.tokens.join(' ') ?? ''}"`);
  }
  const [layerCount, blobCount] = counts as [number, number];
  const body = lines.slice(2);
  if (body.length !== layerCount) {
    throw new Error(`ncnn param header declares ${layerCount} layers but the file has ${body.length} layer lines`);
  }

  const layers: NcnnLayer[] = [];
  const names = new Set<string>();
  const produced = new Set<string>();
  for (const { n, tokens } of body) {
    const [type = '', name = '', inText = '', outText = ''] = tokens;
    const w: ParamLocation = { line: n, type, name };
    if (!isSupported(type)) {
      throw new Error(`${at(w)}: unsupported ncnn layer type "${type}" (supported: ${SUPPORTED_LAYER_TYPES.join(', ')})`);
    }
    const nIn = Number(inText);
    const nOut = Number(outText);
    if (!/^\d+$/.test(inText) || !/^\d+$/.test(outText) || tokens.length < 4 + nIn + nOut) {
      throw new Error(`${at(w)}: expected <#inputs> <#outputs> and that many blob names, got "${tokens.slice(2).join(' ')}"`);
    }
    if (names.has(name)) throw new Error(`${at(w)}: layer name is used twice`);
    names.add(name);
    const inputs = tokens.slice(4, 4 + nIn);
    const outputs = tokens.slice(4 + nIn, 4 + nIn + nOut);
    const dict = parseParamDict(tokens.slice(4 + nIn + nOut), w);
    const layer = typedLayer(type, { name, inputs, outputs }, dict, w);
    const [minIn, maxIn, minOut, maxOut] = arity(layer);
    if (nIn < minIn || nIn > maxIn || nOut < minOut || nOut > maxOut) {
      throw new Error(`${at(w)}: ${nIn} input(s) and ${nOut} output(s) do not fit a ${type} layer`);
    }
    for (const b of inputs) {
      if (!produced.has(b)) throw new Error(`${at(w)}: input blob "${b}" is not produced by an earlier layer`);
    }
    for (const b of outputs) {
      if (produced.has(b)) throw new Error(`${at(w)}: blob "${b}" is produced twice`);
      produced.add(b);
    }
    layers.push(layer);
  }
  if (produced.size !== blobCount) {
    throw new Error(`ncnn param header declares ${blobCount} blobs but the layers produce ${produced.size}`);
  }
  return { layers, blobCount };
}
