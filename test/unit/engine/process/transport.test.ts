/**
 * The engine's line to its parent (engine/process/transport.ts): under child_process.fork and under a stand-in for
 * Electron's `process.parentPort`; then the real engine entry served over a parentPort-shaped transport, closed by
 * the close request rather than a disconnect.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { connectToParent, type ProcessLike } from '../../../../src-main/engine/process/transport';
import { EngineHost } from '../../../../src-main/engine/host';
import { defaultEngineEntry, ENGINE_CLOSE_REQUEST, engineExecArgv, forkEngine, type EngineExit, type EngineSpawner } from '../../../../src-main/engine/spawn';
import type { HostMessage } from '../../../../src-main/engine/protocol';

/** `process` as child_process.fork leaves it: send, 'message', 'disconnect'. */
class ForkedProcess extends EventEmitter {
  readonly sent: unknown[] = [];
  send = (m: unknown): boolean => {
    this.sent.push(m);
    return true;
  };
}

/** `process` as utilityProcess leaves it: no send, a parentPort whose 'message' events carry `{ data }`. */
class UtilityProcessSide extends EventEmitter {
  readonly posted: unknown[] = [];
  readonly parentPort = Object.assign(new EventEmitter(), { postMessage: (m: unknown) => void this.posted.push(m) });
  fromParent(data: unknown): void {
    this.parentPort.emit('message', { data });
  }
}

describe('connectToParent', () => {
  it('uses process.send and the disconnect event under child_process.fork', () => {
    const proc = new ForkedProcess();
    const link = connectToParent(proc as unknown as ProcessLike)!;
    expect(link.kind).toBe('fork');
    const got: unknown[] = [];
    let closes = 0;
    link.onMessage((m) => got.push(m));
    link.onClose(() => closes++);
    proc.emit('message', { type: 'dispose', id: 'a' });
    link.send({ type: 'disposed', id: 'a' });
    proc.emit('disconnect');
    proc.emit('disconnect');
    expect(got).toEqual([{ type: 'dispose', id: 'a' }]);
    expect(proc.sent).toEqual([{ type: 'disposed', id: 'a' }]);
    expect(closes).toBe(1);
  });

  it('uses the parentPort under utilityProcess: data unwrapped, the close request ends it once and is not a request', () => {
    const proc = new UtilityProcessSide();
    const link = connectToParent(proc as unknown as ProcessLike)!;
    expect(link.kind).toBe('utility');
    const got: unknown[] = [];
    let closes = 0;
    link.onMessage((m) => got.push(m));
    link.onClose(() => closes++);
    proc.fromParent({ type: 'dispose', id: 'b' });
    link.send({ type: 'disposed', id: 'b' });
    proc.fromParent(structuredClone(ENGINE_CLOSE_REQUEST));
    proc.fromParent(structuredClone(ENGINE_CLOSE_REQUEST));
    expect(got).toEqual([{ type: 'dispose', id: 'b' }]);
    expect(proc.posted).toEqual([{ type: 'disposed', id: 'b' }]);
    expect(closes).toBe(1);
  });

  it('prefers the parentPort when both exist, and finds no parent when started from a shell', () => {
    const both = Object.assign(new UtilityProcessSide(), { send: () => true });
    expect(connectToParent(both as unknown as ProcessLike)!.kind).toBe('utility');
    expect(connectToParent(new EventEmitter() as unknown as ProcessLike)).toBeNull();
  });
});

describe('the engine entry over a parentPort', () => {
  // Plays Electron's part inside a forked Node child: a parentPort over the IPC channel, and no process.send, so the
  // entry can only reach its parent the utilityProcess way.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'revive-parentport-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const shim = path.join(dir, 'parent-port-shim.mjs');
  writeFileSync(
    shim,
    [
      'const send = process.send.bind(process);',
      'const port = { postMessage: (m) => send(m), on(event, fn) { if (event === "message") process.on("message", (m) => fn({ data: m })); return port; } };',
      'process.parentPort = port;',
      'delete process.send;',
    ].join('\n'),
  );

  /** forkEngine with the shim, whose disconnect posts the close request as the app's spawner does. */
  function parentPortEngine(exits: EngineExit[]): EngineSpawner {
    const entry = defaultEngineEntry();
    const base = forkEngine({ entry, execArgv: [...engineExecArgv(entry), '--import', pathToFileURL(shim).href] });
    return (listeners) => {
      const channel = base({ onMessage: listeners.onMessage, onExit: (e) => (exits.push(e), listeners.onExit(e)) });
      return {
        get pid() {
          return channel.pid;
        },
        send: (m) => channel.send(m),
        kill: () => channel.kill(),
        disconnect: () => channel.send(ENGINE_CLOSE_REQUEST as unknown as HostMessage),
      };
    };
  }

  it('answers requests and exits on its own, cleanly, when asked to close', async () => {
    const exits: EngineExit[] = [];
    const host = new EngineHost({ spawner: parentPortEngine(exits) });
    // The engine's own verdict on the item (an empty folder is no model pack) crosses back: not a crash, not a protocol error.
    const noPack = { input: path.join(dir, 'missing.jpg'), output: path.join(dir, 'out.png'), modelDir: dir, scale: 4 as const, format: 'png' as const, provider: 'cpu' as const };
    await expect(host.enhance(noPack)).rejects.toMatchObject({ code: 'BAD_PACK' });
    await host.disposeSessions();
    // A close that were not understood would be answered by the kill after the grace period (signal SIGKILL).
    await host.close(20_000);
    expect(exits).toHaveLength(1);
    expect(exits[0]).toMatchObject({ code: 0, signal: null });
  });
});
