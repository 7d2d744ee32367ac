/**
 * Random and malformed payloads on every channel: each must come back as `{ ok: false, error: { code, message } }`
 * without the dispatcher throwing or a handler being reached with a payload that does not parse. Which payloads are
 * malformed is decided without the dispatcher's schemas: a payload that is not a plain object, or that has a key no
 * hand-written valid request of the channel has (test/support/request-cases.ts; requests are strict objects), is
 * malformed by construction and must be refused; any other payload must be refused the same way or reach the core.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANNEL_NAMES } from '../../../src-preload/contract';
import { createDispatcher, type CallContext } from '../../../src-main/ipc/dispatch';
import { createHandlers } from '../../../src-main/ipc/handlers';
import { FakeCore } from '../../support/fake-core';
import { requestCases } from '../../support/request-cases';
import { validRequests } from '../../support/valid-requests';
import { rng } from '../../support/random';


function randomValue(r: () => number, depth = 0): unknown {
  const pick = Math.floor(r() * (depth > 2 ? 9 : 12));
  switch (pick) {
    case 0: return null;
    case 1: return undefined;
    case 2: return r() < 0.5;
    case 3: return Math.floor((r() - 0.5) * 1e6);
    case 4: return [NaN, Infinity, -0, 1e308, -1, 0.5][Math.floor(r() * 6)];
    case 5: return '';
    case 6: return 'x'.repeat(Math.floor(r() * 10_000));
    case 7: return ['../../etc/passwd', '\0', '__proto__', 'jobs:start', 'C:\\Windows', '<script>'][Math.floor(r() * 6)];
    case 8: return Symbol('s').toString();
    case 9: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    case 10: {
      const o: Record<string, unknown> = {};
      const keys = ['paths', 'settings', 'id', 'itemIds', 'patch', 'source', 'rect', 'now', '__proto__', 'constructor', 'path'];
      for (let i = 0; i < Math.floor(r() * 4); i += 1) o[keys[Math.floor(r() * keys.length)]!] = randomValue(r, depth + 1);
      return o;
    }
    default: return JSON.parse('{"__proto__": {"polluted": true}}');
  }
}

/** Replaces one leaf (or the whole object) of a valid payload with a random value. */
function mutate(value: unknown, r: () => number): unknown {
  if (typeof value !== 'object' || value === null) return randomValue(r);
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : { ...(value as object) };
  const keys = Object.keys(copy);
  if (!keys.length || r() < 0.15) {
    copy[`unexpected_${Math.floor(r() * 100)}`] = randomValue(r);
    return copy;
  }
  const k = keys[Math.floor(r() * keys.length)]!;
  copy[k] = r() < 0.6 ? mutate(copy[k], r) : randomValue(r);
  return copy;
}

/** Malformed by construction: not a plain object, or a key that no valid request of the channel has. */
function malformed(payload: unknown, allowedKeys: Set<string>): boolean {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return true;
  return Object.keys(payload).some((k) => !allowedKeys.has(k));
}

describe('fuzzing every channel', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'revive-fuzz-'));
  const photo = path.join(dir, 'p.jpg');
  writeFileSync(photo, 'x');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ctx: CallContext = { host: 'bridge', imageUrl: (f) => `/img/${encodeURIComponent(f)}`, downloadUrl: () => undefined };

  it.each(CHANNEL_NAMES)('%s rejects random and mutated payloads with {code, message}', async (channel) => {
    const core = new FakeCore(path.join(dir, 'uploads'));
    const dispatch = createDispatcher(createHandlers(core, { name: 'Revive', platform: 'linux' }));
    const r = rng([...channel].reduce((a, c) => a * 31 + c.charCodeAt(0), 7));
    const valid = validRequests(photo)[channel];
    const allowedKeys = new Set(requestCases(photo)[channel].valid.flatMap((v) => Object.keys(v as object)));
    for (const k of Object.keys(valid)) allowedKeys.add(k);
    let rejected = 0;
    for (let i = 0; i < 400; i += 1) {
      const payload = i % 2 === 0 ? randomValue(r) : mutate(valid, r);
      const mustRefuse = malformed(payload, allowedKeys);
      const callsBefore = core.calls.length;
      const result = await dispatch(channel, payload, ctx);
      const refused = !result.ok && result.error.code === 'INVALID_PAYLOAD';
      if (mustRefuse) expect(refused, `${channel} accepted ${String(JSON.stringify(payload)).slice(0, 200)}`).toBe(true);
      if (!refused) continue; // well-formed enough to pass: the handler's own answer is not this test's concern
      if (result.ok) continue;
      expect(typeof result.error.message).toBe('string');
      expect(result.error.message.startsWith(`${channel}:`)).toBe(true);
      expect(core.calls.length).toBe(callsBefore); // the core never saw it
      rejected += 1;
    }
    expect(rejected).toBeGreaterThan(150);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
