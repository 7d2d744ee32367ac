/**
 * The ExifTool process and the version stamp of imaging/metadata.ts: one tool per process until closed, a fresh one
 * after closing, and a package.json without a version refused by name. Added after mutation testing
 * (docs/mutation.md).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const root = await mkdtemp(path.join(os.tmpdir(), 'revive-metadata-tool-'));
afterAll(async () => {
  vi.doUnmock('../../../src-main/pixels/app-paths');
  await rm(root, { recursive: true, force: true });
});

describe('metadataTool', () => {
  it('is one ExifTool until closed, and a new working one after', async () => {
    const { closeMetadataTool, metadataTool } = await import('../../../src-main/imaging/metadata');
    const first = metadataTool();
    expect(metadataTool()).toBe(first);
    expect(await first.version()).toMatch(/^\d+\.\d+/);
    await closeMetadataTool();
    expect(first.ended).toBe(true);
    const second = metadataTool();
    expect(second).not.toBe(first);
    expect(await second.version()).toMatch(/^\d+\.\d+/);
    await closeMetadataTool();
    // Closing with no tool open is harmless.
    await expect(closeMetadataTool()).resolves.toBeUndefined();
  });
});

describe('reviveVersion', () => {
  it('reads the version once from package.json and refuses one without a version string', async () => {
    const good = path.join(root, 'good.json');
    const bad = path.join(root, 'bad.json');
    await writeFile(good, JSON.stringify({ version: '9.8.7' }));
    await writeFile(bad, JSON.stringify({ version: 987 }));
    let file = good;
    vi.resetModules();
    vi.doMock('../../../src-main/pixels/app-paths', () => ({ appPaths: () => ({ packageJson: file }) }));
    const fresh = await import('../../../src-main/imaging/metadata');
    expect(fresh.reviveVersion()).toBe('9.8.7');
    // Cached: a later change of the file is not read again.
    file = bad;
    expect(fresh.reviveVersion()).toBe('9.8.7');
    vi.resetModules();
    const again = await import('../../../src-main/imaging/metadata');
    expect(() => again.reviveVersion()).toThrow('package.json has no "version" string');
  });
});
