import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../../src-main/models/onnx/graph-builder';
import { defaultThreads, detectBackends, resolveProviders, type BackendInfo } from '../../../../src-main/engine/process/providers';
import { isOutOfMemory, openModel } from '../../../../src-main/engine/process/session';

const CPU: BackendInfo = { name: 'cpu', bundled: true };
const withCuda = (installed: boolean): BackendInfo[] => [CPU, { name: 'cuda', bundled: false, installed }];
const WIN: BackendInfo[] = [CPU, { name: 'dml', bundled: true }];
const MAC: BackendInfo[] = [CPU, { name: 'coreml', bundled: true }];

describe('resolveProviders', () => {
  it.each([
    // requested, platform, available, providers, warns
    ['auto', 'win32', WIN, ['dml', 'cpu'], false],
    ['auto', 'darwin', MAC, ['coreml', 'cpu'], false],
    ['auto', 'linux', withCuda(true), ['cuda', 'cpu'], false],
    ['auto', 'linux', withCuda(false), ['cpu'], false],
    ['auto', 'linux', [CPU], ['cpu'], false],
    ['auto', 'win32', [CPU], ['cpu'], false],
    ['auto', 'freebsd', [CPU], ['cpu'], false],
    ['cpu', 'win32', WIN, ['cpu'], false],
    ['cuda', 'linux', withCuda(true), ['cuda', 'cpu'], false],
    ['cuda', 'linux', withCuda(false), ['cpu'], true],
    ['cuda', 'darwin', MAC, ['cpu'], true],
    ['dml', 'win32', WIN, ['dml', 'cpu'], false],
    ['dml', 'linux', withCuda(true), ['cpu'], true],
    ['coreml', 'darwin', MAC, ['coreml', 'cpu'], false],
    ['coreml', 'win32', WIN, ['cpu'], true],
    ['coreml', 'darwin', [CPU], ['cpu'], true],
  ] as const)('%s on %s', (requested, platform, available, providers, warns) => {
    const r = resolveProviders(requested, platform, available);
    expect(r.providers).toEqual(providers);
    expect(r.warnings).toHaveLength(warns ? 1 : 0);
  });

  it('says why a request cannot be honoured', () => {
    expect(resolveProviders('cuda', 'linux', withCuda(false)).warnings[0]).toBe(
      'CUDA was requested but the CUDA provider libraries of onnxruntime-node are not installed; using the CPU',
    );
    expect(resolveProviders('dml', 'linux', [CPU]).warnings[0]).toBe(
      'DirectML was requested but DirectML is not available on linux; using the CPU',
    );
    expect(resolveProviders('coreml', 'darwin', [CPU]).warnings[0]).toBe(
      'CoreML was requested but this onnxruntime-node build has no CoreML support; using the CPU',
    );
  });
});

describe('detectBackends and defaultThreads', () => {
  it('reports the bundled CPU backend and whether non-bundled ones are installed', () => {
    const b = detectBackends();
    expect(b).toContainEqual({ name: 'cpu', bundled: true });
    for (const x of b.filter((y) => !y.bundled)) expect(typeof x.installed).toBe('boolean');
  });

  it('leaves a core for the main process from 4 cores up', () => {
    expect([1, 2, 3, 4, 16].map((c) => defaultThreads(c))).toEqual([1, 2, 3, 3, 15]);
    expect(defaultThreads(0)).toBe(1);
  });
});

/** y = x + 1 (float32), z = float(ids) × 2 for an int64 input: checks dtype conversion both ways. */
function tinyModel(): Uint8Array {
  const g = new GraphBuilder('tiny');
  const x = g.input('x', 'float32', [1, 'n']);
  const ids = g.input('ids', 'int64', [1, 'n']);
  const one = g.initializer('one', new Float32Array([1]), [1]);
  const two = g.initializer('two', new Float32Array([2]), [1]);
  g.op('Add', [x, one], {}, 'y');
  const f = g.op('Cast', [ids], { to: 1 });
  g.op('Mul', [f, two], {}, 'z');
  g.output('y', 'float32', [1, 'n']);
  g.output('z', 'float32', [1, 'n']);
  return g.toBytes();
}

