import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tileConsistentGraph } from '../../../../src-main/engine/process/vae-norm-cache';
import { GraphBuilder } from '../../../../src-main/models/onnx/graph-builder';

/** x → Reshape → InstanceNormalization → Reshape: the smallest graph with a normalisation site. */
function normGraph(): Uint8Array {
  const g = new GraphBuilder('gn');
  const x = g.input('x', 'float32', [1, 4, 'h', 'w']);
  const grouped = g.op('Reshape', [x, g.initializer('sh', BigInt64Array.from([1n, 2n, -1n]), [3])]);
  const normed = g.op('InstanceNormalization', [grouped, g.initializer('ones', new Float32Array(2).fill(1), [2]), g.initializer('zeros', new Float32Array(2), [2])], { epsilon: 1e-5 });
  g.op('Reshape', [normed, g.op('Shape', [x])], {}, 'y');
  g.output('y', 'float32', [1, 4, 'h', 'w']);
  return g.toBytes();
}

describe('the derived-graph cache', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'revive-norm-cache-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('derives once per graph sha256 and reuses the file; marks graphs without normalisation', async () => {
    const file = path.join(dir, 'vae.onnx');
    await writeFile(file, normGraph());
    const cache = path.join(dir, 'cache');
    const first = await tileConsistentGraph(file, 'a'.repeat(64), cache);
    expect(first).toBe(path.join(cache, `${'a'.repeat(64)}-v1.onnx`));
    const before = (await stat(first)).mtimeMs;
    // The pack file gone: a cache hit must not read it.
    await rm(file);
    expect(await tileConsistentGraph(file, 'a'.repeat(64), cache)).toBe(first);
    expect((await stat(first)).mtimeMs).toBe(before);

    const plainFile = path.join(dir, 'plain.onnx');
    const g = new GraphBuilder('plain');
    g.op('Relu', [g.input('x', 'float32', [1, 3])], {}, 'y');
    g.output('y', 'float32', [1, 3]);
    await writeFile(plainFile, g.toBytes());
    expect(await tileConsistentGraph(plainFile, 'b'.repeat(64), cache)).toBe(plainFile);
    expect((await readdir(cache)).sort()).toEqual([`${'a'.repeat(64)}-v1.onnx`, `${'b'.repeat(64)}-v1.none`]);
  });
});
