/**
 * The package check: what `npm run package:dir` wrote to release/<platform>-unpacked (global-setup.ts packages once),
 * read with @electron/asar as Electron would read it, then run. The Electron executable in it is a stand-in here
 * (scripts/package-dir.ts), so the packaged CLI and engine run with plain Node on a copy of the archive's contents:
 * extracted (with @electron/asar, which takes the unpacked files from app.asar.unpacked) into a folder laid out as
 * the installed app is, `<resources>/app.asar/…` beside `<resources>/models`. Nothing there can reach the repository.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extractAll, extractFile, listPackage, statFile } from '@electron/asar';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const unpackedApp = path.join(root, 'release', process.platform === 'win32' ? 'win-unpacked' : `${process.platform}-unpacked`);
const resources = path.join(unpackedApp, 'resources');
const archive = path.join(resources, 'app.asar');
const SAMPLE = path.join(root, 'resources', 'sample', 'fallen-leaf.jpg');
const NATIVE = /\.node$|\.so(\.\d+)*$|\.dylib$|\.dll$/;

const rel = (p: string): string => p.replace(/^[/\\]+/, '').split(path.sep).join('/');

let files: string[];
let tmp: string;
/** The extracted copy: `<tmp>/resources/app.asar/` (a folder) beside `<tmp>/resources/models`. */
let copy: string;

beforeAll(() => {
  if (process.platform !== 'linux') throw new Error('the package check runs on Linux (scripts/package-dir.ts: the stand-in is Linux only)');
  files = listPackage(archive, { isPack: false }).map(rel);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'revive-package-'));
  copy = path.join(tmp, 'resources', 'app.asar');
  extractAll(archive, copy);
  // extractAll copies the unpacked files without their mode: give them the packaged one (ExifTool is run by path).
  for (const f of files.filter(isUnpackedFile)) chmodSync(path.join(copy, f), statSync(path.join(`${archive}.unpacked`, f)).mode);
  symlinkSync(path.join(resources, 'models'), path.join(tmp, 'resources', 'models'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Every file under `dir`, relative, with its size. */
function walk(dir: string, base = dir, out = new Map<string, number>()): Map<string, number> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, base, out);
    else if (e.isFile()) out.set(path.relative(base, p).split(path.sep).join('/'), statSync(p).size);
  }
  return out;
}

const isUnpackedFile = (f: string): boolean => {
  const e = statFile(archive, f, false);
  return !('files' in e) && 'unpacked' in e && e.unpacked === true;
};

const isFile = (f: string): boolean => {
  try {
    return !('files' in statFile(archive, f, false));
  } catch {
    return false;
  }
};

