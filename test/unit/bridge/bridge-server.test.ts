import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { isLoopbackHost, isOwnOrigin, sanitizeUploadName, startBridge, type Bridge } from '../../../src-main/bridge/server';
import { staticPath } from '../../../src-main/bridge/static';
import { FakeCore } from '../../support/fake-core';
import { tempFolders } from '../../support/temp-folders';

const tmp = tempFolders();

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Raw HTTP so the test controls Host and Origin exactly (fetch forbids setting them). */
function request(port: number, pathAndQuery: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: pathAndQuery, method: opts.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

interface Client {
  ws: WebSocket;
  hello: { connectionId: string };
  messages: unknown[];
  invoke(channel: string, payload: unknown): Promise<unknown>;
  sendRaw(data: string | Buffer): Promise<unknown>;
}

function connect(bridge: Bridge, opts: { token?: string; origin?: string } = {}): Promise<Client> {
  const origin = opts.origin ?? `http://127.0.0.1:${bridge.port}`;
  const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/ws?token=${opts.token ?? bridge.token}`, { origin });
  const messages: Record<string, unknown>[] = [];
  const waiters: ((m: Record<string, unknown>) => boolean)[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as Record<string, unknown>;
    messages.push(m);
    for (let i = waiters.length - 1; i >= 0; i -= 1) if (waiters[i]!(m)) waiters.splice(i, 1);
  });
  const next = (pred: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      const found = messages.find(pred);
      if (found) return resolve(found);
      waiters.push((m) => (pred(m) ? (resolve(m), true) : false));
    });
  let id = 0;
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
    void next((m) => m.type === 'hello').then((hello) =>
      resolve({
        ws,
        hello: hello as unknown as { connectionId: string },
        messages,
        invoke: async (channel, payload) => {
          id += 1;
          const myId = id;
          ws.send(JSON.stringify({ type: 'invoke', id: myId, channel, payload }));
          return (await next((m) => m.type === 'result' && m.id === myId)).result;
        },
        sendRaw: async (data) => {
          ws.send(data);
          return (await next((m) => m.type === 'result' && m.id === null)).result;
        },
      }),
    );
  });
}

describe('web bridge', () => {
  let dir: string;
  let core: FakeCore;
  let bridge: Bridge;
  beforeEach(async () => {
    dir = tmp('revive-bridge-');
    const renderer = path.join(dir, 'renderer');
    mkdirSync(path.join(renderer, 'assets'), { recursive: true });
    writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Revive</title>');
    writeFileSync(path.join(renderer, 'assets', 'app.js'), 'console.log(1)');
    core = new FakeCore(path.join(dir, 'uploads'));
    bridge = await startBridge({ core, rendererDir: renderer });
  });
  afterEach(async () => {
    await bridge.close();
  });

  it('listens on 127.0.0.1 and prints a URL with a 64-hex-digit token', () => {
    expect(bridge.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${bridge.port}/\\?token=[0-9a-f]{64}$`));
  });

  it('serves the page only with the token, with a strict CSP and a port-scoped SameSite cookie', async () => {
    expect((await request(bridge.port, '/')).status).toBe(403);
    expect((await request(bridge.port, '/?token=wrong')).status).toBe(403);
    const ok = await request(bridge.port, `/?token=${bridge.token}`);
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toContain('<title>Revive</title>');
    expect(ok.headers['content-security-policy']).toContain("script-src 'self'");
    expect(ok.headers['content-security-policy']).not.toContain('unsafe');
    const cookie = String(ok.headers['set-cookie']);
    expect(cookie).toContain(`revive_token_${bridge.port}=${bridge.token}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const asset = await request(bridge.port, '/assets/app.js', { headers: { cookie: `revive_token_${bridge.port}=${bridge.token}` } });
    expect(asset.status).toBe(200);
  });

  it('refuses a non-loopback Host header (DNS rebinding) even with the token', async () => {
    const r = await request(bridge.port, `/?token=${bridge.token}`, { headers: { host: `evil.example:${bridge.port}` } });
    expect(r.status).toBe(421);
    const wrongPort = await request(bridge.port, `/?token=${bridge.token}`, { headers: { host: `127.0.0.1:${bridge.port + 1}` } });
    expect(wrongPort.status).toBe(421);
  });

  it('refuses sockets with a wrong token, a foreign Origin or no Origin', async () => {
    await expect(connect(bridge, { token: 'f'.repeat(64) })).rejects.toThrow('refused 403');
    await expect(connect(bridge, { origin: 'http://evil.example' })).rejects.toThrow('refused 403');
    await expect(connect(bridge, { origin: `http://127.0.0.1:${bridge.port + 1}` })).rejects.toThrow('refused 403');
    expect(bridge.connections).toBe(0);
  });

  it('dispatches contract requests over the socket and refuses unknown channels and malformed frames', async () => {
    const c = await connect(bridge);
    expect(await c.invoke('models:list', {})).toMatchObject({ ok: true, value: { models: [{ id: 'realesrgan-x4fast' }] } });
    expect(await c.invoke('fs:readFile', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(await c.invoke('jobs:pause', { now: 'yes' })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await c.sendRaw('{not json')).toMatchObject({ ok: false, error: { code: 'INVALID_MESSAGE' } });
    expect(await c.sendRaw(Buffer.from([1, 2, 3]))).toMatchObject({ ok: false, error: { code: 'INVALID_MESSAGE' } });
    const info = (await c.invoke('app:info', {})) as { value: { host: string; uploadUrl: string } };
    expect(info.value.host).toBe('bridge');
    expect(info.value.uploadUrl).toBe(`/upload?connection=${c.hello.connectionId}`);
    c.ws.close();
  });

  it('forwards core events to connected pages and stops when the socket closes', async () => {
    const c = await connect(bridge);
    const before = core.listenerCount();
    core.emit('queue', { reason: 'added' });
    await expect.poll(() => c.messages.some((m) => (m as { event?: string }).event === 'queue:changed')).toBe(true);
    c.ws.close();
    await expect.poll(() => core.listenerCount()).toBe(before - 4);
  });

  it('stores uploads in a per-connection folder, serves them as allowed images and refuses everything else', async () => {
    const c = await connect(bridge);
    const cookie = `revive_token_${bridge.port}=${bridge.token}`;
    const origin = `http://127.0.0.1:${bridge.port}`;
    const body = Buffer.from('fake image bytes');
    const url = `/upload?connection=${c.hello.connectionId}&name=${encodeURIComponent('../../evil name.jpg')}`;
    const noOrigin = await request(bridge.port, url, { method: 'POST', headers: { cookie, 'content-length': String(body.length) }, body });
    expect(noOrigin.status).toBe(403);
    const up = await request(bridge.port, url, { method: 'POST', headers: { cookie, origin, 'content-length': String(body.length) }, body });
    expect(up.status).toBe(200);
    const { path: stored } = JSON.parse(up.body.toString()) as { path: string };
    expect(stored).toBe(path.join(core.uploadsDir, c.hello.connectionId, 'evil name.jpg'));
    expect(readFileSync(stored, 'utf8')).toBe('fake image bytes');

    const img = await request(bridge.port, `/img/${encodeURIComponent(stored)}`, { headers: { cookie } });
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toBe('image/jpeg');
    const dl = await request(bridge.port, `/download/${encodeURIComponent(stored)}`, { headers: { cookie } });
    expect(dl.headers['content-disposition']).toContain('attachment');

    const secret = path.join(dir, 'secret.jpg');
    writeFileSync(secret, 'secret');
    expect((await request(bridge.port, `/img/${encodeURIComponent(secret)}`, { headers: { cookie } })).status).toBe(403);
    const sneaky = `${path.join(core.uploadsDir, c.hello.connectionId)}/../../secret.jpg`;
    expect((await request(bridge.port, `/img/${encodeURIComponent(sneaky)}`, { headers: { cookie } })).status).toBe(403);
    expect((await request(bridge.port, `/img/${encodeURIComponent(stored)}`)).status).toBe(403); // no cookie
    c.ws.close();
  });

  it('never serves a partial upload, removes an aborted one, and removes the upload folder when the socket closes', async () => {
    const c = await connect(bridge);
    const cookie = `revive_token_${bridge.port}=${bridge.token}`;
    const origin = `http://127.0.0.1:${bridge.port}`;
    const uploadDir = path.join(core.uploadsDir, c.hello.connectionId);
    const final = path.join(uploadDir, 'half.jpg');
    // Half of a declared 2000-byte body, then the client goes away.
    const req = http.request({
      host: '127.0.0.1',
      port: bridge.port,
      method: 'POST',
      path: `/upload?connection=${c.hello.connectionId}&name=half.jpg`,
      headers: { host: `127.0.0.1:${bridge.port}`, cookie, origin, 'content-length': '2000' },
    });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(1000, 1));
    await expect.poll(() => (existsSync(uploadDir) ? readdirSync(uploadDir) : []).length).toBe(1);
    const [partialName] = readdirSync(uploadDir);
    expect(partialName).toMatch(/^\.partial-/);
    for (const file of [final, path.join(uploadDir, partialName!)]) {
      expect((await request(bridge.port, `/img/${encodeURIComponent(file)}`, { headers: { cookie } })).status).toBe(403);
    }
    req.destroy();
    await expect.poll(() => readdirSync(uploadDir)).toEqual([]);
    expect((await request(bridge.port, `/img/${encodeURIComponent(final)}`, { headers: { cookie } })).status).toBe(403);

    const body = Buffer.from('whole');
    const up = await request(bridge.port, `/upload?connection=${c.hello.connectionId}&name=whole.jpg`, { method: 'POST', headers: { cookie, origin, 'content-length': String(body.length) }, body });
    const { path: stored } = JSON.parse(up.body.toString()) as { path: string };
    expect(readdirSync(uploadDir)).toEqual(['whole.jpg']);
    c.ws.close();
    await expect.poll(() => existsSync(uploadDir)).toBe(false);
    expect((await request(bridge.port, `/img/${encodeURIComponent(stored)}`, { headers: { cookie } })).status).toBe(403);
  });

  it('keeps static paths inside the renderer folder', () => {
    expect(staticPath('/srv/app', '/')).toBe('/srv/app/index.html');
    expect(staticPath('/srv/app', '/assets/a.js')).toBe('/srv/app/assets/a.js');
    expect(staticPath('/srv/app', '/%2e%2e/secret')).toBeNull();
    expect(staticPath('/srv/app', '/..%2f..%2fetc/passwd')).toBeNull();
    expect(staticPath('/srv/app', '/a%00b')).toBeNull();
  });

  it('recognises loopback hosts and our own origin only', () => {
    expect(isLoopbackHost('127.0.0.1:8080', 8080)).toBe(true);
    expect(isLoopbackHost('localhost:8080', 8080)).toBe(true);
    expect(isLoopbackHost('[::1]:8080', 8080)).toBe(true);
    expect(isLoopbackHost('127.0.0.1.evil.com:8080', 8080)).toBe(false);
    expect(isLoopbackHost('127.0.0.1', 8080)).toBe(false);
    expect(isLoopbackHost(undefined, 8080)).toBe(false);
    expect(isOwnOrigin('http://localhost:8080', 8080)).toBe(true);
    expect(isOwnOrigin('https://localhost:8080', 8080)).toBe(false);
    expect(isOwnOrigin('null', 8080)).toBe(false);
    expect(sanitizeUploadName('C:\\Users\\x\\photo<1>.jpg')).toBe('photo_1_.jpg');
    expect(sanitizeUploadName('...')).toBe('upload');
  });
});
