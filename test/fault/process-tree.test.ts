/**
 * Fault test: one process tree. The real CLI (`revive enhance`, `revive serve`) runs a batch of real photo crops with
 * the real engine and the x4fast pack; while it runs, every process below it is recorded (test/support/processes.ts)
 * — the engine and the engine's ExifTool among them. The batch is then ended the ways a batch ends in real life:
 * Ctrl-C (SIGINT), a service manager's SIGTERM, SIGKILL of the CLI, SIGKILL of the engine mid-write, and `revive
 * serve` stopped with a job running. Afterwards no recorded process may still run, and no temp file may be left.
 *
 * Each stop comes the moment ExifTool is seen in the tree: ExifTool starts when the engine writes its first result's
 * metadata, so the stop lands mid-batch with every kind of child alive (asserted, not assumed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TreeRecorder } from '../support/processes';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'revive.js');
const PHOTOS = 6;
const EXIFTOOL = /exiftool/;
const ENGINE = /engine[/\\](process[/\\])?main\.(ts|js)/;

let tmp: string;
let photos: string;

/** Crops of a real photograph (Debian's plasma-workspace-wallpapers, GPL-2+/LGPL-3) carrying EXIF, so each result's metadata goes through ExifTool. */
async function makePhotos(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const file = '/usr/share/wallpapers/Autumn/contents/images/1280x800.jpg';
  for (let i = 0; i < PHOTOS; i++) {
    await sharp(file)
      .extract({ left: 40 * i, top: 20 * i, width: 160, height: 120 })
      .withExif({ IFD0: { Make: 'Revive fault test', Model: `crop ${i}` } })
      .jpeg({ quality: 90 })
      .toFile(path.join(dir, `p${String(i).padStart(2, '0')}.jpg`));
  }
}