describe('app.asar', () => {
  it("holds package.json, whose main is a file in the archive, and the preload, interface, engine and CLI bundles", () => {
    const pkg = JSON.parse(extractFile(archive, 'package.json').toString('utf8')) as { main?: string };
    expect(pkg.main).toBe('dist/main/main.js');
    for (const f of [pkg.main!, 'dist/preload/preload.cjs', 'dist/renderer/index.html', 'dist/engine/main.js', 'dist/cli/main.js']) {
      expect(isFile(f), f).toBe(true);
    }
    expect(files.some((f) => /^dist\/renderer\/assets\/.+\.js$/.test(f))).toBe(true);
  });

  it('unpacks every native binary (and ExifTool) into app.asar.unpacked, this platform and arch only', () => {
    const native = files.filter((f) => NATIVE.test(f) && isFile(f));
    const arch = process.arch;
    const expected = [
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      `node_modules/onnxruntime-node/bin/napi-v6/linux/${arch}/onnxruntime_binding.node`,
      'node_modules/exiftool-vendored.pl/bin/exiftool',
    ];
    expect(native.length).toBeGreaterThan(3);
    for (const f of [...native, ...expected]) {
      expect(statFile(archive, f, false), f).toMatchObject({ unpacked: true });
      expect(existsSync(path.join(`${archive}.unpacked`, f)), f).toBe(true);
    }
    expect(native.some((f) => f.startsWith(`node_modules/@img/sharp-linux-${arch}/lib/sharp-linux-${arch}`) && f.endsWith('.node')), 'sharp').toBe(true);
    expect(native.some((f) => /sharp-libvips-linux-.+\/lib\/libvips-cpp\.so/.test(f)), 'libvips').toBe(true);
    expect(native.some((f) => /onnxruntime-node\/bin\/napi-v6\/linux\/.+\/libonnxruntime\.so/.test(f)), 'libonnxruntime').toBe(true);
    expect(native.filter((f) => f.includes('onnxruntime-node/bin/') && !f.includes(`/linux/${arch}/`))).toEqual([]);
  });

  it('ships no TypeScript, no source maps, no sources or tests, and no dev dependency', () => {
    const everything = [...files, ...walk(`${archive}.unpacked`).keys()];
    expect(everything.filter((f) => /\.(ts|mts|cts)$/.test(f))).toEqual([]);
    expect(everything.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(everything.filter((f) => /^(src-main|src-preload|src-renderer|scripts|test|bin|models)\//.test(f))).toEqual([]);
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const dev = Object.keys(pkg.devDependencies);
    const shipped = new Set(everything.flatMap((f) => [...f.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].map((m) => m[1]!)));
    expect(dev.filter((d) => shipped.has(d))).toEqual([]);
  });
});

describe('resources', () => {
  it('holds the embedded packs, file for file as in models/', () => {
    const packed = walk(path.join(resources, 'models'));
    expect(packed.size).toBeGreaterThan(0);
    expect(Object.fromEntries(packed)).toEqual(Object.fromEntries(walk(path.join(root, 'models'))));
    expect([...packed.keys()]).toEqual(expect.arrayContaining(['realesrgan-x4fast/revive-pack.json', 'realesrgan-x4plus/revive-pack.json']));
  });

  it('holds the `revive` launcher (resources/linux/revive), executable', () => {
    const launcher = path.join(resources, 'bin', 'revive');
    expect(readFileSync(launcher, 'utf8')).toBe(readFileSync(path.join(root, 'resources', 'linux', 'revive'), 'utf8'));
    expect(statSync(launcher).mode & 0o111).toBe(0o111);
  });

  it('fits its size budget; reports the size and what dominates it (test-results/package-size.json)', () => {
    const size = (p: string): number => [...walk(p).values()].reduce((a, b) => a + b, 0);
    const mb = (n: number): number => Math.round((n / 1024 / 1024) * 10) / 10;
    const parts: Record<string, number> = {};
    // Inside app.asar, by bundle folder or package (unpacked files are counted below, where they are).
    for (const f of files) {
      const e = statFile(archive, f, false);
      if ('files' in e || ('unpacked' in e && e.unpacked) || !('size' in e)) continue;
      const m = /^(dist\/[^/]+|node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(f);
      const key = `app.asar ${m ? m[1]!.replace(/^node_modules\//, '') : 'other'}`;
      parts[key] = (parts[key] ?? 0) + e.size;
    }
    for (const m of readdirSync(path.join(`${archive}.unpacked`, 'node_modules'))) {
      const dir = path.join(`${archive}.unpacked`, 'node_modules', m);
      if (m.startsWith('@')) for (const s of readdirSync(dir)) parts[`unpacked ${m}/${s}`] = size(path.join(dir, s));
      else parts[`unpacked ${m}`] = size(dir);
    }
    for (const p of readdirSync(path.join(resources, 'models'), { withFileTypes: true })) {
      if (p.isDirectory()) parts[`models/${p.name}`] = size(path.join(resources, 'models', p.name));
    }
    const total = size(resources);
    const biggest = Object.entries(parts).sort((a, b) => b[1] - a[1]);
    const shown = biggest.filter(([, v]) => v >= 256 * 1024);
    console.log(`package (resources, without Electron itself): ${mb(total)} MB, app.asar ${mb(statSync(archive).size)} MB; parts of 0.25 MB and up:\n${shown.map(([k, v]) => `  ${k.padEnd(44)} ${mb(v).toString().padStart(6)} MB`).join('\n')}`);
    mkdirSync(path.join(root, 'test-results'), { recursive: true });
    writeFileSync(path.join(root, 'test-results', 'package-size.json'), JSON.stringify({ totalMB: mb(total), asarMB: mb(statSync(archive).size), partsMB: Object.fromEntries(biggest.map(([k, v]) => [k, mb(v)])) }, null, 2));
    // Every platform's onnxruntime would add about 240 MB: the per-platform filters must hold.
    expect(mb(total)).toBeLessThan(260);
  });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function node(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Run {
  const r = spawnSync(process.execPath, args, { cwd: opts.cwd, env: { ...process.env, NO_COLOR: '1', ...opts.env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Restores the sample into `<tmp>/<name>/out` with the given CLI; returns the result's bytes. */
function restoreSample(name: string, cli: string[], extra: string[] = [], env: NodeJS.ProcessEnv = {}): Buffer {
  const work = path.join(tmp, name);
  mkdirSync(work, { recursive: true });
  const r = node([...cli, 'enhance', SAMPLE, '-o', 'out', '--data-dir', path.join(work, 'data'), ...extra], { cwd: work, env });
  expect(r.code, r.stderr).toBe(0);
  const out = path.join(work, 'out', 'fallen-leaf_realesrgan-x4fast_4x.jpg');
  expect(existsSync(out), `${name}: ${r.stdout}${r.stderr}`).toBe(true);
  return readFileSync(out);
}

/** The result with its provenance time (XMP xmpMM:History when, ISO 8601) blanked: the only part that may differ. */
const withoutTimes = (b: Buffer): string => b.toString('latin1').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)/g, 'T');

describe('the packaged CLI and engine, run with plain Node', () => {
  let packagedCli: string[];
  let packaged: Buffer;
  beforeAll(() => {
    packagedCli = [path.join(copy, 'dist', 'cli', 'main.js')];
  });

  it('prints its help', () => {
    const r = node([...packagedCli, '--help'], { cwd: tmp });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Usage: revive/);
  });

  it('lists the packs from the package resources', () => {
    const r = node([...packagedCli, 'models', '--json', '--data-dir', path.join(tmp, 'models-data')], { cwd: tmp });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(JSON.stringify(path.join(tmp, 'resources', 'models', 'realesrgan-x4fast')).slice(1, -1));
  });

  it('restores the sample photo: the packaged engine writes the result', async () => {
    packaged = restoreSample('packaged', packagedCli);
    const meta = await sharp(packaged).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1280, 960]);
  });

  it('gives the same bytes as the development path (sources through tsx) and the built CLI', () => {
    const dev = restoreSample('dev', [path.join(root, 'bin', 'revive.js')], [], { REVIVE_DEV: '1' });
    const built = restoreSample('built', [path.join(root, 'dist', 'cli', 'main.js')]);
    // Identical but for the time in the provenance record, which is when each ran.
    expect(packaged.length).toBe(dev.length);
    expect(withoutTimes(packaged) === withoutTimes(dev)).toBe(true);
    expect(withoutTimes(built) === withoutTimes(dev)).toBe(true);
    // Without metadata nothing is time-dependent: byte for byte.
    const devBare = restoreSample('dev-bare', [path.join(root, 'bin', 'revive.js')], ['--metadata', 'none'], { REVIVE_DEV: '1' });
    const packagedBare = restoreSample('packaged-bare', packagedCli, ['--metadata', 'none']);
    expect(packagedBare.equals(devBare)).toBe(true);
  });

  it('serves the packaged interface (`revive serve`)', async () => {
    const server = spawn(process.execPath, [...packagedCli, 'serve', '--port', '0', '--data-dir', path.join(tmp, 'serve-data')], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        server.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /Revive is ready: (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        server.stderr.on('data', (d: Buffer) => (err += d.toString()));
        server.once('exit', (code) => reject(new Error(`revive serve exited with ${code}: ${err}`)));
      });
      const res = await fetch(url);
      expect(res.status).toBe(200);
      const html = await res.text();
      const index = readFileSync(path.join(copy, 'dist', 'renderer', 'index.html'), 'utf8');
      expect(html).toBe(index);
    } finally {
      server.kill('SIGINT');
      await new Promise((r) => server.once('exit', r));
    }
  });
});
