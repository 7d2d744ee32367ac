import type { lookup } from 'node:dns/promises';
import { describe, expect, it } from 'vitest';
import { createDispatcher, type CallContext } from '../../../src-main/ipc/dispatch';
import { createHandlers } from '../../../src-main/ipc/handlers';
import { checkRemotePackUrl, isPrivateAddress } from '../../../src-main/models/url-policy';
import { FakeCore } from '../../support/fake-core';

/** A resolver that answers from a table and never touches the network. */
function fakeResolver(table: Record<string, string[]>): typeof lookup {
  return (async (host: string) => (table[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))) as unknown as typeof lookup;
}

const bridge: CallContext = { host: 'bridge', imageUrl: (f) => `/img/${encodeURIComponent(f)}`, downloadUrl: () => undefined };
const electron: CallContext = { ...bridge, host: 'electron' };

describe('pack URLs from the web bridge', () => {
  it('classes loopback, private, link-local and mapped addresses as private, public ones not', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '10.1.2.3', '172.16.0.1', '172.31.255.254', '192.168.1.1', '169.254.169.254', 'fe80::1', 'fd00::5', '::ffff:127.0.0.1', '0.0.0.0']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '172.32.0.1', '93.184.216.34', '2606:4700::1111']) expect(isPrivateAddress(a), a).toBe(false);
  });

  it('refuses loopback and LAN hosts, names resolving to them, and non-http schemes', async () => {
    const resolve = fakeResolver({ 'nas.local': ['192.168.1.20'], 'mixed.example': ['93.184.216.34', '10.0.0.1'], 'public.example': ['93.184.216.34'] });
    for (const url of ['http://127.0.0.1:9/pack/', 'http://[::1]:9/', 'http://localhost.test/', 'http://nas.local/p/', 'http://mixed.example/', 'file:///etc/passwd', 'ftp://public.example/']) {
      await expect(checkRemotePackUrl(url, resolve), url).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    }
    await expect(checkRemotePackUrl('https://public.example/pack/', resolve)).resolves.toBeUndefined();
  });

  it('models:add over the bridge refuses a loopback URL before the core sees it; the desktop app may install it', async () => {
    const core = new FakeCore('/tmp/uploads-unused');
    const dispatch = createDispatcher(createHandlers(core, { name: 'Revive', platform: 'linux' }));
    const req = { source: { kind: 'url', url: 'http://127.0.0.1:9/pack/' } };
    const r = await dispatch('models:add', req, bridge);
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_ALLOWED' } });
    expect(core.calls.filter((c) => c.method === 'addModel')).toHaveLength(0);
    await dispatch('models:add', req, electron);
    expect(core.calls.filter((c) => c.method === 'addModel')).toHaveLength(1);
  });
});
