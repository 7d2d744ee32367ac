import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src-main/models/onnx/graph-builder';
import { deriveConsistentGraph } from '../../../src-main/models/onnx/group-norm';
import { givenName, normMeanName, normVarName, NORM_USE_NAME } from '../../../src-main/pipelines/vae-norm';

const C = 6;
const G = 3;
const EPS = 1e-5;
const gamma = Float32Array.from({ length: C }, (_, c) => 0.5 + 0.2 * c);
const beta = Float32Array.from({ length: C }, (_, c) => 0.1 * c - 0.2);

/** x → GroupNorm(G groups, per-channel affine) → ×2, in one of the export forms. */
function groupNormGraph(form: 'instance' | 'group18' | 'group21'): Uint8Array {
  const g = new GraphBuilder(`gn_${form}`);
  const x = g.input('x', 'float32', [1, C, 'h', 'w']);
  let y: string;
  if (form === 'group21') {
    y = g.op('GroupNormalization', [x, g.initializer('s', gamma, [C]), g.initializer('b', beta, [C])], { num_groups: G, epsilon: EPS });
  } else {
    const ones = g.initializer('ones', new Float32Array(G).fill(1), [G]);
    const zeros = g.initializer('zeros', new Float32Array(G), [G]);
    const normed = form === 'group18'
      ? g.op('GroupNormalization', [x, ones, zeros], { num_groups: G, epsilon: EPS })
      : g.op('Reshape', [g.op('InstanceNormalization', [g.op('Reshape', [x, g.initializer('sh', BigInt64Array.from([1n, BigInt(G), -1n]), [3])]), ones, zeros], { epsilon: EPS }), g.op('Shape', [x])]);
    y = g.op('Add', [g.op('Mul', [normed, g.initializer('gm', gamma, [1, C, 1, 1])]), g.initializer('bt', beta, [1, C, 1, 1])]);
  }
  g.op('Mul', [y, g.initializer('two', Float32Array.of(2), [1])], {}, 'y');
  g.output('y', 'float32', [1, C, 'h', 'w']);
  return g.toBytes({ opset: form === 'group21' ? 21 : form === 'group18' ? 18 : 17 });
}

/** GroupNorm with given per-group statistics, in float64 (the independent computation). */
function expected(x: Float32Array, n: number, mean: number[], variance: number[]): Float64Array {
  const out = new Float64Array(x.length);
  for (let c = 0; c < C; c++) {
    const grp = Math.floor(c / (C / G));
    for (let i = 0; i < n; i++) out[c * n + i] = 2 * (((x[c * n + i]! - mean[grp]!) / Math.sqrt(variance[grp]! + EPS)) * gamma[c]! + beta[c]!);
  }
  return out;
}

function stats(x: Float32Array, n: number): { mean: number[]; variance: number[] } {
  const per = (C / G) * n;
  const mean: number[] = [];
  const variance: number[] = [];
  for (let grp = 0; grp < G; grp++) {
    const v = Array.from(x.subarray(grp * per, (grp + 1) * per));
    const m = v.reduce((a, b) => a + b, 0) / per;
    mean.push(m);
    variance.push(v.reduce((a, b) => a + (b - m) ** 2, 0) / per);
  }
  return { mean, variance };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
};

describe('deriving the tile-consistent graph', () => {
  const h = 5;
  const w = 7;
  const n = h * w;
  const x = Float32Array.from({ length: C * n }, (_, i) => Math.sin(i * 0.7) * (1 + (i % 5)) + 0.1 * Math.floor(i / n));
  const other = Float32Array.from({ length: C * n }, (_, i) => Math.cos(i * 0.3) * 3 - 1);

  it.each(['instance', 'group18', 'group21'] as const)('%s: own statistics = the original graph; given ones = GroupNorm with them', async (form) => {
    const bytes = groupNormGraph(form);
    const derived = deriveConsistentGraph(bytes)!;
    expect(derived.sites).toBe(1);
    const original = await ort.InferenceSession.create(bytes);
    const session = await ort.InferenceSession.create(derived.bytes);
    const t = (d: Float32Array, dims: number[]) => new ort.Tensor('float32', d, dims);
    const placeholder = t(new Float32Array(1), [1, 1, 1]);
    const own = await session.run({ x: t(x, [1, C, h, w]), [NORM_USE_NAME]: t(Float32Array.of(0), [1]), [givenName(normMeanName(0))]: placeholder, [givenName(normVarName(0))]: placeholder });
    const ref = await original.run({ x: t(x, [1, C, h, w]) });
    expect(maxDiff(own.y!.data as Float32Array, ref.y!.data as Float32Array)).toBeLessThan(1e-5);
    const s = stats(x, n);
    expect(maxDiff(own[normMeanName(0)]!.data as Float32Array, s.mean)).toBeLessThan(1e-6);
    expect(maxDiff(own[normVarName(0)]!.data as Float32Array, s.variance)).toBeLessThan(1e-5);
    // Another input normalised with x's statistics: what a tile does.
    const given = await session.run({
      x: t(other, [1, C, h, w]),
      [NORM_USE_NAME]: t(Float32Array.of(1), [1]),
      [givenName(normMeanName(0))]: own[normMeanName(0)]!,
      [givenName(normVarName(0))]: own[normVarName(0)]!,
    });
    expect(maxDiff(given.y!.data as Float32Array, expected(other, n, s.mean, s.variance))).toBeLessThan(1e-4);
    await original.release();
    await session.release();
  });

  it('leaves a graph without normalisation alone', () => {
    const g = new GraphBuilder('plain');
    g.op('Relu', [g.input('x', 'float32', [1, 3])], {}, 'y');
    g.output('y', 'float32', [1, 3]);
    expect(deriveConsistentGraph(g.toBytes())).toBeNull();
  });
});
