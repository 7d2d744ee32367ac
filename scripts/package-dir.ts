/**
 * `npm run package:dir`: electron-builder's unpacked app for this platform (`release/<platform>-unpacked/`), from
 * what `npm run build` wrote to dist/ (run it first; `npm run setup` does).
 *
 * With the Electron binary installed (a release machine: `npm ci` without ELECTRON_SKIP_BINARY_DOWNLOAD) this is plain
 * `electron-builder --dir`: electron-builder fetches Electron's distribution and rebuilds the non-N-API native module
 * (better-sqlite3) for Electron's ABI (electron-builder.yml: npmRebuild).
 *
 * Without it (CI here: the binary cannot be downloaded) electron-builder gets a STAND-IN distribution assembled in
 * `.electron-stand-in/linux-<arch>/`, passed as `-c.electronDist`, with `-c.electronVersion` from the installed
 * electron package and `-c.npmRebuild=false` (a rebuild would download Electron's headers). The stand-in is what
 * electron-builder copies an Electron distribution from, minus Electron:
 *   electron    a shell script in place of the binary; it refuses to run and says why (exit 70)
 *   resources/  empty; electron-builder writes app.asar, app.asar.unpacked and the extraResources into it
 *   LICENSE     Electron's licence (from the electron package), which electron-builder keeps beside the executable
 *   version     the Electron version, as in Electron's own zip
 * The result has the real package's structure (asar, unpacked native modules, resources, launchers): what
 * test/package checks. It is not an app that starts — and its better-sqlite3 binary is built for Node's ABI, which is
 * what lets the package check run the packaged CLI and engine with plain Node. Linux only: elsewhere the stand-in
 * would need a real executable format for electron-builder to brand, so those platforms need the Electron binary.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const electronPkg = path.join(root, 'node_modules', 'electron');

/** The installed Electron version (the one a release machine would package). */
export function electronVersion(): string {
  return (JSON.parse(readFileSync(path.join(electronPkg, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Whether the electron package downloaded its binary (it records the binary's path in path.txt). */
export function hasElectronBinary(): boolean {
  const pathFile = path.join(electronPkg, 'path.txt');
  return existsSync(pathFile) && existsSync(path.join(electronPkg, 'dist', readFileSync(pathFile, 'utf8').trim()));
}

/** Assembles the stand-in distribution described above; returns its folder. */
export function assembleStandIn(arch: string = process.arch): string {
  const dir = path.join(root, '.electron-stand-in', `linux-${arch}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'resources'), { recursive: true });
  const version = electronVersion();
  writeFileSync(
    path.join(dir, 'electron'),
    `#!/bin/sh\necho "This is a stand-in for Electron ${version} made by Revive's scripts/package-dir.ts to check the package's structure; it is not Electron." >&2\nexit 70\n`,
  );
  chmodSync(path.join(dir, 'electron'), 0o755);
  copyFileSync(path.join(electronPkg, 'LICENSE'), path.join(dir, 'LICENSE'));
  writeFileSync(path.join(dir, 'version'), version);
  return dir;
}

/** electron-builder's arguments for an unpacked app of this platform, with the stand-in where needed. */
export function builderArgs(standIn: string | null): string[] {
  const platform = { linux: '--linux', darwin: '--mac', win32: '--win' }[process.platform as string];
  if (!platform) throw new Error(`no electron-builder target for ${process.platform}`);
  const args = ['electron-builder', platform, '--dir', '--publish', 'never'];
  if (standIn) args.push(`-c.electronDist=${standIn}`, `-c.electronVersion=${electronVersion()}`, '-c.npmRebuild=false');
  return args;
}

function main(): void {
  for (const f of ['dist/main/main.js', 'dist/engine/main.js', 'dist/cli/main.js', 'dist/preload/preload.cjs', 'dist/renderer/index.html']) {
    if (!existsSync(path.join(root, f))) throw new Error(`${f} is missing: run "npm run build" first`);
  }
  let standIn: string | null = null;
  if (!hasElectronBinary()) {
    if (process.platform !== 'linux') throw new Error('the Electron binary is not installed: run npm ci without ELECTRON_SKIP_BINARY_DOWNLOAD');
    standIn = assembleStandIn();
    console.log(`Electron's binary is not installed: packaging with the stand-in in ${path.relative(root, standIn)} (structure only)`);
  }
  const t0 = performance.now();
  const r = spawnSync('npx', builderArgs(standIn), { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`electron-builder failed (exit ${r.status})`);
  console.log(`packaged in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  try {
    main();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
