/**
 * Random and malformed payloads on every channel: each must come back as `{ ok: false, error: { code, message } }`
 * without the dispatcher throwing or a handler being reached with a payload that does not parse.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHANNEL_NAMES, channels } from '../../../src-preload/contract';
import { createDispatcher, type CallContext } from '../../../src-main/ipc/dispatch';
import { createHandlers } from '../../../src-main/ipc/handlers';
import { FakeCore } from '../../support/fake-core';
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

describe('fuzzing every channel', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'revive-fuzz-'));
  const photo = path.join(dir, 'p.jpg');
  writeFileSync(photo, 'x');
  const ctx: CallContext = { host: 'bridge', imageUrl: (f) => `/img/${encodeURIComponent(f)}`, downloadUrl: () => undefined };

  it.each(CHANNEL_NAMES)('%s rejects random and mutated payloads with {code, message}', async (channel) => {
    const core = new FakeCore(path.join(dir, 'uploads'));
    const dispatch = createDispatcher(createHandlers(core, { name: 'Revive', platform: 'linux' }));
    const schema = channels[channel][0];
    const r = rng([...channel].reduce((a, c) => a * 31 + c.charCodeAt(0), 7));
    const valid = validRequests(photo)[channel];
    let rejected = 0;
    for (let i = 0; i < 400; i += 1) {
      const payload = i % 2 === 0 ? randomValue(r) : mutate(valid, r);
      if (schema.safeParse(payload).success) continue; // a mutation that happens to be valid is not a malformed payload
      const callsBefore = core.calls.length;
      const result = await dispatch(channel, payload, ctx);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.error.code).toBe('INVALID_PAYLOAD');
      expect(typeof result.error.message).toBe('string');
      expect(result.error.message.startsWith(`${channel}:`)).toBe(true);
      expect(core.calls.length).toBe(callsBefore); // the core never saw it
      rejected += 1;
    }
    expect(rejected).toBeGreaterThan(150);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
