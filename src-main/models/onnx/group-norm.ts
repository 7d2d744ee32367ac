/**
 * Tile-consistent normalisation for VAE graphs: a graph derived from a pack's encoder or decoder whose normalisation
 * layers can be told which statistics to use, so that every tile is normalised with the same ones.
 *
 * The SD VAE is full of GroupNorm layers. Run tile by tile, each layer would normalise with its tile's own mean and
 * variance, shifting every tile's brightness and contrast (visible blocks). OSEDiff's reference (`vaehook.py`)
 * gathers the statistics for the whole image and applies them in every tile. The derived graph makes that possible
 * with the pack's own weights. For each normalisation layer i it has
 * - inputs `revive_norm_<i>_mean_in` and `revive_norm_<i>_var_in` (float32, [1, groups, 1] or broadcastable to it),
 *   and one input `revive_norm_use` (float32 [1]): 0 → the layer uses its own statistics (the original graph), 1 → the
 *   given ones;
 * - outputs `revive_norm_<i>_mean` and `revive_norm_<i>_var` holding the statistics the layer used.
 * A run with `revive_norm_use` = 0 on the whole (downscaled) image yields statistics; tiles then run with 1 and those.
 * The own statistics are always computed (a reduction per layer, small beside the convolutions), so one graph and one
 * session serve both.
 *
 * Both ways torch exports GroupNorm are handled: `Reshape → InstanceNormalization → Reshape → Mul → Add` (every
 * InstanceNormalization is a site: its statistics are per channel of its input, over all remaining axes) and the
 * `GroupNormalization` op (opset 18: scale and bias per group; opset 21+: per channel). The arithmetic is float32
 * whatever the layer's type (an fp16 epsilon would underflow), cast back at the end.
 */
import onnxProto from 'onnx-proto';
import type { onnx as O } from 'onnx-proto';
import { givenName, normMeanName, normVarName, NORM_USE_NAME } from '../../pipelines/vae-norm';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;

export interface ConsistentGraph {
  /** Number of normalisation sites (2 statistics tensors each, in and out). */
  sites: number;
  bytes: Uint8Array;
}

interface Site {
  node: O.INodeProto;
  kind: 'instance' | 'group';
  /** GroupNormalization's num_groups (instance norms group by channel). */
  groups: number;
  epsilon: number;
  /** Element type of the layer's input (float or float16), from its scale initializer. */
  elemType: number;
}

function attr(node: O.INodeProto, name: string): O.IAttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}

function findSites(graph: O.IGraphProto): Site[] {
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const sites: Site[] = [];
  for (const node of graph.node ?? []) {
    if (node.domain && node.domain !== 'ai.onnx') continue;
    if (node.opType !== 'InstanceNormalization' && node.opType !== 'GroupNormalization') continue;
    const scale = inits.get(node.input?.[1] ?? '');
    const elemType = scale?.dataType === T.FLOAT16 ? T.FLOAT16 : T.FLOAT;
    const epsilon = attr(node, 'epsilon')?.f ?? 1e-5;
    if (node.opType === 'InstanceNormalization') {
      sites.push({ node, kind: 'instance', groups: 0, epsilon, elemType });
    } else {
      const groups = Number(attr(node, 'num_groups')?.i ?? 0);
      if (!(groups > 0)) throw new Error(`GroupNormalization node ${node.name ?? ''} has no num_groups`);
      sites.push({ node, kind: 'group', groups, epsilon, elemType });
    }
  }
  return sites;
}

/** Emits nodes and initialisers into a graph with collision-free names. */
class Emitter {
  readonly nodes: O.INodeProto[] = [];
  readonly inits: O.ITensorProto[] = [];
  #n = 0;
  constructor(
    readonly prefix: string,
    readonly opset: number,
  ) {}

  name(what: string): string {
    return `${this.prefix}_${what}_${this.#n++}`;
  }

  op(opType: string, input: string[], attribute: O.IAttributeProto[] = [], output = this.name(opType.toLowerCase())): string {
    this.nodes.push({ opType, input, output: [output], name: this.name(`${opType}_node`), attribute });
    return output;
  }

  ints(values: number[]): string {
    const name = this.name('const');
    this.inits.push({ name, dims: [values.length], dataType: T.INT64, int64Data: values });
    return name;
  }

  scalar(value: number): string {
    const name = this.name('const');
    this.inits.push({ name, dims: [], dataType: T.FLOAT, floatData: [value] });
    return name;
  }

  /** Mean over axis 2 of a rank-3 tensor, kept as [N, G, 1] (ReduceMean's axes became an input in opset 18). */
  meanAxis2(x: string): string {
    if (this.opset >= 18) return this.op('ReduceMean', [x, this.ints([2])], [{ name: 'keepdims', type: 2, i: 1 }]);
    return this.op('ReduceMean', [x], [{ name: 'axes', type: 7, ints: [2] }, { name: 'keepdims', type: 2, i: 1 }]);
  }

  cast(x: string, to: number): string {
    return this.op('Cast', [x], [{ name: 'to', type: 2, i: to }]);
  }
}

