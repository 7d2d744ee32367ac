/**
 * The app's utilityProcess spawner with `electron` mocked: what it asks utilityProcess.fork for, how the child's
 * messages, output and exit reach the host, and what kill/disconnect do — alone and under a real EngineHost.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineExit } from '../../../src-main/engine/spawn';

/** A stand-in for Electron's UtilityProcess: records what it is asked and lets the test play the child. */
class FakeUtility extends EventEmitter {
  pid: number | undefined = undefined;
  stdout = new PassThrough();
  stderr = new PassThrough();
  readonly posted: unknown[] = [];
  killCalls = 0;
  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: Record<string, unknown>,
  ) {
    super();
  }
  spawned(pid = 4242): void {
    this.pid = pid;
    this.emit('spawn');
  }
  postMessage(message: unknown): void {
    const copy = structuredClone(message) as { type: string; id: string };
    this.posted.push(copy);
    const script = engineScript;
    if (script) queueMicrotask(() => script(this, copy));
  }
  /** As Electron's: refused (false) before the process has spawned; a running one ends soon after. */
  kill(): boolean {
    this.killCalls++;
    if (this.pid === undefined) return false;
    setImmediate(() => this.exited(143));
    return true;
  }
  exited(code: number): void {
    this.emit('exit', code);
    this.pid = undefined;
  }
}

const forked: FakeUtility[] = [];
let forkError: Error | null = null;
/** When set, children spawn at once and this plays the engine's side of each message. */
let engineScript: ((child: FakeUtility, message: { type: string; id: string }) => void) | null = null;

vi.mock('electron', () => ({
  utilityProcess: {
    fork: (modulePath: string, args: string[], options: Record<string, unknown>) => {
      if (forkError) throw forkError;
      const child = new FakeUtility(modulePath, args, options);
      forked.push(child);
      if (engineScript) queueMicrotask(() => child.spawned());
      return child;
    },
  },
}));

const { utilityEngine, ENGINE_SERVICE_NAME } = await import('../../../src-main/app/utility-engine');
const { defaultEngineEntry, ENGINE_CLOSE_REQUEST } = await import('../../../src-main/engine/spawn');
const { EngineHost } = await import('../../../src-main/engine/host');
const { AbortedError } = await import('../../../src-main/pixels/types');

