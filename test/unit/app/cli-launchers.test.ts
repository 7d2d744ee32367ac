/**
 * The `revive` command that comes with the installed app: the Linux and macOS launchers (resources/{linux,macos}/revive)
 * run against a fake installed app whose "Electron" is plain Node (so it truly runs the CLI script it is given) and
 * records how it was called; the deb's install and removal scripts (resources/linux/after-*.tpl) filled in the way
 * electron-builder fills them and run against a temporary installation root (DPKG_ROOT); the Windows launcher read.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const res = (p: string): string => path.join(repoRoot, 'resources', p);
const config = yaml.load(readFileSync(path.join(repoRoot, 'electron-builder.yml'), 'utf8')) as {
  productName: string;
  linux: { executableName: string; extraResources: { from: string; to: string }[] };
  mac: { extraResources: { from: string; to: string }[] };
  win: { extraResources: { from: string; to: string }[] };
  deb: { afterInstall: string; afterRemove: string };
};

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'revive-launcher-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * A stand-in for the app's Electron: records ELECTRON_RUN_AS_NODE and its arguments to `log`, then behaves as Electron
 * does with ELECTRON_RUN_AS_NODE=1 — runs Node on its arguments.
 */
function fakeElectron(file: string, log: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    `#!/bin/sh\n{ echo "run-as-node=$ELECTRON_RUN_AS_NODE"; for a in "$@"; do printf '[%s]\\n' "$a"; done; } > '${log}'\n` +
      `[ "$ELECTRON_RUN_AS_NODE" = 1 ] && exec '${process.execPath}' "$@"\nexit 0\n`,
  );
  chmodSync(file, 0o755);
}

/** A stand-in for the bundled CLI inside app.asar: prints its arguments as JSON. */
function fakeCli(resources: string): string {
  const cli = path.join(resources, 'app.asar', 'dist', 'cli', 'main.js');
  mkdirSync(path.dirname(cli), { recursive: true });
  writeFileSync(cli, 'process.stdout.write(JSON.stringify(process.argv.slice(2)));\n');
  return cli;
}

/** Where electron-builder puts an extra resource, by its config entry. */
function packagedAt(entries: { from: string; to: string }[], from: string): string {
  const e = entries.find((x) => x.from === from);
  if (!e) throw new Error(`electron-builder.yml packs no ${from}`);
  return e.to;
}

/** electron-builder's template pass for the deb scripts: `${name}` → value, and an unknown name is an error. */
function fillTemplate(file: string, values: Record<string, string>): string {
  return readFileSync(file, 'utf8').replace(/\$\{([a-zA-Z]+)\}/g, (_m, name: string) => {
    if (!(name in values)) throw new Error(`Macro ${name} is not defined`);
    return values[name]!;
  });
}

const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } });

