import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MANIFEST_FILE, parseManifest } from '../../../src-main/models/manifest';
import { listPacks, PackRegistry, sha256File, verifyPackFiles } from '../../../src-main/models/registry';

const MODEL_BYTES = Buffer.from('not really an onnx model, but bytes with a known hash');
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function manifest(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 1,
    id,
    name: `Pack ${id}`,
    version: '1.0.0',
    scale: 4,
    files: [{ path: 'model.onnx', size: MODEL_BYTES.byteLength, sha256: sha(MODEL_BYTES) }],
    tile: { size: 64, overlap: 8 },
    licence: { id: 'MIT', summary: 'test' },
    provenance: { source: 'test', conversion: 'none' },
    kind: 'pixel-sr',
    model: { file: 'model.onnx', input: 'input', output: 'output' },
    ...extra,
  };
}

async function writePack(root: string, folder: string, m: unknown, model: Uint8Array | null = MODEL_BYTES): Promise<string> {
  const dir = path.join(root, folder);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, MANIFEST_FILE), typeof m === 'string' ? m : JSON.stringify(m));
  if (model) await writeFile(path.join(dir, 'model.onnx'), model);
  return dir;
}

describe('pack registry', () => {
  let tmp: string;
  let bundled: string;
  let user: string;

  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'revive-registry-'));
    bundled = path.join(tmp, 'bundled');
    user = path.join(tmp, 'user');
    await mkdir(bundled);
    await mkdir(user);
  });

  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('lists valid packs and reports each invalid folder with its reason', async () => {
    const good = await writePack(bundled, 'good', manifest('good'));
    await writePack(bundled, 'bad-manifest', manifest('bad-manifest', { scale: 0, kind: 'pixel-sr' }));
    await writePack(bundled, 'not-json', '{ "id": ');
    await writePack(bundled, 'no-model', manifest('no-model'), null);
    await writePack(bundled, 'short-model', manifest('short-model'), MODEL_BYTES.subarray(1));
    await mkdir(path.join(bundled, 'empty'));
    await writeFile(path.join(bundled, 'stray-file.txt'), 'ignored: not a folder');
    await writePack(bundled, '.staging-good-abc123', manifest('good')); // an install in progress: ignored
    const dup = await writePack(user, 'good-again', manifest('good'));

    const { packs, invalid } = await listPacks([bundled, user, path.join(tmp, 'does-not-exist')]);

    expect(packs.map((p) => [p.id, p.dir, p.root])).toEqual([['good', good, bundled]]);
    const reasons = Object.fromEntries(invalid.map((i) => [path.basename(i.dir), i.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['bad-manifest', 'empty', 'good-again', 'no-model', 'not-json', 'short-model']);
    expect(reasons['bad-manifest']).toMatch(/scale: /);
    expect(reasons['not-json']).toMatch(/is not valid JSON/);
    expect(reasons['no-model']).toBe('model.onnx: missing');
    expect(reasons['short-model']).toBe(`model.onnx: ${MODEL_BYTES.byteLength - 1} bytes, manifest says ${MODEL_BYTES.byteLength}`);
    expect(reasons.empty).toBe(`no ${MANIFEST_FILE}`);
    expect(reasons['good-again']).toBe(`pack id "good" is already provided by ${good}`);
    expect(invalid.find((i) => i.dir === dup)).toBeDefined();
  });

  it('finds a pack by id, searching the roots in order', async () => {
    await writePack(user, 'b', manifest('b'));
    const first = await writePack(bundled, 'a', manifest('a'));
    await writePack(user, 'a2', manifest('a'));
    const registry = new PackRegistry([bundled, user]);
    expect((await registry.findPack('a'))?.dir).toBe(first);
    expect((await registry.findPack('b'))?.root).toBe(user);
    expect(await registry.findPack('missing')).toBeUndefined();
  });

  it('verifies size and sha256 of every file and reports a tampered or truncated one', async () => {
    const m = parseManifest(manifest('p'));
    const dir = await writePack(bundled, 'p', m);
    expect(await verifyPackFiles(dir, m)).toEqual({ ok: true, problems: [] });

    const tampered = Buffer.from(MODEL_BYTES);
    tampered[3] = tampered[3]! ^ 1; // same size, one bit flipped
    await writeFile(path.join(dir, 'model.onnx'), tampered);
    const r = await verifyPackFiles(dir, m);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([{ path: 'model.onnx', reason: `sha256 ${sha(tampered)}, expected ${sha(MODEL_BYTES)}` }]);

    await writeFile(path.join(dir, 'model.onnx'), MODEL_BYTES.subarray(2));
    expect((await verifyPackFiles(dir, m)).problems[0]?.reason).toBe(`size ${MODEL_BYTES.byteLength - 2} bytes, expected ${MODEL_BYTES.byteLength}`);

    await rm(path.join(dir, 'model.onnx'));
    expect((await verifyPackFiles(dir, m)).problems).toEqual([{ path: 'model.onnx', reason: 'missing' }]);
  });

  it('hashes files as a stream, matching an in-memory sha256', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    const file = path.join(tmp, 'big.bin');
    await writeFile(file, big);
    expect(await sha256File(file)).toBe(sha(big));
  });
});