function listen(): { messages: unknown[]; exits: EngineExit[]; listeners: { onMessage(m: unknown): void; onExit(e: EngineExit): void } } {
  const messages: unknown[] = [];
  const exits: EngineExit[] = [];
  return { messages, exits, listeners: { onMessage: (m) => messages.push(m), onExit: (e) => exits.push(e) } };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

beforeEach(() => {
  forked.length = 0;
  forkError = null;
});

describe('utilityEngine', () => {
  it('forks the engine entry as a named utility process with piped output and the loader its entry needs', () => {
    const { listeners } = listen();
    utilityEngine({ env: { PATH: '/bin', UNSET: undefined } })(listeners);
    const child = forked[0]!;
    expect(child.modulePath).toBe(defaultEngineEntry());
    expect(child.args).toEqual([]);
    expect(child.options).toMatchObject({ serviceName: ENGINE_SERVICE_NAME, stdio: 'pipe', env: { PATH: '/bin' } });
    expect(child.options.env).not.toHaveProperty('UNSET');
    // From source the entry is TypeScript: tsx's loader, by absolute file URL.
    expect(defaultEngineEntry().endsWith('.ts')).toBe(true);
    expect(child.options.execArgv).toEqual(['--import', expect.stringMatching(/^file:\/\/.*tsx/)]);
  });

  it('takes a built entry and its own node options as parameters', () => {
    const { listeners } = listen();
    utilityEngine({ entry: '/opt/revive/dist/engine.js' })(listeners);
    utilityEngine({ entry: '/opt/revive/dist/engine.js', execArgv: ['--max-old-space-size=8192'] })(listeners);
    expect(forked[0]!.modulePath).toBe('/opt/revive/dist/engine.js');
    expect(forked[0]!.options.execArgv).toEqual([]);
    expect(forked[1]!.options.execArgv).toEqual(['--max-old-space-size=8192']);
  });

  it('in the installed app starts the bundled engine inside app.asar, with no loader', async () => {
    const { appPathsFor } = await import('../../../src-main/pixels/app-paths');
    const installed = appPathsFor('/opt/Revive/resources/app.asar/dist/main/main.js');
    const { listeners } = listen();
    utilityEngine({ entry: installed.engineEntry })(listeners);
    expect(forked[0]!.modulePath).toBe('/opt/Revive/resources/app.asar/dist/engine/main.js');
    expect(forked[0]!.options.execArgv).toEqual([]);
  });

  it('passes messages both ways and reports the exit once, with the last output', async () => {
    const { messages, exits, listeners } = listen();
    const channel = utilityEngine()(listeners);
    const child = forked[0]!;
    expect(channel.pid).toBeUndefined();
    child.spawned(77);
    expect(channel.pid).toBe(77);
    channel.send({ type: 'dispose', id: 'd1' });
    expect(child.posted).toEqual([{ type: 'dispose', id: 'd1' }]);
    child.emit('message', { type: 'disposed', id: 'd1' });
    expect(messages).toEqual([{ type: 'disposed', id: 'd1' }]);
    child.stdout.write('loading model\n');
    child.stderr.write('Segmentation fault\n');
    child.emit('error', 'FatalError', 'v8::internal::Heap');
    await tick();
    child.exited(139);
    child.emit('exit', 139);
    expect(exits).toHaveLength(1);
    expect(exits[0]).toMatchObject({ code: 139, signal: null });
    expect(exits[0]!.outputTail).toContain('loading model');
    expect(exits[0]!.outputTail).toContain('Segmentation fault');
    expect(exits[0]!.outputTail).toContain('FatalError at v8::internal::Heap');
    // A dead process is not written to.
    channel.send({ type: 'dispose', id: 'd2' });
    channel.disconnect();
    expect(child.posted).toHaveLength(1);
  });

  it('kills at once, and a kill before the process has spawned lands when it does', () => {
    const { listeners } = listen();
    const early = utilityEngine()(listeners);
    early.kill();
    expect(forked[0]!.killCalls).toBe(0);
    forked[0]!.spawned();
    expect(forked[0]!.killCalls).toBe(1);

    const running = utilityEngine()(listeners);
    forked[1]!.spawned();
    running.kill();
    expect(forked[1]!.killCalls).toBe(1);
  });

  it('asks for an orderly end with the close request (a parentPort cannot be disconnected)', () => {
    const { listeners } = listen();
    const channel = utilityEngine()(listeners);
    forked[0]!.spawned();
    channel.disconnect();
    expect(forked[0]!.posted).toEqual([ENGINE_CLOSE_REQUEST]);
    expect(forked[0]!.killCalls).toBe(0);
  });

  it('reports a fork that throws as an exit, after the host has its channel', async () => {
    forkError = new Error('utilityProcess.fork can only be called after the ready event');
    const { exits, listeners } = listen();
    const channel = utilityEngine()(listeners);
    expect(exits).toHaveLength(0);
    await tick();
    expect(exits).toEqual([{ code: null, signal: null, outputTail: expect.stringContaining('after the ready event') }]);
    expect(channel.pid).toBeUndefined();
    expect(() => channel.send({ type: 'dispose', id: 'x' })).not.toThrow();
  });
});

describe('EngineHost over utilityProcess', () => {
  const request = { input: '/in/a.jpg', output: '/out/a.png', modelDir: '/models/x', scale: 4 as const, format: 'png' as const, provider: 'cpu' as const };
  afterEach(() => {
    engineScript = null;
  });

  it('runs a request to done and closes the engine with the close request', async () => {
    engineScript = (child, m) => {
      if (m.type === 'enhance') child.emit('message', { type: 'done', id: m.id, width: 40, height: 20, ms: 5, provider: 'cpu' });
      if (m.type === 'close-engine') child.exited(0);
    };
    const host = new EngineHost({ spawner: utilityEngine() });
    const r = await host.enhance(request);
    expect(r).toMatchObject({ width: 40, height: 20, provider: 'cpu' });
    await host.close(2000);
    expect(forked).toHaveLength(1);
    expect(forked[0]!.posted.map((m) => (m as { type: string }).type)).toEqual(['enhance', 'close-engine']);
    expect(forked[0]!.killCalls).toBe(0);
  });

  it('fails the item with ENGINE_CRASHED and the engine’s last words when the process dies', async () => {
    engineScript = (child, m) => {
      if (m.type !== 'enhance') return;
      child.stderr.write('std::bad_alloc\n');
      setImmediate(() => child.exited(134));
    };
    const host = new EngineHost({ spawner: utilityEngine() });
    await expect(host.enhance(request)).rejects.toMatchObject({ code: 'ENGINE_CRASHED', message: expect.stringMatching(/code 134.*std::bad_alloc/) });
  });

  it('cancels by killing the process', async () => {
    engineScript = (child, m) => {
      if (m.type === 'enhance') child.emit('message', { type: 'progress', id: m.id, stage: 'upscale', done: 0, total: 4 });
    };
    const host = new EngineHost({ spawner: utilityEngine() });
    const ac = new AbortController();
    await expect(host.enhance(request, { signal: ac.signal, onProgress: () => ac.abort() })).rejects.toBeInstanceOf(AbortedError);
    expect(forked[0]!.killCalls).toBe(1);
  });
});
