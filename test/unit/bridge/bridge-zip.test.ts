import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../../src-main/bridge/server';
import { parseZipSelection, zipEntryNames } from '../../../src-main/bridge/zip';
import type { CoreLibraryEntry } from '../../../src-main/core/port';
import { DEFAULT_SETTINGS, FakeCore } from '../../support/fake-core';

function get(port: number, pathAndQuery: string, cookie?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${port}` };
    if (cookie) headers.cookie = cookie;
    http
      .get({ host: '127.0.0.1', port, path: pathAndQuery, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

/** Reads a zip with Python's zipfile, an implementation independent of the one that wrote it: name → content. */
function unzipWithPython(zip: Buffer, dir: string): Record<string, string> {
  const file = path.join(dir, 'got.zip');
  writeFileSync(file, zip);
  const script = 'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps({n: z.read(n).decode() for n in z.namelist()}))';
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as Record<string, string>;
}

function entry(id: number, output: string | null, status: 'done' | 'failed' = 'done'): CoreLibraryEntry {
  return {
    id, source: `/photos/${id}.jpg`, output, status, error: null, modelId: 'realesrgan-x4fast', settings: DEFAULT_SETTINGS,
    inputWidth: 10, inputHeight: 10, outputWidth: 40, outputHeight: 40, ms: 1, device: 'cpu', camera: null, dateTaken: null,
    createdAt: '2026-01-01T00:00:00Z', thumbPath: null,
  };
}

describe('bridge: Download all as a zip', () => {
  let dir: string;
  let core: FakeCore;
  let bridge: Bridge;
  let cookie: string;
  let outA: string;
  let outB: string;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'revive-zip-'));
    mkdirSync(path.join(dir, 'renderer'));
    writeFileSync(path.join(dir, 'renderer', 'index.html'), '<!doctype html>');
    mkdirSync(path.join(dir, 'a'));
    mkdirSync(path.join(dir, 'b'));
    // Two results with the same name from different folders: the zip must keep both.
    outA = path.join(dir, 'a', 'cat_x4.png');
    outB = path.join(dir, 'b', 'cat_x4.png');
    writeFileSync(outA, 'result A');
    writeFileSync(outB, 'result B');
    core = new FakeCore(path.join(dir, 'uploads'));
    core.allowList.allowFile(outA);
    core.allowList.allowFile(outB);
    core.entries = [entry(1, outA), entry(2, outB), entry(3, null, 'failed')];
    bridge = await startBridge({ core, rendererDir: path.join(dir, 'renderer') });
    cookie = `revive_token_${bridge.port}=${bridge.token}`;
  });
  afterEach(async () => {
    await bridge.close();
  });

  it('streams a zip of chosen library results that an independent reader opens, failed rows left out', async () => {
    const res = await get(bridge.port, '/zip?library=1&library=2&library=3', cookie);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toContain('attachment');
    expect(unzipWithPython(res.body, dir)).toEqual({ 'cat_x4.png': 'result A', 'cat_x4-1.png': 'result B' });
  });

  it("zips a batch's finished items only", async () => {
    core.items = [
      { id: 10, jobId: 7, source: '/p/1.jpg', state: 'done', progress: 1, output: outA },
      { id: 11, jobId: 7, source: '/p/2.jpg', state: 'failed', progress: 0, output: outB },
      { id: 12, jobId: 8, source: '/p/3.jpg', state: 'done', progress: 1, output: outB },
    ];
    const res = await get(bridge.port, '/zip?job=7', cookie);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toContain('revive-batch-7.zip');
    expect(unzipWithPython(res.body, dir)).toEqual({ 'cat_x4.png': 'result A' });
    const both = await get(bridge.port, '/zip?job=7&job=8', cookie);
    expect(unzipWithPython(both.body, dir)).toEqual({ 'cat_x4.png': 'result A', 'cat_x4-1.png': 'result B' });
  });

  it('refuses without the token, for files off the allow-list, unknown rows, gone files and malformed selections', async () => {
    expect((await get(bridge.port, '/zip?library=1')).status).toBe(403);
    const secret = path.join(dir, 'secret.png');
    writeFileSync(secret, 'secret');
    core.entries.push(entry(4, secret));
    const off = await get(bridge.port, '/zip?library=1&library=4', cookie);
    expect(off.status).toBe(403);
    expect(off.body.toString()).not.toContain('secret"');
    expect((await get(bridge.port, '/zip?library=99', cookie)).status).toBe(404);
    expect((await get(bridge.port, '/zip?library=3', cookie)).status).toBe(404);
    core.entries.push(entry(5, path.join(dir, 'a', 'deleted.png')));
    core.allowList.allowFile(path.join(dir, 'a', 'deleted.png'));
    expect((await get(bridge.port, '/zip?library=5', cookie)).status).toBe(404);
    for (const q of ['', '?library=x', '?library=1&job=2', '?job=1x', '?library=0', '?path=/etc/passwd']) {
      expect((await get(bridge.port, `/zip${q}`, cookie)).status, q).toBe(400);
    }
  });

  it('parses selections and names zip entries uniquely, ignoring case', () => {
    expect(parseZipSelection(new URLSearchParams('library=2&library=2&library=5'))).toEqual({ kind: 'library', ids: [2, 5] });
    expect(parseZipSelection(new URLSearchParams('job=3'))).toEqual({ kind: 'job', ids: [3] });
    expect(zipEntryNames(['/a/x.png', '/b/X.png', '/c/x.png', '/d/y'])).toEqual(['x.png', 'X-1.png', 'x-2.png', 'y']);
  });
});
