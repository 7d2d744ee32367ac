/**
 * EngineHost's bookkeeping against a scripted fake engine (no process, no model): queueing, event routing,
 * protocol violations, crash reports, cancellation.
 */
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src-main/engine/engine-error';
import { CodedError } from '../../../src-main/pixels/coded-error';
import { describeExit, EngineHost, type EnhanceJob } from '../../../src-main/engine/host';
import type { EngineEvent, HostMessage } from '../../../src-main/engine/protocol';
import type { EngineChannel, EngineListeners, EngineSpawner } from '../../../src-main/engine/spawn';
import { AbortedError } from '../../../src-main/pixels/types';

/** A fake engine process: records what it is sent and lets the test answer. */
class FakeEngine implements EngineChannel {
  readonly sent: HostMessage[] = [];
  killed = false;
  disconnected = false;
  constructor(
    readonly pid: number,
    private readonly listeners: EngineListeners,
    private readonly onSend: (engine: FakeEngine, m: HostMessage) => void,
  ) {}
  send(message: HostMessage): void {
    this.sent.push(message);
    queueMicrotask(() => this.onSend(this, message));
  }
  emit(event: EngineEvent | Record<string, unknown>): void {
    this.listeners.onMessage(event);
  }
  exit(code: number | null, signal: string | null, outputTail = ''): void {
    this.listeners.onExit({ code, signal, outputTail });
  }
  kill(): void {
    this.killed = true;
    queueMicrotask(() => this.exit(null, 'SIGKILL'));
  }
  disconnect(): void {
    this.disconnected = true;
    queueMicrotask(() => this.exit(0, null));
  }
}

function fakeSpawner(onSend: (engine: FakeEngine, m: HostMessage) => void): { spawner: EngineSpawner; engines: FakeEngine[] } {
  const engines: FakeEngine[] = [];
  const spawner: EngineSpawner = (listeners) => {
    const e = new FakeEngine(1000 + engines.length, listeners, onSend);
    engines.push(e);
    return e;
  };
  return { spawner, engines };
}

/** Answers every enhance with progress, a warning and done. */
const succeed = (e: FakeEngine, m: HostMessage): void => {
  if (m.type === 'dispose') return e.emit({ type: 'disposed', id: m.id });
  e.emit({ type: 'progress', id: m.id, stage: 'upscale', done: 1, total: 2 });
  e.emit({ type: 'warning', id: m.id, message: 'CUDA was requested but is not available; using the CPU' });
  e.emit({ type: 'done', id: m.id, width: m.scale * 10, height: m.scale * 5, ms: 12, provider: 'cpu' });
};

const job = (n: number): EnhanceJob => ({
  input: `/in/${n}.jpg`,
  output: `/out/${n}_revive.jpg`,
  modelDir: '/models/x',
  scale: 4,
  format: 'jpg',
  provider: 'cpu',
});

describe('EngineHost (fake engine)', () => {
  it('starts one engine lazily and sends requests one at a time, in call order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const { spawner, engines } = fakeSpawner((e, m) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        succeed(e, m);
      }, 5);
    });
    const host = new EngineHost({ spawner });
    expect(engines).toHaveLength(0);
    const results = await Promise.all([1, 2, 3].map((n) => host.enhance(job(n))));
    expect(engines).toHaveLength(1);
    expect(maxInFlight).toBe(1);
    expect(engines[0]!.sent.map((m) => (m.type === 'enhance' ? m.input : m.type))).toEqual(['/in/1.jpg', '/in/2.jpg', '/in/3.jpg']);
    expect(results.map((r) => [r.width, r.height, r.provider, r.warnings.length])).toEqual([
      [40, 20, 'cpu', 1],
      [40, 20, 'cpu', 1],
      [40, 20, 'cpu', 1],
    ]);
  });

  it('routes progress and warnings to the caller', async () => {
    const { spawner } = fakeSpawner(succeed);
    const progress: string[] = [];
    const warnings: string[] = [];
    await new EngineHost({ spawner }).enhance(job(1), {
      onProgress: (p) => progress.push(`${p.stage} ${p.done}/${p.total}`),
      onWarning: (w) => warnings.push(w),
    });
    expect(progress).toEqual(['upscale 1/2']);
    expect(warnings).toEqual(['CUDA was requested but is not available; using the CPU']);
  });

  it('turns a failed event into an EngineError with the engine code', async () => {
    const { spawner } = fakeSpawner((e, m) => e.emit({ type: 'failed', id: m.id, code: 'CORRUPT', message: '/in/1.jpg: cannot decode' }));
    const err = await new EngineHost({ spawner }).enhance(job(1)).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ code: 'CORRUPT', message: '/in/1.jpg: cannot decode' });
    // One coded-error base for the whole house: IPC and the bridge read `code` off it.
    expect(err).toBeInstanceOf(CodedError);
    expect((err as Error).name).toBe('EngineError');
  });

  it('rejects an invalid request before it reaches the engine', async () => {
    const { spawner, engines } = fakeSpawner(succeed);
    const bad = { ...job(1), scale: 5 } as unknown as EnhanceJob;
    await expect(new EngineHost({ spawner }).enhance(bad)).rejects.toMatchObject({ code: 'BAD_REQUEST', message: /scale/ });
    expect(engines).toHaveLength(0);
  });

  it('kills an engine that breaks the protocol and fails the item with the reason', async () => {
    const { spawner, engines } = fakeSpawner((e, m) => e.emit({ type: 'done', id: m.id, width: 'wide' }));
    const host = new EngineHost({ spawner });
    const err = await host.enhance(job(1)).catch((x: unknown) => x);
    expect(err).toMatchObject({ code: 'PROTOCOL', message: /protocol error from the engine: width/ });
    expect(engines[0]!.killed).toBe(true);
  });

  it('reports an engine that exits on its own with its exit code and last output, then starts a new one', async () => {
    let calls = 0;
    const { spawner, engines } = fakeSpawner((e, m) => {
      if (++calls === 1) e.exit(134, null, 'loading model\nterminate called after throwing std::bad_alloc\n');
      else succeed(e, m);
    });
    const host = new EngineHost({ spawner });
    await expect(host.enhance(job(1))).rejects.toMatchObject({
      code: 'ENGINE_CRASHED',
      message: 'engine process exited with code 134 (last output: terminate called after throwing std::bad_alloc)',
    });
    await expect(host.enhance(job(2))).resolves.toMatchObject({ width: 40 });
    expect(engines).toHaveLength(2);
  });

  it('cancel kills the engine and rejects with AbortedError', async () => {
    const { spawner, engines } = fakeSpawner(() => undefined); // never answers
    const host = new EngineHost({ spawner });
    const controller = new AbortController();
    const pending = host.enhance(job(1), { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 1));
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(engines[0]!.killed).toBe(true);
  });

  it('uses the caller’s id when given (the job queue’s own ids)', async () => {
    const { spawner, engines } = fakeSpawner(succeed);
    const r = await new EngineHost({ spawner }).enhance({ ...job(1), id: 'job-42-item-7' });
    expect(r.id).toBe('job-42-item-7');
    expect(engines[0]!.sent[0]).toMatchObject({ type: 'enhance', id: 'job-42-item-7' });
  });

  it('disposes sessions through the engine and closes it gracefully', async () => {
    const { spawner, engines } = fakeSpawner(succeed);
    const host = new EngineHost({ spawner });
    await host.disposeSessions(); // no engine yet: nothing to do
    expect(engines).toHaveLength(0);
    await host.enhance(job(1));
    await host.dispose();
    expect(engines[0]!.sent.map((m) => m.type)).toEqual(['enhance', 'dispose']);
    await host.close();
    expect(engines[0]!.disconnected).toBe(true);
    expect(engines[0]!.killed).toBe(false);
    expect(host.pid).toBeUndefined();
  });
});

