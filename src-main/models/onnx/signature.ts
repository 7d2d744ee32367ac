/**
 * The declared inputs and outputs of an ONNX graph, read from the file's protobuf without a runtime, so a pack can
 * be refused at install when its graph does not have the tensors its kind needs.
 */
import onnxProto from 'onnx-proto';

// onnx-proto is CommonJS; its named export is not visible to Node's ESM loader.
const { onnx } = onnxProto;

/** A declared tensor: its name and shape (numbers for fixed sizes, names or '?' for dynamic ones). */
export interface DeclaredTensor {
  name: string;
  shape: (number | string)[];
}

export interface GraphSignature {
  inputs: DeclaredTensor[];
  outputs: DeclaredTensor[];
}

function declared(v: { name?: string | null; type?: { tensorType?: { shape?: { dim?: { dimValue?: unknown; dimParam?: string | null }[] | null } | null } | null } | null }): DeclaredTensor {
  const dims = v.type?.tensorType?.shape?.dim ?? [];
  return {
    name: v.name ?? '',
    shape: dims.map((d) => (d.dimValue !== undefined && d.dimValue !== null && Number(d.dimValue) > 0 ? Number(d.dimValue) : d.dimParam || '?')),
  };
}

/** The graph's inputs (initialisers excluded) and outputs. Throws when the bytes are not an ONNX model. */
export function readGraphSignature(bytes: Uint8Array): GraphSignature {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new Error('not an ONNX model (no graph)');
  const weights = new Set((graph.initializer ?? []).map((t) => t.name));
  return {
    inputs: (graph.input ?? []).filter((i) => !weights.has(i.name ?? '')).map(declared),
    outputs: (graph.output ?? []).map(declared),
  };
}

const fmt = (shape: readonly (number | string)[]): string => `[${shape.join(', ')}]`;

/**
 * Checks that the graph has a tensor `name` whose fixed dimensions agree with `expected` (dynamic dimensions agree
 * with anything); returns the problem in words, naming the tensor, or null.
 */
export function tensorProblem(tensors: readonly DeclaredTensor[], role: 'input' | 'output', name: string, expected: readonly number[]): string | null {
  const t = tensors.find((x) => x.name === name);
  if (!t) return `the graph has no ${role} tensor "${name}" (it has ${tensors.map((x) => `"${x.name}"`).join(', ') || 'none'})`;
  const fixedDisagree = t.shape.length !== expected.length || t.shape.some((d, i) => typeof d === 'number' && d !== expected[i]);
  return fixedDisagree ? `${role} tensor "${name}" is ${fmt(t.shape)}; this pack kind needs ${fmt(expected)}` : null;
}
