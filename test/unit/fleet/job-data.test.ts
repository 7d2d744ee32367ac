import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../../src-main/fleet/connection';
import { fleetJobId, outputsKey, parseJobData } from '../../../src-main/fleet/job-data';
import { parseJobSettings } from '../../../src-main/settings/job-settings';

const HASH = 'a'.repeat(64);

describe('fleetJobId', () => {
  it('is the SHA-256 of content, settings key, output folder and suffix (recomputed here)', () => {
    const expected = `r${createHash('sha256').update(`${HASH}\0key\0/out\0_revive`).digest('hex').slice(0, 40)}`;
    expect(fleetJobId(HASH, 'key', '/out', '_revive')).toBe(expected);
  });

  it('differs when any part differs, and never looks like a number (BullMQ refuses integer ids)', () => {
    const base = fleetJobId(HASH, 'key', '/out', '_revive');
    expect(new Set([base, fleetJobId('b'.repeat(64), 'key', '/out', '_revive'), fleetJobId(HASH, 'key2', '/out', '_revive'), fleetJobId(HASH, 'key', '/out2', '_revive'), fleetJobId(HASH, 'key', '/out', '_x')]).size).toBe(5);
    expect(base).toMatch(/^r[0-9a-f]{40}$/);
    expect(outputsKey('revive')).toBe('revive-fleet:revive:outputs');
  });
});

describe('parseJobData', () => {
  const settings = parseJobSettings({ model: 'realesrgan-x4fast', scale: 4, format: 'same', suffix: '_revive', outputDir: null, overwrite: false });
  const good = { source: '/a/b.jpg', sourceHash: HASH, settings, settingsKey: 'k', output: '/a/b_revive.jpg', batch: '2026-01-01T00:00:00.000Z' };

  it('takes a job Revive submitted, settings checked', () => {
    expect(parseJobData(JSON.parse(JSON.stringify(good)))).toEqual(good);
  });

  it.each([
    ['no source', { ...good, source: '' }],
    ['a bad hash', { ...good, sourceHash: 'xyz' }],
    ['bad settings', { ...good, settings: { model: 'm', scale: 7 } }],
    ['not an object', 'hello'],
  ])('refuses %s with a reason', (_what, value) => {
    expect(() => parseJobData(value)).toThrow(/not a Revive fleet job|invalid job settings/);
  });
});

describe('redactUrl', () => {
  it('hides a password and keeps the rest', () => {
    expect(redactUrl('redis://:s3cret@host:6379/2')).toBe('redis://:***@host:6379/2');
    expect(redactUrl('redis://user:s3cret@host:6379')).toBe('redis://user:***@host:6379');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
    expect(redactUrl('not a url')).toBe('not a url');
  });
});
