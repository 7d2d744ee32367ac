import { describe, expect, it } from 'vitest';
import { connectBridge } from '../../src-renderer/src/lib/api/bridge-client';

/** A WebSocket stand-in that records what the page sends and lets the test answer. */
class FakeSocket extends EventTarget {
  static last: FakeSocket;
  sent: unknown[] = [];
  constructor(readonly url: string) {
    super();
    FakeSocket.last = this;
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.dispatchEvent(new Event('close'));
  }
  serverSends(msg: unknown): void {
    this.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(msg) }));
  }
}

describe('bridge client', () => {
  it('connects with the page token, matches responses by id and delivers events', async () => {
    const client = connectBridge({ pageUrl: 'http://127.0.0.1:7471/?token=abc', WebSocketImpl: FakeSocket as unknown as typeof WebSocket });
    const ws = FakeSocket.last;
    expect(ws.url).toBe('ws://127.0.0.1:7471/ws?token=abc');
    ws.serverSends({ type: 'hello', connectionId: 'c1' });
    await client.ready;
    const seen: unknown[] = [];
    const off = client.api.on('queue:changed', (p) => seen.push(p));
    const pending = client.api.modelsVerify({ id: 'x' });
    await new Promise((r) => setTimeout(r, 0));
    expect(ws.sent).toEqual([{ type: 'invoke', id: 1, channel: 'models:verify', payload: { id: 'x' } }]);
    ws.serverSends({ type: 'event', event: 'queue:changed', payload: { reason: 'added' } });
    ws.serverSends({ type: 'result', id: 1, result: { ok: true, value: { ok: true, problems: [] } } });
    await expect(pending).resolves.toEqual({ ok: true, problems: [] });
    expect(seen).toEqual([{ reason: 'added' }]);
    off();
    ws.serverSends({ type: 'event', event: 'queue:changed', payload: { reason: 'removed' } });
    expect(seen).toHaveLength(1);
  });

  it('turns wire errors into ReviveError with the code, and fails pending calls when the socket closes', async () => {
    const client = connectBridge({ pageUrl: 'http://127.0.0.1:7471/?token=abc', WebSocketImpl: FakeSocket as unknown as typeof WebSocket });
    const ws = FakeSocket.last;
    ws.serverSends({ type: 'hello', connectionId: 'c1' });
    const failing = client.api.jobsResume();
    await new Promise((r) => setTimeout(r, 0));
    ws.serverSends({ type: 'result', id: 1, result: { ok: false, error: { code: 'QUEUE_LOCKED', message: 'busy' } } });
    await expect(failing).rejects.toMatchObject({ name: 'ReviveError', code: 'QUEUE_LOCKED', message: 'busy' });
    const hanging = client.api.jobsList();
    await new Promise((r) => setTimeout(r, 0));
    ws.close();
    await expect(hanging).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });

  it('exposes no generic send: only the contract’s methods, on and upload', () => {
    const client = connectBridge({ pageUrl: 'http://127.0.0.1:1/?token=t', WebSocketImpl: FakeSocket as unknown as typeof WebSocket });
    const keys = Object.keys(client.api);
    expect(keys).not.toContain('send');
    expect(keys).not.toContain('invoke');
    expect(keys).toContain('jobsStart');
    expect(keys).toContain('upload');
  });
});