/** The layer input grouped as [N, G, L]: per channel for instance norms, per group for GroupNormalization. */
function grouped(e: Emitter, s: Site): string {
  const x = s.node.input![0]!;
  return e.op('Reshape', [x, e.ints([0, s.kind === 'instance' ? 0 : s.groups, -1])]);
}

function statsInfo(name: string, dims: O.TensorShapeProto.IDimension[]): O.IValueInfoProto {
  return { name, type: { tensorType: { elemType: T.FLOAT, shape: { dim: dims } } } };
}

/** The nodes that replace site `s` (index `i`): own statistics, the mix with the given ones, the normalisation. */
function consistentNorm(e: Emitter, s: Site, i: number, io: { inputs: O.IValueInfoProto[]; outputs: O.IValueInfoProto[] }, mix: { use: string; keep: string }, opset: number): O.INodeProto[] {
  const [meanIn, varIn] = [givenName(normMeanName(i)), givenName(normVarName(i))];
  const given = [{ dimParam: 'n' }, { dimParam: `g${i}` }, { dimParam: 'one' }];
  io.inputs.push(statsInfo(meanIn, given), statsInfo(varIn, given));
  const groups: O.TensorShapeProto.IDimension = s.kind === 'group' ? { dimValue: s.groups } : { dimParam: `c${i}` };
  io.outputs.push(statsInfo(normMeanName(i), [{ dimValue: 1 }, groups, { dimValue: 1 }]), statsInfo(normVarName(i), [{ dimValue: 1 }, groups, { dimValue: 1 }]));
  const x = s.node.input![0]!;
  const out = s.node.output![0]!;
  const before = e.nodes.length;
  const f32 = (t: string): string => (s.elemType === T.FLOAT ? t : e.cast(t, T.FLOAT));
  const column = (t: string): string => e.op('Reshape', [f32(t), e.ints([-1, 1])]);
  const [scale, bias] = [column(s.node.input![1]!), column(s.node.input![2]!)];
  const g = f32(grouped(e, s));
  const ownMean = e.meanAxis2(g);
  const d = e.op('Sub', [g, ownMean]);
  // Population variance, as InstanceNormalization and GroupNormalization use.
  const ownVar = e.meanAxis2(e.op('Mul', [d, d]));
  // use·given + (1 − use)·own: exactly one of them when use is 0 or 1.
  const pick = (given: string, own: string, name: string): string =>
    e.op('Add', [e.op('Mul', [given, mix.use]), e.op('Mul', [own, mix.keep])], [], name);
  const mean = pick(meanIn, ownMean, normMeanName(i));
  const variance = pick(varIn, ownVar, normVarName(i));
  const std = e.op('Sqrt', [e.op('Add', [variance, e.scalar(s.epsilon)])]);
  let y = e.op('Div', [e.op('Sub', [g, mean]), std]);
  const shape = e.op('Shape', [x]);
  if (s.kind === 'instance' || opset < 21) {
    // Instance norms and opset-18 GroupNormalization scale per group of the grouped tensor.
    y = e.op('Add', [e.op('Mul', [y, scale]), bias]);
  } else {
    // Opset 21+: per channel, so back to [N, C, L] first.
    const flat = e.op('Reshape', [e.op('Reshape', [y, shape]), e.ints([0, 0, -1])]);
    y = e.op('Add', [e.op('Mul', [flat, scale]), bias]);
  }
  if (s.elemType !== T.FLOAT) y = e.cast(y, s.elemType);
  e.op('Reshape', [y, shape], [], out);
  return e.nodes.slice(before);
}

function defaultOpset(model: O.IModelProto): number {
  const entry = model.opsetImport?.find((o) => !o.domain || o.domain === 'ai.onnx');
  return Number(entry?.version ?? 17);
}

/**
 * Derives the tile-consistent graph from an ONNX model's bytes, or returns null when the model has no normalisation
 * layer (nothing to make consistent: plain tiling is already exact up to the overlap blend).
 */
export function deriveConsistentGraph(bytes: Uint8Array): ConsistentGraph | null {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new Error('ONNX model has no graph');
  const sites = findSites(graph);
  if (!sites.length) return null;
  const opset = defaultOpset(model);
  const e = new Emitter('revive_norm', opset);
  const io = { inputs: [statsInfo(NORM_USE_NAME, [{ dimValue: 1 }])], outputs: [] as O.IValueInfoProto[] };
  const mix = { use: NORM_USE_NAME, keep: e.op('Sub', [e.scalar(1), NORM_USE_NAME]) };
  const replaced = new Map(sites.map((s, i) => [s.node, i]));
  // Each site replaced in place, so the node order stays topological (the mix node first: it feeds them all).
  const nodes: O.INodeProto[] = [...e.nodes];
  for (const node of graph.node ?? []) {
    const i = replaced.get(node);
    if (i === undefined) nodes.push(node);
    else nodes.push(...consistentNorm(e, sites[i]!, i, io, mix, opset));
  }
  const derived = onnx.ModelProto.create({
    ...model,
    graph: {
      ...graph,
      node: nodes,
      initializer: [...(graph.initializer ?? []), ...e.inits],
      input: [...(graph.input ?? []), ...io.inputs],
      output: [...(graph.output ?? []), ...io.outputs],
    },
  });
  return { sites: sites.length, bytes: onnx.ModelProto.encode(derived).finish() };
}