describe('EngineHost requests: the restoration chain', () => {
  it('sends a single model dir as a one-stage chain carrying that pack\'s options', async () => {
    const { spawner, engines } = fakeSpawner(succeed);
    await new EngineHost({ spawner }).enhance({ ...job(1), tile: 64, promptMode: 'custom', prompt: 'old photo', colorFix: 'wavelet', strength: 0.375 });
    const sent = engines[0]!.sent[0]!;
    expect(sent).toMatchObject({ type: 'enhance', input: '/in/1.jpg', scale: 4, provider: 'cpu' });
    expect(sent.type === 'enhance' && sent.stages).toEqual([
      { stage: 'enhance', modelDir: '/models/x', tile: 64, promptMode: 'custom', prompt: 'old photo', colorFix: 'wavelet', strength: 0.375 },
    ]);
    expect(sent).not.toHaveProperty('modelDir');
    expect(sent).not.toHaveProperty('strength');
  });

  it('passes a chain as given, in order', async () => {
    const { spawner, engines } = fakeSpawner(succeed);
    const { modelDir: _unused, ...rest } = job(1);
    const stages = [
      { stage: 'enhance' as const, modelDir: '/models/x', strength: 1 },
      { stage: 'faces' as const, modelDir: '/models/faces' },
    ];
    await new EngineHost({ spawner }).enhance({ ...rest, stages });
    expect(engines[0]!.sent[0]).toMatchObject({ type: 'enhance', stages });
  });

  it('takes strength as a 0–1 fraction and refuses a percentage', async () => {
    const { spawner, engines } = fakeSpawner(succeed);
    const host = new EngineHost({ spawner });
    await expect(host.enhance({ ...job(1), strength: 50 })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: /stages\.0\.strength/ });
    await expect(host.enhance({ ...job(1), strength: -0.1 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(host.enhance({ ...job(1), strength: 1 })).resolves.toMatchObject({ width: 40 });
    expect(engines[0]!.sent).toHaveLength(1);
  });

  it('refuses a request with both a chain and a single model dir, or with neither', async () => {
    const { spawner, engines } = fakeSpawner(succeed);
    const host = new EngineHost({ spawner });
    const both = { ...job(1), stages: [{ stage: 'enhance' as const, modelDir: '/models/y' }] };
    await expect(host.enhance(both)).rejects.toMatchObject({ code: 'BAD_REQUEST', message: /either stages or modelDir.*also given: modelDir/ });
    const { modelDir: _unused, ...neither } = job(1);
    await expect(host.enhance(neither)).rejects.toMatchObject({ code: 'BAD_REQUEST', message: /stages/ });
    await expect(host.enhance({ ...neither, stages: [] })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: /stages/ });
    expect(engines).toHaveLength(0);
  });

  it('sends a region preview with its rectangle and before-file', async () => {
    const { spawner, engines } = fakeSpawner(succeed);
    const region = { x: 3, y: 4, width: 32, height: 16, before: '/previews/b.png' };
    await new EngineHost({ spawner }).enhance({ ...job(1), region });
    expect(engines[0]!.sent[0]).toMatchObject({ type: 'enhance', region });
  });
});

describe('describeExit', () => {
  it('names the signal, or the code, or a failure to start', () => {
    expect(describeExit({ code: null, signal: 'SIGKILL', outputTail: '' })).toBe('engine process exited with signal SIGKILL');
    expect(describeExit({ code: 3, signal: null, outputTail: '\n\n' })).toBe('engine process exited with code 3');
    expect(describeExit({ code: null, signal: null, outputTail: 'spawn ENOENT' })).toBe(
      'engine process exited before it could start (last output: spawn ENOENT)',
    );
  });
});
