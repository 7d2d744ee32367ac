import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backoffDelay, downloadFile } from '../../src-main/models/download';
import { cleanInterruptedInstalls, installPack, removePack, type InstallProgress } from '../../src-main/models/install';
import { AbortedError } from '../../src-main/pixels/types';
import { buildTinyPack, TINY_PATHS, writeTinyPack, type TinyPack } from '../fixtures/tiny-packs';

/** What the test server logged: one entry per request. */
interface Hit {
  path: string;
  range: string | undefined;
  status: number;
}

/** Per-test behaviour of the pack server. */
interface ServerScript {
  /** Destroy the socket after this many body bytes, on the first request for the path only. */
  dropAfter: Map<string, number>;
  /** Serve these bytes instead of the pack's (tampered or short files). */
  override: Map<string, Uint8Array>;
  /** Answer this status to the first N requests for a path. */
  failFirst: Map<string, { status: number; times: number }>;
  /** Paths served whole with 200 even when a Range is asked for (servers without range support). */
  ignoreRange: Set<string>;
}

const RETRY = { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 };

describe('installing packs', () => {
  let pack: TinyPack;
  let server: http.Server;
  let baseUrl: string;
  let hits: Hit[];
  let script: ServerScript;
  let work: string;
  let models: string;

  beforeAll(async () => {
    pack = buildTinyPack({ tagger: true, emptyPromptEmbedding: true });
    server = http.createServer((req, res) => {
      const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/pack\//, '');
      const range = req.headers.range;
      const log = (status: number): void => void hits.push({ path: rel, range, status });
      const fail = script.failFirst.get(rel);
      if (fail && fail.times > 0) {
        fail.times--;
        log(fail.status);
        res.writeHead(fail.status).end();
        return;
      }
      const body = script.override.get(rel) ?? (rel === 'revive-pack.json' ? pack.manifestBytes : pack.files.get(rel));
      if (!body) {
        log(404);
        res.writeHead(404).end();
        return;
      }
      let start = 0;
      if (range && !script.ignoreRange.has(rel)) {
        start = Number(/^bytes=(\d+)-$/.exec(range)?.[1] ?? Number.NaN);
        if (!(start < body.byteLength)) {
          log(416);
          res.writeHead(416, { 'content-range': `bytes */${body.byteLength}` }).end();
          return;
        }
      }
      const ranged = range !== undefined && !script.ignoreRange.has(rel);
      const status = ranged ? 206 : 200;
      log(status);
      const headers: http.OutgoingHttpHeaders = { 'content-length': body.byteLength - start, 'accept-ranges': 'bytes' };
      if (ranged) headers['content-range'] = `bytes ${start}-${body.byteLength - 1}/${body.byteLength}`;
      res.writeHead(status, headers);
      const drop = script.dropAfter.get(rel);
      if (drop !== undefined) {
        script.dropAfter.delete(rel);
        // Give the client time to take the bytes in before the connection dies: a fetch body stream that errors
        // discards chunks it has received but not yet handed out, and then there would be nothing to resume from.
        res.write(body.subarray(start, start + drop), () => setTimeout(() => res.destroy(), 250));
        return;
      }
      res.end(body.subarray(start));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pack/`;
    work = await mkdtemp(path.join(os.tmpdir(), 'revive-install-'));
  });

  afterAll(async () => {
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    await rm(work, { recursive: true, force: true });
  });

  beforeEach(async () => {
    hits = [];
    script = { dropAfter: new Map(), override: new Map(), failFirst: new Map(), ignoreRange: new Set() };
    models = path.join(work, `models-${Math.random().toString(36).slice(2)}`);
  });

  afterEach(async () => {
    await rm(models, { recursive: true, force: true });
  });

  async function expectInstalledIntact(dir: string): Promise<void> {
    expect(Buffer.from(await readFile(path.join(dir, 'revive-pack.json'))).equals(Buffer.from(pack.manifestBytes))).toBe(true);
    for (const [rel, bytes] of pack.files) {
      const got = await readFile(path.join(dir, ...rel.split('/')));
      expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  }

  const totalBytes = (): number => [...pack.files.values()].reduce((a, b) => a + b.byteLength, 0);

  it('downloads, verifies and installs a pack from a URL, reporting progress', async () => {
    const progress: InstallProgress[] = [];
    const installed = await installPack(baseUrl, models, { retry: RETRY, onProgress: (p) => progress.push(p) });
    expect(installed.id).toBe('tiny-osediff');
    expect(installed.dir).toBe(path.join(models, 'tiny-osediff'));
    await expectInstalledIntact(installed.dir);
    expect(await readdir(models)).toEqual(['tiny-osediff']);
    const downloads = progress.filter((p) => p.phase === 'download');
    expect(downloads.at(-1)).toMatchObject({ done: totalBytes(), total: totalBytes() });
    for (let i = 1; i < downloads.length; i++) expect(downloads[i]!.done).toBeGreaterThanOrEqual(downloads[i - 1]!.done);
    expect(progress.filter((p) => p.phase === 'verify').at(-1)).toMatchObject({ done: totalBytes() });
    expect(hits.every((h) => h.range === undefined)).toBe(true);
  });

  it('also accepts the URL of revive-pack.json itself', async () => {
    const installed = await installPack(`${baseUrl}revive-pack.json`, models, { retry: RETRY });
    await expectInstalledIntact(installed.dir);
  });

  it('resumes a file with Range after the connection drops mid-file', async () => {
    const file = TINY_PATHS.textEncoder;
    const size = pack.files.get(file)!.byteLength;
    script.dropAfter.set(file, 20_000);
    const installed = await installPack(baseUrl, models, { retry: RETRY });
    await expectInstalledIntact(installed.dir);
    const fileHits = hits.filter((h) => h.path === file);
    expect(fileHits).toHaveLength(2);
    expect(fileHits[0]).toMatchObject({ range: undefined, status: 200 });
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(fileHits[1]!.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(20_000);
    expect(fileHits[1]!.status).toBe(206);
    expect(size).toBeGreaterThan(20_000);
  });

  it('starts a file over when the server ignores Range', async () => {
    const file = TINY_PATHS.textEncoder;
    script.dropAfter.set(file, 20_000);
    script.ignoreRange.add(file);
    const installed = await installPack(baseUrl, models, { retry: RETRY });
    await expectInstalledIntact(installed.dir);
    const fileHits = hits.filter((h) => h.path === file);
    expect(fileHits.map((h) => h.status)).toEqual([200, 200]);
    expect(fileHits[1]!.range).toMatch(/^bytes=\d+-$/);
  });

  it('resumes a .part file left by an earlier attempt with a single Range request', async () => {
    const file = TINY_PATHS.textEncoder;
    const bytes = pack.files.get(file)!;
    const dest = path.join(work, `resume-${Math.random().toString(36).slice(2)}.onnx`);
    await writeFile(`${dest}.part`, bytes.subarray(0, 12_345));
    const seen: number[] = [];
    await downloadFile(`${baseUrl}${file}`, dest, { ...RETRY, expectedSize: bytes.byteLength, onProgress: (n) => seen.push(n) });
    expect(Buffer.from(await readFile(dest)).equals(Buffer.from(bytes))).toBe(true);
    await expect(readFile(`${dest}.part`)).rejects.toThrow(/ENOENT/);
    expect(hits).toEqual([{ path: file, range: 'bytes=12345-', status: 206 }]);
    expect(seen.at(-1)).toBe(bytes.byteLength);
    expect(seen[0]).toBeGreaterThan(12_345);
    await rm(dest);
  });

  it('retries a 503 with backoff', async () => {
    script.failFirst.set(TINY_PATHS.unet, { status: 503, times: 2 });
    const installed = await installPack(baseUrl, models, { retry: RETRY });
    await expectInstalledIntact(installed.dir);
    expect(hits.filter((h) => h.path === TINY_PATHS.unet).map((h) => h.status)).toEqual([503, 503, 200]);
    expect([0, 1, 2, 3, 10].map((n) => backoffDelay(n, { baseDelayMs: 100, maxDelayMs: 1000 }))).toEqual([100, 200, 400, 800, 1000]);
  });

  it('gives up after the bounded number of attempts, leaving nothing', async () => {
    script.failFirst.set(TINY_PATHS.unet, { status: 503, times: 100 });
    await expect(installPack(baseUrl, models, { retry: RETRY })).rejects.toThrow(/unet\/model\.onnx: gave up after 4 attempts: .*HTTP 503/);
    expect(await readdir(models)).toEqual([]);
  });

  it('refuses a file with a flipped byte, naming it, and leaves nothing behind', async () => {
    const file = TINY_PATHS.vaeDecoder;
    const tampered = Uint8Array.from(pack.files.get(file)!);
    tampered[100] = tampered[100]! ^ 0x01;
    script.override.set(file, tampered);
    await expect(installPack(baseUrl, models, { retry: RETRY })).rejects.toThrow(/vae_decoder\/model\.onnx has sha256 [0-9a-f]{64}, the manifest says/);
    expect(await readdir(models)).toEqual([]);
  });

  it('refuses a truncated file on the server and leaves nothing behind', async () => {
    const file = TINY_PATHS.vaeEncoder;
    const full = pack.files.get(file)!;
    script.override.set(file, full.subarray(0, full.byteLength - 10));
    await expect(installPack(baseUrl, models, { retry: RETRY })).rejects.toThrow(
      new RegExp(`vae_encoder/model\\.onnx: the server has only ${full.byteLength - 10} bytes, the manifest says ${full.byteLength}`),
    );
    expect(await readdir(models)).toEqual([]);
  });

  it('refuses a server that sends more bytes than the manifest says', async () => {
    const file = TINY_PATHS.tokenizer;
    const full = pack.files.get(file)!;
    script.override.set(file, Buffer.concat([full, Buffer.from('extra')]));
    await expect(installPack(baseUrl, models, { retry: RETRY })).rejects.toThrow(/tokenizer\.json: the server sent more than the manifest's/);
    expect(await readdir(models)).toEqual([]);
  });

  it('fails at once on a 404, naming the URL', async () => {
    const file = TINY_PATHS.taggerTags;
    script.failFirst.set(file, { status: 404, times: 1 });
    await expect(installPack(baseUrl, models, { retry: RETRY })).rejects.toThrow(/tagger\/tags\.txt: HTTP 404/);
    expect(hits.filter((h) => h.path === file)).toHaveLength(1);
    expect(await readdir(models)).toEqual([]);
  });

  it('stops on cancel with AbortedError and leaves nothing behind', async () => {
    const controller = new AbortController();
    const promise = installPack(baseUrl, models, {
      retry: RETRY,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done > 1000) controller.abort();
      },
    });
    await expect(promise).rejects.toBeInstanceOf(AbortedError);
    expect(await readdir(models)).toEqual([]);
  });

  it('refuses a manifest that is not valid, naming the field', async () => {
    const bad = JSON.parse(new TextDecoder().decode(pack.manifestBytes)) as { files: Array<{ path: string }> };
    bad.files[0]!.path = '../escape.onnx';
    script.override.set('revive-pack.json', new TextEncoder().encode(JSON.stringify(bad)));
    await expect(installPack(baseUrl, models, { retry: RETRY })).rejects.toThrow(/files\.0\.path: must be a relative path inside the pack/);
    expect(await readdir(models).catch(() => [])).toEqual([]);
  });

  it('refuses a pack whose declared sizes exceed the free space before downloading any file', async () => {
    const huge = JSON.parse(new TextDecoder().decode(pack.manifestBytes)) as { files: Array<{ size: number }> };
    huge.files[0]!.size = 1e15; // 1 PB: more than any test machine has free
    script.override.set('revive-pack.json', new TextEncoder().encode(JSON.stringify(huge)));
    await expect(installPack(baseUrl, models, { retry: RETRY })).rejects.toThrow(/not enough disk space in .*: the pack needs 1000000\.0 GB/);
    expect(hits.map((h) => h.path)).toEqual(['revive-pack.json']);
    expect(await readdir(models)).toEqual([]);
  });

  it('does not retry when the local disk is full, and says so', async () => {
    const dest = path.join(work, `full-${Math.random().toString(36).slice(2)}.onnx`);
    await symlink('/dev/full', `${dest}.part`); // every write to /dev/full fails with ENOSPC
    try {
      await expect(downloadFile(`${baseUrl}${TINY_PATHS.unet}`, dest, { ...RETRY, expectedSize: pack.files.get(TINY_PATHS.unet)!.byteLength }))
        .rejects.toThrow(/the disk is full/);
      expect(hits.filter((h) => h.path === TINY_PATHS.unet)).toHaveLength(1);
    } finally {
      await rm(`${dest}.part`, { force: true });
    }
  });

  it('never quotes the body of a reply that is not a manifest', async () => {
    script.override.set('revive-pack.json', new TextEncoder().encode('<html>secret-router-page token=abc123</html>'));
    const err: unknown = await installPack(baseUrl, models, { retry: RETRY }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/not valid JSON/);
    expect((err as Error).message).not.toMatch(/secret|html|abc123/);
  });

  it('refuses a pack with the id of a pack that comes with the app, installing nothing', async () => {
    const bundled = path.join(work, `bundled-${Math.random().toString(36).slice(2)}`);
    await writeTinyPack(path.join(bundled, 'tiny-osediff'), { tagger: true, emptyPromptEmbedding: true });
    await expect(installPack(baseUrl, models, { retry: RETRY, bundledDir: bundled })).rejects.toThrow(
      /pack "tiny-osediff" has the id of a pack that comes with the app/,
    );
    expect(await readdir(models).catch(() => [])).toEqual([]);
    expect(hits.map((h) => h.path)).toEqual(['revive-pack.json']);
    await rm(bundled, { recursive: true, force: true });
  });

  describe('from a folder', () => {
    let folder: string;
    beforeEach(async () => {
      folder = path.join(work, `src-${Math.random().toString(36).slice(2)}`);
      await writeTinyPack(folder, { tagger: true, emptyPromptEmbedding: true });
    });
    afterEach(async () => {
      await rm(folder, { recursive: true, force: true });
    });

    it('copies and verifies every file, reporting progress', async () => {
      const progress: InstallProgress[] = [];
      const installed = await installPack(folder, models, { onProgress: (p) => progress.push(p) });
      await expectInstalledIntact(installed.dir);
      expect(progress.at(-1)).toMatchObject({ phase: 'copy', done: totalBytes(), total: totalBytes() });
      expect(await readdir(models)).toEqual(['tiny-osediff']);
    });

    it('refuses a tampered file and leaves nothing behind', async () => {
      const file = path.join(folder, ...TINY_PATHS.unet.split('/'));
      const bytes = await readFile(file);
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x80;
      await writeFile(file, bytes);
      await expect(installPack(folder, models)).rejects.toThrow(/unet\/model\.onnx has sha256 .* \(damaged or tampered with\); nothing was installed/);
      expect(await readdir(models)).toEqual([]);
    });

    it('refuses a truncated file, naming it', async () => {
      const file = path.join(folder, ...TINY_PATHS.textEncoder.split('/'));
      const bytes = await readFile(file);
      await writeFile(file, bytes.subarray(0, 1000));
      await expect(installPack(folder, models)).rejects.toThrow(
        new RegExp(`text_encoder/model\\.onnx is 1000 bytes, the manifest says ${bytes.length}`),
      );
      expect(await readdir(models)).toEqual([]);
    });

    it('stops copying a file as soon as it exceeds its declared size', async () => {
      const file = path.join(folder, ...TINY_PATHS.unet.split('/'));
      const declared = (await readFile(file)).byteLength;
      await writeFile(file, Buffer.alloc(declared + 8 * (1 << 20))); // 8 MiB too long: several read chunks
      const progress: InstallProgress[] = [];
      await expect(installPack(folder, models, { onProgress: (p) => progress.push(p) })).rejects.toThrow(
        new RegExp(`unet/model\\.onnx is larger than the manifest's ${declared} bytes`),
      );
      // Nothing beyond the declared size was ever written (progress counts written bytes).
      expect(Math.max(...progress.map((p) => p.done))).toBeLessThanOrEqual(totalBytes());
      expect(await readdir(models)).toEqual([]);
    });

    it('refuses a file that links outside the pack', async () => {
      const outside = path.join(work, 'outside.txt');
      await writeFile(outside, 'secret');
      const tags = path.join(folder, ...TINY_PATHS.taggerTags.split('/'));
      await rm(tags);
      await symlink(outside, tags);
      await expect(installPack(folder, models)).rejects.toThrow(/tagger\/tags\.txt links outside the pack/);
      expect(await readdir(models)).toEqual([]);
    });

    it('refuses a folder without a manifest', async () => {
      const empty = path.join(work, 'empty-folder');
      await mkdir(empty, { recursive: true });
      await expect(installPack(empty, models)).rejects.toThrow(/is not a pack folder: it has no revive-pack\.json/);
    });

    it('refuses to overwrite an installed id unless replace is set', async () => {
      await installPack(folder, models);
      await expect(installPack(folder, models)).rejects.toThrow(/pack "tiny-osediff" is already installed/);
      const marker = path.join(models, 'tiny-osediff', 'marker');
      await writeFile(marker, 'old');
      const again = await installPack(folder, models, { replace: true });
      await expectInstalledIntact(again.dir);
      await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
      expect(await readdir(models)).toEqual(['tiny-osediff']);
    });

    it('removes an installed pack, and refuses unknown or malformed ids', async () => {
      await installPack(folder, models);
      await removePack('tiny-osediff', models);
      expect(await readdir(models)).toEqual([]);
      await expect(removePack('tiny-osediff', models)).rejects.toThrow(/pack "tiny-osediff" is not installed/);
      await expect(removePack('../etc', models)).rejects.toThrow(/"\.\.\/etc" is not a pack id/);
    });

    it('refuses to remove a folder whose manifest names another pack', async () => {
      await installPack(folder, models);
      await mkdir(path.join(models, 'other'), { recursive: true });
      await writeFile(path.join(models, 'other', 'revive-pack.json'), pack.manifestBytes);
      await expect(removePack('other', models)).rejects.toThrow(/holds pack "tiny-osediff", not "other"/);
    });

    it('cleans staging folders left by a killed install', async () => {
      await mkdir(path.join(models, '.staging-tiny-osediff-abc123', 'unet'), { recursive: true });
      await installPack(folder, models);
      expect(await cleanInterruptedInstalls(models)).toEqual(['.staging-tiny-osediff-abc123']);
      expect(await readdir(models)).toEqual(['tiny-osediff']);
    });
  });
});
