/**
 * Every channel against hand-written valid and invalid requests (test/support/request-cases.ts), which do not come
 * from the dispatcher's schemas: a schema that lets a malformed request through, or refuses a good one, fails here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANNEL_NAMES } from '../../../src-preload/contract';
import { createDispatcher, type CallContext } from '../../../src-main/ipc/dispatch';
import { createHandlers } from '../../../src-main/ipc/handlers';
import { FakeCore } from '../../support/fake-core';
import { casesFor } from '../../support/request-cases';

const dir = mkdtempSync(path.join(os.tmpdir(), 'revive-oracle-'));
const photo = path.join(dir, 'p.jpg');
writeFileSync(photo, 'x');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ctx: CallContext = { host: 'bridge', imageUrl: (f) => `/img/${encodeURIComponent(f)}`, downloadUrl: () => undefined };

describe('hand-written requests on every channel', () => {
  it.each(CHANNEL_NAMES)('%s refuses each invalid request before the core and passes each valid one on', async (channel) => {
    const core = new FakeCore(path.join(dir, 'uploads'));
    const dispatch = createDispatcher(createHandlers(core, { name: 'Revive', platform: 'linux' }));
    const { valid, invalid } = casesFor(photo, channel);
    expect(valid.length).toBeGreaterThan(0);
    for (const [why, payload] of invalid) {
      const result = await dispatch(channel, payload, ctx);
      expect(result.ok ? 'accepted' : result.error.code, `${channel} with ${why}`).toBe('INVALID_PAYLOAD');
      expect(core.calls, `${channel} with ${why} reached the core`).toEqual([]);
    }
    for (const payload of valid) {
      const result = await dispatch(channel, payload, ctx);
      expect(result.ok ? 'ok' : result.error.code, `${channel} with ${JSON.stringify(payload)}`).not.toBe('INVALID_PAYLOAD');
    }
  });
});