describe('openModel', () => {
  it('falls back to the CPU with one warning when CUDA is requested on this machine', async () => {
    const opened = await openModel(tinyModel(), { provider: 'cuda', threads: 1 });
    try {
      expect(opened.provider).toBe('cpu');
      expect(opened.warnings).toHaveLength(1);
      expect(opened.warnings[0]).toMatch(/^CUDA .*using the CPU$/);
      const out = await opened.runner.run({ x: { data: Float32Array.from([1, 2]), dims: [1, 2] }, ids: { data: Float32Array.from([3, 4]), dims: [1, 2] } });
      expect([...out.y!.data]).toEqual([2, 3]);
    } finally {
      await opened.runner.dispose();
    }
  });

  it('falls back to the CPU with one warning when a provider that claims to be installed fails to load', async () => {
    // onnxruntime throws for ['cuda', 'cpu'] when the CUDA libraries are missing instead of falling back itself.
    const opened = await openModel(tinyModel(), { provider: 'cuda', threads: 1, platform: 'linux', backends: withCuda(true) });
    try {
      expect(opened.provider).toBe('cpu');
      expect(opened.warnings).toHaveLength(1);
      expect(opened.warnings[0]).toMatch(/^CUDA failed to load the model \(.+\); using the CPU$/);
    } finally {
      await opened.runner.dispose();
    }
  });

  it('converts feeds to the declared dtypes and returns float32 outputs', async () => {
    const { runner, provider, warnings } = await openModel(tinyModel(), { provider: 'cpu', threads: 1 });
    try {
      expect(provider).toBe('cpu');
      expect(warnings).toEqual([]);
      expect(runner.inputNames).toEqual(['x', 'ids']);
      expect(runner.outputNames).toEqual(['y', 'z']);
      const out = await runner.run({
        x: { data: Float32Array.from([0.5, -1, 10]), dims: [1, 3] },
        ids: { data: Float32Array.from([7, 999, 49406]), dims: [1, 3] },
      });
      expect(out.y!.data).toBeInstanceOf(Float32Array);
      expect([...out.y!.data]).toEqual([1.5, 0, 11]);
      expect(out.z!.data).toBeInstanceOf(Float32Array);
      expect([...out.z!.data]).toEqual([14, 1998, 98812]);
      expect(out.z!.dims).toEqual([1, 3]);
      await expect(runner.run({ nope: { data: new Float32Array(1), dims: [1, 1] } })).rejects.toThrow(
        'model has no input "nope"; its inputs are x, ids',
      );
      await expect(runner.run({ x: { data: new Float32Array(3), dims: [3, 1] } })).rejects.toThrow(
        'input "x" expects shape [1, n], got [3, 1]',
      );
    } finally {
      await runner.dispose();
    }
    await expect(runner.run({})).rejects.toThrow('model runner used after dispose()');
  });

  it('names the model when it cannot be loaded at all', async () => {
    await expect(openModel(new Uint8Array([1, 2, 3]), { provider: 'cpu', threads: 1 })).rejects.toThrow(
      /^cannot load in-memory model \(3 bytes\): /,
    );
  });
});

describe('isOutOfMemory', () => {
  it('recognises GPU allocation failures and nothing else', () => {
    for (const m of [
      'CUDA error cudaErrorMemoryAllocation:out of memory',
      '[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Non-zero status code returned while running Conv node. Status Message: D:\\a\\_work\\1\\s\\onnxruntime\\core\\providers\\dml\\DmlExecutionProvider\\src\\MLOperatorAuthorImpl.cpp(2557)\\onnxruntime.dll!00007FF8: (caller: 00007FF8) Exception(3) tid(1) 8007000E Not enough memory resources are available to complete this operation. 0x8007000E',
      'E_OUTOFMEMORY',
      'Failed to allocate memory for requested buffer of size 1073741824',
    ]) {
      expect(isOutOfMemory(new Error(m)), m).toBe(true);
    }
    expect(isOutOfMemory(new Error('wrapped', { cause: new Error('CUDA out of memory') }))).toBe(true);
    expect(isOutOfMemory(new Error('Invalid input dimensions'))).toBe(false);
    expect(isOutOfMemory(undefined)).toBe(false);
  });
});
