import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHANNEL_NAMES, channels, type Channel } from '../../../src-preload/contract';
import { CodedError } from '../../../src-main/pixels/coded-error';
import { createDispatcher, toWireError, type CallContext, type Handlers } from '../../../src-main/ipc/dispatch';
import { createHandlers } from '../../../src-main/ipc/handlers';
import { FakeCore } from '../../support/fake-core';
import { validRequests } from '../../support/valid-requests';
import { tempFolders } from '../../support/temp-folders';

const tmp = tempFolders();

const ctx: CallContext = { host: 'bridge', imageUrl: (f) => `/img/${encodeURIComponent(f)}`, downloadUrl: () => undefined };

describe('dispatch', () => {
  let dir: string;
  let photo: string;
  let core: FakeCore;
  beforeEach(() => {
    dir = tmp('revive-dispatch-');
    photo = path.join(dir, 'photo.jpg');
    writeFileSync(photo, 'not really a jpeg');
    core = new FakeCore(path.join(dir, 'uploads'));
  });
  afterEach(() => undefined);

  it('answers every channel of the contract for a valid request (no channel left without a handler)', async () => {
    const dispatch = createDispatcher(createHandlers(core, { name: 'Revive', platform: 'linux' }));
    const reqs = validRequests(photo);
    const codes: Record<string, string> = {};
    for (const channel of CHANNEL_NAMES) {
      const r = await dispatch(channel, reqs[channel], ctx);
      codes[channel] = r.ok ? 'ok' : r.error.code;
    }
    // Host-only and deliberately failing fake calls; everything else succeeds and matches its response schema.
    expect(codes).toEqual({
      ...Object.fromEntries(CHANNEL_NAMES.map((c) => [c, 'ok'])),
      'inputs:pick': 'UNSUPPORTED',
      'folders:pick': 'UNSUPPORTED',
      'shell:integration': 'UNSUPPORTED',
      'library:rerun': 'NOT_FOUND',
      'library:reveal': 'UNSUPPORTED',
      'library:remove': 'NOT_FOUND',
      'library:repair-again': 'NOT_FOUND',
      'models:remove': 'NOT_ALLOWED',
    });
  });

  it('refuses unknown channels, including prototype names, with UNKNOWN_CHANNEL', async () => {
    const dispatch = createDispatcher(createHandlers(core, { name: 'Revive', platform: 'linux' }));
    for (const ch of ['shell:exec', '__proto__', 'constructor', 'toString', '', 42, null, { channel: 'jobs:start' }]) {
      const r = await dispatch(ch, {}, ctx);
      expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    }
  });

  it('rejects a bad payload with INVALID_PAYLOAD naming the field, and never calls the core', async () => {
    const dispatch = createDispatcher(createHandlers(core, { name: 'Revive', platform: 'linux' }));
    const r = await dispatch('jobs:start', { paths: [photo], settings: { ...validRequests(photo)['jobs:start'].settings, scale: 8 } }, ctx);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('INVALID_PAYLOAD');
    expect(r.error.message).toContain('settings.scale');
    expect(core.calls.filter((c) => c.method === 'startJob')).toHaveLength(0);
  });

  it('refuses unknown keys rather than ignoring them', async () => {
    const dispatch = createDispatcher(createHandlers(core, { name: 'Revive', platform: 'linux' }));
    const r = await dispatch('jobs:pause', { now: true, alsoDeleteEverything: true }, ctx);
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
  });

  it('serialises handler errors as {code, message}: coded errors keep their code, others become INTERNAL', async () => {
    const seen: string[] = [];
    const base = createHandlers(core, { name: 'Revive', platform: 'linux' });
    const handlers: Handlers = {
      ...base,
      'jobs:resume': () => {
        throw new CodedError('QUEUE_LOCKED', 'another process runs the queue');
      },
      'jobs:list': () => {
        throw new TypeError('boom');
      },
    };
    const dispatch = createDispatcher(handlers, { onInternalError: (c) => seen.push(c) });
    expect(await dispatch('jobs:resume', {}, ctx)).toEqual({ ok: false, error: { code: 'QUEUE_LOCKED', message: 'another process runs the queue' } });
    expect(await dispatch('jobs:list', {}, ctx)).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
    expect(seen).toEqual(['jobs:list']);
  });

  it('reports a response that breaks the contract as INVALID_RESPONSE instead of passing it on', async () => {
    const handlers = { ...createHandlers(core, { name: 'Revive', platform: 'linux' }), 'models:verify': () => ({ ok: 'yes' }) } as unknown as Handlers;
    const dispatch = createDispatcher(handlers);
    const r = await dispatch('models:verify', { id: 'x' }, ctx);
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_RESPONSE' } });
  });

  it('presents paths as the host’s image URLs', async () => {
    const dispatch = createDispatcher(createHandlers(core, { name: 'Revive', platform: 'linux' }));
    const r = await dispatch('inputs:add', { paths: [photo] }, ctx);
    expect(r).toEqual({
      ok: true,
      value: { added: [{ path: photo, name: 'photo.jpg', url: `/img/${encodeURIComponent(photo)}`, sizeBytes: 17 }], rejected: [] },
    });
  });

  it('toWireError ignores malformed codes and truncates huge messages', () => {
    expect(toWireError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toEqual({ code: 'ENOENT', message: 'x' });
    expect(toWireError(Object.assign(new Error('x'), { code: 'lower case' })).code).toBe('INTERNAL');
    expect(toWireError('plain string')).toEqual({ code: 'INTERNAL', message: 'plain string' });
    expect(toWireError(new Error('y'.repeat(5000))).message.length).toBeLessThanOrEqual(2001);
  });

  it('every channel has a request and a response schema', () => {
    for (const c of Object.keys(channels) as Channel[]) expect(channels[c]).toHaveLength(2);
  });
});