function startCli(args: string[], dataDir: string): ChildProcess {
  return spawn(process.execPath, [BIN, ...args, '--data-dir', dataDir], {
    cwd: tmp,
    env: { ...process.env, REVIVE_DEV: '1', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Resolves once the recorder has seen a process matching `pattern` below the root (polls the recorder's table). */
async function seen(recorder: TreeRecorder, pattern: RegExp, child: ChildProcess, ms = 120_000): Promise<number> {
  const deadline = Date.now() + ms;
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  while (Date.now() < deadline) {
    recorder.poll();
    const pid = recorder.matching(pattern)[0];
    if (pid !== undefined) return pid;
    if (child.exitCode !== null) throw new Error(`the command ended (${child.exitCode}) before ${pattern} started: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${pattern} never started below the command`);
}

/** Files a killed write could leave: the engine's and the atomic writer's temp names. */
function tempFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /revive-tmp|_exiftool_tmp/.test(f));
}

function outputs(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f)) : [];
}

describe.skipIf(process.platform === 'win32')('every process Revive starts ends with it', () => {
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'revive-tree-'));
    photos = path.join(tmp, 'photos');
    await makePhotos(photos);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} mid-batch drains: the photo is cancelled cleanly, the engine and ExifTool end, resume finishes the rest`, async () => {
      const data = path.join(tmp, `data-${signal}`);
      const out = path.join(tmp, `out-${signal}`);
      const cli = startCli(['enhance', photos, '-o', out], data);
      const tree = new TreeRecorder(cli.pid!);
      await seen(tree, EXIFTOOL, cli);
      expect(tree.matching(ENGINE).length).toBeGreaterThan(0);
      cli.kill(signal);
      const end = await exited(cli);
      expect(await tree.leftAfter(8000)).toEqual([]);
      expect(end).toEqual({ code: signal === 'SIGINT' ? 130 : 143, signal: null });
      expect(tempFiles(out)).toEqual([]);
      expect(outputs(out).length).toBeLessThan(PHOTOS);

      const resumed = startCli(['resume'], data);
      const resumedTree = new TreeRecorder(resumed.pid!);
      expect((await exited(resumed)).code).toBe(0);
      expect(await resumedTree.leftAfter(8000)).toEqual([]);
      expect(outputs(out)).toHaveLength(PHOTOS);
    }, 300_000);
  }

  it('SIGKILL of the CLI mid-batch: the engine and its ExifTool end on their own', async () => {
    const data = path.join(tmp, 'data-kill-cli');
    const cli = startCli(['enhance', photos, '-o', path.join(tmp, 'out-kill-cli')], data);
    const tree = new TreeRecorder(cli.pid!);
    await seen(tree, EXIFTOOL, cli);
    expect(tree.matching(ENGINE).length).toBeGreaterThan(0);
    cli.kill('SIGKILL');
    await exited(cli);
    expect(await tree.leftAfter(8000)).toEqual([]);
  }, 300_000);

  it('SIGKILL of the engine mid-batch: its ExifTool ends, the batch goes on in a new engine, nothing is left', async () => {
    const data = path.join(tmp, 'data-kill-engine');
    const out = path.join(tmp, 'out-kill-engine');
    const cli = startCli(['enhance', photos, '-o', out], data);
    const tree = new TreeRecorder(cli.pid!);
    await seen(tree, EXIFTOOL, cli);
    const engine = tree.matching(ENGINE)[0]!;
    const engineTools = tree.matching(EXIFTOOL);
    process.kill(engine, 'SIGKILL');
    const end = await exited(cli);
    expect(await tree.leftAfter(8000)).toEqual([]);
    // The photo the engine died on fails alone (exit 1) or is redone; every other photo is written.
    expect([0, 1]).toContain(end.code);
    expect(outputs(out).length).toBeGreaterThanOrEqual(PHOTOS - 1);
    expect(tempFiles(out)).toEqual([]);
    expect(engineTools.length).toBeGreaterThan(0);
  }, 300_000);

  it('revive serve stopped with SIGTERM while a job runs: the bridge, the engine and ExifTool all end', async () => {
    const data = path.join(tmp, 'data-serve');
    const out = path.join(tmp, 'out-serve');
    mkdirSync(out);
    const server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', data, '--output-root', tmp], {
      cwd: tmp,
      env: { ...process.env, REVIVE_DEV: '1', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tree = new TreeRecorder(server.pid!);
    let serverErr = '';
    server.stderr!.on('data', (d: Buffer) => (serverErr += d.toString()));
    const url = await new Promise<URL>((resolve, reject) => {
      let text = '';
      server.stdout!.on('data', (d: Buffer) => {
        text += d.toString();
        const m = /http:\/\/\S+/.exec(text);
        if (m) resolve(new URL(m[0]));
      });
      server.once('exit', (code) => reject(new Error(`revive serve exited with ${code}`)));
    });
    const socket = new WebSocket(`ws://${url.host}/ws?token=${url.searchParams.get('token')}`, { origin: url.origin });
    let next = 1;
    const waiting = new Map<number, (r: { ok: boolean; value?: unknown; error?: unknown }) => void>();
    socket.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { type: string; id?: number; result?: { ok: boolean } };
      if (msg.type === 'result' && msg.id !== undefined) waiting.get(msg.id)?.(msg.result!);
    });
    await new Promise((resolve) => socket.once('open', resolve));
    const invoke = (channel: string, payload: unknown): Promise<{ ok: boolean; value?: unknown; error?: unknown }> =>
      new Promise((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        socket.send(JSON.stringify({ type: 'invoke', id, channel, payload }));
      });
    const paths = readdirSync(photos).map((f) => path.join(photos, f));
    const added = await invoke('inputs:add', { paths });
    expect(added.ok).toBe(true);
    const started = await invoke('jobs:start', {
      paths,
      settings: {
        modelId: 'realesrgan-x4fast',
        scale: 2,
        format: 'same',
        quality: 90,
        output: { kind: 'folder', dir: out },
        suffix: '_revive',
        promptMode: 'none',
        prompt: '',
        colorFix: 'none',
        strength: 1,
        device: 'cpu',
      },
    });
    expect(started).toMatchObject({ ok: true });
    await seen(tree, EXIFTOOL, server);
    expect(tree.matching(ENGINE).length).toBeGreaterThan(0);
    socket.close();
    server.kill('SIGTERM');
    const end = await exited(server);
    expect(await tree.leftAfter(8000)).toEqual([]);
    // A server asked to stop that stopped cleanly — the photo in hand finished, everything closed — exits 0.
    expect({ ...end, stderr: serverErr.trim() }).toEqual({ code: 0, signal: null, stderr: 'stopping (SIGTERM)…' });
    expect(tempFiles(out)).toEqual([]);
  }, 300_000);
});
