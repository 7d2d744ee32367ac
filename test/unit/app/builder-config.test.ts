/**
 * electron-builder.yml cannot be exercised by packaging here (that downloads Electron and platform tools), so it is
 * checked the way electron-builder itself would read it: parsed with js-yaml (its YAML reader), validated against
 * the JSON schema shipped in app-builder-lib with the same ajv options, the per-platform onnxruntime filters run
 * through electron-builder's own FileMatcher, and every file it names checked to exist (icons parsed, not just
 * found).
 */
import { existsSync, readdirSync, readFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { FileMatcher } from 'app-builder-lib/out/fileMatcher';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const schema = JSON.parse(readFileSync(path.join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as object;

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

function loadConfig(): Obj {
  const value = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Json;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('electron-builder.yml: not a mapping');
  return value;
}

function obj(v: Json | undefined, name: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${name} is not a mapping: ${JSON.stringify(v)}`);
  return v;
}
function arr(v: Json | undefined, name: string): Json[] {
  if (!Array.isArray(v)) throw new Error(`${name} is not a list: ${JSON.stringify(v)}`);
  return v;
}
function str(v: Json | undefined, name: string): string {
  if (typeof v !== 'string') throw new Error(`${name} is not a string: ${JSON.stringify(v)}`);
  return v;
}

/** The same ajv settings as app-builder-lib/out/util/config/schemaValidator.js. */
function validate(config: Obj): string[] {
  const ajv = new Ajv({ allErrors: true, verbose: true, coerceTypes: true, strict: false });
  const check = ajv.compile(schema);
  // coerceTypes mutates; validate a copy.
  return check(structuredClone(config)) ? [] : (check.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const config = loadConfig();

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's own schema", () => {
    expect(validate(config)).toEqual([]);
  });

  it('fails the schema on a misspelt option (the check can fail)', () => {
    const broken = structuredClone(config);
    obj(broken.nsis, 'nsis').perMachin = false;
    expect(validate(broken).join('\n')).toMatch(/additional properties/i);
  });

  it('identifies the app and installs per user on Windows with the shell-integration include', () => {
    expect(config.appId).toBe('app.revive.desktop');
    expect(config.productName).toBe('Revive');
    const nsis = obj(config.nsis, 'nsis');
    expect(nsis.perMachine).toBe(false);
    expect(nsis.include).toBe('resources/windows/installer.nsh');
  });

  it('builds the promised targets: NSIS x64+arm64, dmg arm64 (see the x64 note in the config), AppImage + deb', () => {
    const targets = (section: string) =>
      Object.fromEntries(
        arr(obj(config[section], section).target, `${section}.target`).map((t) => {
          const o = obj(t, `${section}.target[]`);
          return [str(o.target, 'target'), arr(o.arch, 'arch')];
        }),
      );
    expect(targets('win').nsis).toEqual(['x64', 'arm64']);
    expect(targets('mac').dmg).toEqual(['arm64']);
    expect(Object.keys(targets('linux')).sort()).toEqual(['AppImage', 'deb']);
  });

  it('associates the five image types as Viewer with rank Alternate, never as the default', () => {
    const assoc = arr(config.fileAssociations, 'fileAssociations').map((a, i) => obj(a, `fileAssociations[${i}]`));
    const exts = assoc.flatMap((a) => [a.ext].flat());
    expect(exts.sort()).toEqual(['avif', 'jpeg', 'jpg', 'png', 'tif', 'tiff', 'webp']);
    for (const a of assoc) {
      expect(a.role, JSON.stringify(a.ext)).toBe('Viewer');
      expect(a.rank, JSON.stringify(a.ext)).toBe('Alternate');
    }
    expect(assoc.map((a) => a.mimeType).sort()).toEqual(['image/avif', 'image/jpeg', 'image/png', 'image/tiff', 'image/webp']);
  });

  it('unpacks native code from the asar and rebuilds the non-N-API module', () => {
    const unpack = arr(config.asarUnpack, 'asarUnpack');
    expect(unpack).toEqual(expect.arrayContaining(['**/*.node', 'node_modules/onnxruntime-node/bin/**', 'node_modules/sharp/**', 'node_modules/@img/**']));
    expect(config.npmRebuild).toBe(true);
    const extra = arr(config.extraResources, 'extraResources').map((e) => obj(e, 'extraResources[]'));
    expect(extra).toContainEqual(expect.objectContaining({ from: 'models', to: 'models' }));
  });

  it('names only files that exist', () => {
    const named: string[] = [];
    const win = obj(config.win, 'win');
    const mac = obj(config.mac, 'mac');
    const linux = obj(config.linux, 'linux');
    const nsis = obj(config.nsis, 'nsis');
    named.push(str(win.icon, 'win.icon'), str(mac.icon, 'mac.icon'), str(linux.icon, 'linux.icon'));
    named.push(str(nsis.include, 'nsis.include'), str(nsis.installerIcon, 'nsis.installerIcon'), str(nsis.uninstallerIcon, 'nsis.uninstallerIcon'));
    named.push(str(mac.entitlements, 'mac.entitlements'), str(mac.entitlementsInherit, 'mac.entitlementsInherit'));
    for (const section of [config, mac, win, linux]) {
      for (const e of arr(section.extraResources, 'extraResources')) named.push(str(obj(e, 'extraResources[]').from, 'from'));
    }
    const deb = obj(config.deb, 'deb');
    named.push(str(deb.afterInstall, 'deb.afterInstall'), str(deb.afterRemove, 'deb.afterRemove'));
    const missing = named.filter((p) => !existsSync(path.join(root, p)));
    expect(missing).toEqual([]);
    // 10 before the `revive` launchers (one per platform) and the deb scripts that install the Linux one.
    expect(named.length).toBe(15);
  });

  it('keeps the Linux desktop entry in step with resources/linux/revive.desktop', () => {
    const file = parseDesktopFile(readFileSync(path.join(root, 'resources/linux/revive.desktop'), 'utf8'));
    const linux = obj(config.linux, 'linux');
    const desktop = obj(linux.desktop, 'linux.desktop');
    const entry = obj(desktop.entry, 'linux.desktop.entry');
    const main = file['Desktop Entry']!;
    for (const key of ['GenericName', 'Keywords', 'Actions']) expect(entry[key], key).toBe(main[key]);
    expect(`${str(linux.category, 'linux.category')};`).toBe(main.Categories);
    const mimes = arr(config.fileAssociations, 'fileAssociations').map((a) => str(obj(a, 'fa').mimeType, 'mimeType'));
    expect(`${mimes.join(';')};`).toBe(main.MimeType);
    const action = obj(obj(desktop.desktopActions, 'desktopActions').Enhance, 'desktopActions.Enhance');
    expect(action).toEqual(file['Desktop Action Enhance']);
  });
});

describe('onnxruntime binaries: only the target platform and arch are packed', () => {
  const ortBin = path.join(root, 'node_modules/onnxruntime-node/bin');
  const ORT = { win: 'win32', mac: 'darwin', linux: 'linux' } as const;

  it('the installed package still has the bin/napi-v*/<platform>/<arch> layout the filters assume', () => {
    const napi = readdirSync(ortBin).filter((d) => /^napi-v\d+$/.test(d));
    expect(napi.length).toBeGreaterThan(0);
    for (const n of napi) {
      for (const platform of readdirSync(path.join(ortBin, n))) {
        expect(['darwin', 'linux', 'win32'], `${n}/${platform}`).toContain(platform);
        for (const arch of readdirSync(path.join(ortBin, n, platform))) expect(['x64', 'arm64'], `${n}/${platform}/${arch}`).toContain(arch);
      }
    }
  });

  for (const os of ['win', 'mac', 'linux'] as const) {
    it(`${os}: the installed onnxruntime-node has a binding for every target arch`, () => {
      const section = obj(config[os], os);
      for (const t of arr(section.target, 'target')) {
        for (const a of arr(obj(t, 'target').arch, 'arch')) {
          const binding = path.join(ortBin, 'napi-v6', ORT[os], str(a, 'arch'), 'onnxruntime_binding.node');
          expect(existsSync(binding), `${os} ${String(a)}: ${binding}`).toBe(true);
        }
      }
    });

    it(`${os}: every target arch keeps only ${ORT[os]}/<arch>`, () => {
      const section = obj(config[os], os);
      const archs = new Set(arr(section.target, 'target').flatMap((t) => arr(obj(t, 'target').arch, 'arch')).map((a) => str(a, 'arch')));
      const candidates = ['darwin', 'linux', 'win32'].flatMap((p) =>
        ['x64', 'arm64'].map((a) => `node_modules/onnxruntime-node/bin/napi-v6/${p}/${a}/onnxruntime_binding.node`),
      );
      for (const arch of archs) {
        const keep = nodeModuleFilter(config, section, arch, os);
        const kept = candidates.filter(keep);
        expect(kept, `${os} ${arch}`).toEqual([`node_modules/onnxruntime-node/bin/napi-v6/${ORT[os]}/${arch}/onnxruntime_binding.node`]);
      }
    });
  }

  it('still packs the rest of node_modules (the filters only exclude)', () => {
    const keep = nodeModuleFilter(config, obj(config.linux, 'linux'), 'x64', 'linux');
    expect(keep('node_modules/onnxruntime-node/dist/index.js')).toBe(true);
    expect(keep('node_modules/sharp/lib/index.js')).toBe(true);
  });
});

describe('icons', () => {
  const icons = path.join(root, 'resources/icons');

  it('the Linux icon set holds square PNGs whose names match their size', () => {
    const files = readdirSync(path.join(icons, 'png'));
    expect(files.sort()).toEqual(['128x128.png', '16x16.png', '256x256.png', '32x32.png', '48x48.png', '512x512.png', '64x64.png']);
    for (const f of files) {
      const n = Number(f.split('x')[0]);
      expect(pngSize(readFileSync(path.join(icons, 'png', f))), f).toEqual({ width: n, height: n });
    }
    expect(pngSize(readFileSync(path.join(icons, 'icon.png')))).toEqual({ width: 512, height: 512 });
  });

  it('icon.ico is a valid icon directory of PNG images from 16 to 256 px', () => {
    const buf = readFileSync(path.join(icons, 'icon.ico'));
    expect(buf.readUInt16LE(0)).toBe(0);
    expect(buf.readUInt16LE(2)).toBe(1);
    const count = buf.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const e = 6 + 16 * i;
      const dim = buf.readUInt8(e) || 256;
      const length = buf.readUInt32LE(e + 8);
      const offset = buf.readUInt32LE(e + 12);
      expect(offset + length).toBeLessThanOrEqual(buf.length);
      expect(pngSize(buf.subarray(offset, offset + length))).toEqual({ width: dim, height: dim });
      sizes.push(dim);
    }
    expect(sizes).toEqual(expect.arrayContaining([16, 32, 48, 256]));
  });

  it('icon.icns is a valid container whose PNG elements have the sizes their types promise', () => {
    const buf = readFileSync(path.join(icons, 'icon.icns'));
    expect(buf.toString('latin1', 0, 4)).toBe('icns');
    expect(buf.readUInt32BE(4)).toBe(buf.length);
    const expected: Record<string, number> = { icp4: 16, icp5: 32, ic11: 32, icp6: 64, ic12: 64, ic07: 128, ic08: 256, ic13: 256, ic09: 512, ic14: 512, ic10: 1024 };
    const seen: string[] = [];
    for (let off = 8; off < buf.length; ) {
      const type = buf.toString('latin1', off, off + 4);
      const len = buf.readUInt32BE(off + 4);
      expect(len).toBeGreaterThan(8);
      const n = expected[type];
      expect(n, `unexpected element ${type}`).toBeDefined();
      expect(pngSize(buf.subarray(off + 8, off + len)), type).toEqual({ width: n, height: n });
      seen.push(type);
      off += len;
    }
    expect(seen.sort()).toEqual(Object.keys(expected).sort());
  });
});

/** Width and height from a PNG's IHDR, after checking the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!png.subarray(0, 8).equals(sig) || png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/**
 * How electron-builder filters files inside node_modules (getNodeModuleFileMatcher): only the exclusions of the
 * top-level and platform `files`, after an implicit "**\/*", with `${arch}` and `${os}` expanded per target.
 */
function nodeModuleFilter(cfg: Obj, platformSection: Obj, arch: string, os: string): (relative: string) => boolean {
  const expand = (p: string) => p.replace(/\$\{arch\}/g, arch).replace(/\$\{os\}/g, os);
  const matcher = new FileMatcher(root, '/app', expand);
  for (const list of [cfg.files, platformSection.files]) {
    for (const p of arr(list ?? [], 'files')) if (typeof p === 'string' && p.startsWith('!')) matcher.addPattern(p);
  }
  matcher.prependPattern('**/*');
  const filter = matcher.createFilter();
  const fileStat = { isDirectory: () => false } as unknown as Stats;
  return (relative) => filter(path.join(root, relative), fileStat);
}

/** `[Group]` → key → value, for the comparison above (no locale keys in our files). */
function parseDesktopFile(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let group: Record<string, string> | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const g = /^\[(.+)\]$/.exec(line);
    if (g) {
      group = out[g[1]!] = {};
      continue;
    }
    const i = line.indexOf('=');
    if (!group || i < 0) throw new Error(`unexpected line ${JSON.stringify(line)}`);
    group[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