describe('Linux: the deb installs /usr/bin/revive, the launcher', () => {
  const names = { executable: config.linux.executableName, sanitizedProductName: config.productName, productFilename: config.productName };

  /** A fake installed app under <tmp>/root/opt/Revive, as the deb lays it out. */
  function installApp(): { rootDir: string; log: string; cli: string } {
    const rootDir = path.join(tmp, 'root');
    const app = path.join(rootDir, 'opt', config.productName);
    const log = path.join(tmp, 'electron.log');
    fakeElectron(path.join(app, config.linux.executableName), log);
    const launcher = path.join(app, 'resources', packagedAt(config.linux.extraResources, 'resources/linux/revive'));
    mkdirSync(path.dirname(launcher), { recursive: true });
    copyFileSync(res('linux/revive'), launcher);
    chmodSync(launcher, 0o755);
    return { rootDir, log, cli: fakeCli(path.join(app, 'resources')) };
  }

  function script(which: 'afterInstall' | 'afterRemove'): string {
    const file = path.join(tmp, `${which}.sh`);
    writeFileSync(file, fillTemplate(path.join(repoRoot, config.deb[which]), names));
    return file;
  }

  it('the scripts use only the names electron-builder fills in, and parse', () => {
    for (const which of ['afterInstall', 'afterRemove'] as const) {
      const f = script(which);
      expect(readFileSync(f, 'utf8')).not.toContain('${');
      expect(run('bash', ['-n', f]).status, which).toBe(0);
    }
    expect(run('sh', ['-n', res('linux/revive')]).status).toBe(0);
    expect(() => fillTemplate(res('linux/after-install.tpl'), { executable: 'revive' })).toThrow(/sanitizedProductName/);
  });

  it('after install, `revive ARGS` runs the CLI in the app archive with the app as Node; --enhance goes to the app', () => {
    const { rootDir, log, cli } = installApp();
    const r = run('bash', [script('afterInstall')], { DPKG_ROOT: rootDir });
    expect(r.status, r.stderr).toBe(0);
    const link = path.join(rootDir, 'usr', 'bin', 'revive');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('../../opt/Revive/resources/bin/revive');

    const cmd = run(link, ['enhance', 'a photo.jpg', '-o', 'out dir']);
    expect(cmd.status, cmd.stderr).toBe(0);
    expect(JSON.parse(cmd.stdout)).toEqual(['enhance', 'a photo.jpg', '-o', 'out dir']);
    expect(readFileSync(log, 'utf8')).toBe(`run-as-node=1\n[${cli}]\n[enhance]\n[a photo.jpg]\n[-o]\n[out dir]\n`);

    const gui = run(link, ['--enhance', '/photos/x.jpg']);
    expect(gui.status, gui.stderr).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('run-as-node=\n[--enhance]\n[/photos/x.jpg]\n');
  });

  it('after removal the link is gone; a /usr/bin/revive that is not ours stays', () => {
    const { rootDir } = installApp();
    expect(run('bash', [script('afterInstall')], { DPKG_ROOT: rootDir }).status).toBe(0);
    const link = path.join(rootDir, 'usr', 'bin', 'revive');
    expect(run('bash', [script('afterRemove')], { DPKG_ROOT: rootDir }).status).toBe(0);
    expect(existsSync(path.dirname(link))).toBe(true);
    expect(() => lstatSync(link)).toThrow();

    writeFileSync(link, '#!/bin/sh\necho someone else\n');
    expect(run('bash', [script('afterRemove')], { DPKG_ROOT: rootDir }).status).toBe(0);
    expect(readFileSync(link, 'utf8')).toContain('someone else');
  });
});

describe('macOS: the launcher /usr/local/bin/revive links to', () => {
  it('follows (chains of relative and absolute) links to itself and runs the CLI with the app as Node', () => {
    const contents = path.join(tmp, 'Applications', 'Revive.app', 'Contents');
    const log = path.join(tmp, 'electron.log');
    fakeElectron(path.join(contents, 'MacOS', 'Revive'), log);
    const launcher = path.join(contents, 'Resources', packagedAt(config.mac.extraResources, 'resources/macos/revive'));
    mkdirSync(path.dirname(launcher), { recursive: true });
    copyFileSync(res('macos/revive'), launcher);
    chmodSync(launcher, 0o755);
    const cli = fakeCli(path.join(contents, 'Resources'));
    expect(run('sh', ['-n', launcher]).status).toBe(0);

    const bin = path.join(tmp, 'usr', 'local', 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(launcher, path.join(bin, 'revive'));
    symlinkSync('revive', path.join(bin, 'revive-again'));
    for (const name of ['revive', 'revive-again']) {
      const r = run(path.join(bin, name), ['models', '--json']);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(['models', '--json']);
      expect(readFileSync(log, 'utf8')).toBe(`run-as-node=1\n[${cli}]\n[models]\n[--json]\n`);
    }
  });
});

describe('Windows: revive.cmd', () => {
  it('runs the app executable as Node on the CLI in the archive, from <install dir>\\resources\\bin', () => {
    expect(packagedAt(config.win.extraResources, 'resources/windows/revive.cmd')).toBe('bin/revive.cmd');
    const text = readFileSync(res('windows/revive.cmd'), 'utf8');
    // cmd.exe reads batch files line by line with CRLF endings.
    expect(text.split('\r\n').slice(0, -1).every((l) => !l.includes('\n'))).toBe(true);
    expect(text).toContain('set "ELECTRON_RUN_AS_NODE=1"');
    expect(text).toContain(`"%~dp0..\\..\\${config.productName}.exe" "%~dp0..\\app.asar\\dist\\cli\\main.js" %*`);
    expect(text).toContain('exit /b %ERRORLEVEL%');
  });
});
