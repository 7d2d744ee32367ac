import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  desktopExecQuote,
  installLinuxActions,
  installedExecutable,
  linuxActionFiles,
  linuxActionPaths,
  linuxActionsStatus,
  removeLinuxActions,
  shellQuote,
} from '../../../src-main/app/shell-integration/linux';
import { requireTool, runTool } from '../../support/system-tools';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
let home: string;

beforeEach(() => {
  home = mkdtempSync(path.join(tmpdir(), 'revive-home-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** Every file under `dir` (not folders) with its mode and content, for before/after comparison. */
function snapshotFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = `${(statSync(p).mode & 0o777).toString(8)} ${readFileSync(p, 'utf8')}`;
    }
  };
  walk(dir);
  return out;
}

/** A stand-in for the Revive binary that writes its argv (one per line, bracketed) and cwd to `outFile`. */
function recorder(dir: string, outFile: string): string {
  mkdirSync(dir, { recursive: true });
  const bin = path.join(dir, 'revive');
  writeFileSync(bin, `#!/bin/sh\n{ pwd; for a in "$@"; do printf '[%s]\\n' "$a"; done; } > ${shellQuote(outFile)}\n`);
  chmodSync(bin, 0o755);
  return bin;
}

async function waitForFile(p: string): Promise<string> {
  for (let i = 0; i < 500 && !existsSync(p); i++) await new Promise((r) => setTimeout(r, 20));
  return readFileSync(p, 'utf8');
}

describe('Linux file-manager actions', () => {
  it('installs exactly the three action files, with the modes each file manager needs, and removes exactly them', async () => {
    // The user's own things in the same folders must survive both steps.
    const userScript = path.join(home, '.local/share/nautilus/scripts/Resize');
    mkdirSync(path.dirname(userScript), { recursive: true });
    writeFileSync(userScript, '#!/bin/sh\necho mine\n', { mode: 0o755 });
    writeFileSync(path.join(home, '.bashrc'), 'export X=1\n');
    const before = snapshotFiles(home);

    const ctx = { home, env: {}, executable: '/opt/Revive/revive' };
    const written = await installLinuxActions(ctx);
    const after = snapshotFiles(home);
    const added = Object.keys(after).filter((k) => !(k in before)).sort();
    expect(added).toEqual(
      [
        '.local/share/kio/servicemenus/revive-enhance.desktop',
        '.local/share/nautilus/scripts/Enhance with Revive',
        '.local/share/nemo/actions/revive-enhance.nemo_action',
      ].sort(),
    );
    expect(written.map((p) => path.relative(home, p)).sort()).toEqual(added);
    for (const k of Object.keys(before)) expect(after[k]).toBe(before[k]);
    expect(after['.local/share/nautilus/scripts/Enhance with Revive']!.startsWith('755 ')).toBe(true);
    expect(after['.local/share/kio/servicemenus/revive-enhance.desktop']!.startsWith('755 ')).toBe(true);
    expect(after['.local/share/nemo/actions/revive-enhance.nemo_action']!.startsWith('644 ')).toBe(true);
    expect(await linuxActionsStatus(ctx)).toEqual({ nautilus: true, dolphin: true, nemo: true });

    const { removed, keptForeign } = await removeLinuxActions(ctx);
    expect(removed.sort()).toEqual(written.sort());
    expect(keptForeign).toEqual([]);
    expect(snapshotFiles(home)).toEqual(before);
    expect(await linuxActionsStatus(ctx)).toEqual({ nautilus: false, dolphin: false, nemo: false });
  });

  it('follows XDG_DATA_HOME and installs only the chosen file managers', async () => {
    const data = path.join(home, 'xdg-data');
    const ctx = { home, env: { XDG_DATA_HOME: data }, executable: '/opt/Revive/revive' };
    const written = await installLinuxActions(ctx, ['dolphin']);
    expect(written).toEqual([path.join(data, 'kio/servicemenus/revive-enhance.desktop')]);
    expect(Object.keys(snapshotFiles(home))).toEqual(['xdg-data/kio/servicemenus/revive-enhance.desktop']);
  });

  it('ignores a relative XDG_DATA_HOME, as the XDG spec requires', () => {
    expect(linuxActionPaths({ home: '/home/ann', env: { XDG_DATA_HOME: 'rel' } }).nemo).toBe(
      '/home/ann/.local/share/nemo/actions/revive-enhance.nemo_action',
    );
  });

  it('never replaces or removes a same-named file that Revive did not write', async () => {
    const ctx = { home, env: {}, executable: '/opt/Revive/revive' };
    const foreign = linuxActionPaths(ctx).nemo;
    mkdirSync(path.dirname(foreign), { recursive: true });
    writeFileSync(foreign, '[Nemo Action]\nName=Someone else\n');
    await expect(installLinuxActions(ctx)).rejects.toThrow(`refusing to replace ${foreign}`);
    // Nothing was written by the refused install.
    expect(Object.keys(snapshotFiles(home))).toEqual(['.local/share/nemo/actions/revive-enhance.nemo_action']);
    await installLinuxActions(ctx, ['nautilus']);
    const r = await removeLinuxActions(ctx);
    expect(r.keptForeign).toEqual([foreign]);
    expect(readFileSync(foreign, 'utf8')).toContain('Someone else');
  });

  it('replaces its own earlier action (the AppImage moved)', async () => {
    await installLinuxActions({ home, env: {}, executable: '/old/Revive.AppImage' });
    await installLinuxActions({ home, env: {}, executable: '/new/Revive.AppImage' });
    const script = readFileSync(linuxActionPaths({ home, env: {} }).nautilus, 'utf8');
    expect(script).toContain("'/new/Revive.AppImage'");
    expect(script).not.toContain('/old/');
  });

  it('rejects a relative executable or one a launcher line cannot carry, naming it', () => {
    expect(() => linuxActionFiles({ home, env: {}, executable: 'revive' })).toThrow(/absolute path, got "revive"/);
    expect(() => linuxActionFiles({ home, env: {}, executable: '/a/100%/revive' })).toThrow(/"\/a\/100%\/revive"/);
  });

  it('points the actions at the AppImage, not its temporary mount', () => {
    expect(installedExecutable('/tmp/.mount_ReviveX/revive', { APPIMAGE: '/home/ann/Apps/Revive.AppImage' })).toBe(
      '/home/ann/Apps/Revive.AppImage',
    );
    expect(installedExecutable('/opt/Revive/revive', {})).toBe('/opt/Revive/revive');
  });
});

describe('the actions run the binary with --enhance and the selected files', () => {
  // A binary path with every character the quoting has to survive.
  const awkwardDir = (root: string) => path.join(root, `Apps "x" $HOME 'q' \\b`);

  it('Nautilus script: passes the selected names after --, from the current folder', async () => {
    const out = path.join(home, 'out.txt');
    const bin = recorder(awkwardDir(home), out);
    const [file] = linuxActionFiles({ home, env: {}, executable: bin }, ['nautilus']);
    const script = path.join(home, 'script');
    writeFileSync(script, file!.content, { mode: 0o755 });
    const folder = path.join(home, 'Pictures');
    mkdirSync(folder);
    const r = runTool(script, ['-dark.jpg', 'a b.jpg'], { cwd: folder });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(`${folder}\n[--enhance]\n[--]\n[-dark.jpg]\n[a b.jpg]\n`);
  });

  it('Dolphin service menu: GLib launches its Exec line with the files as separate arguments', async () => {
    requireTool('gio', 'libglib2.0-bin');
    const out = path.join(home, 'out.txt');
    const bin = recorder(awkwardDir(home), out);
    const [file] = linuxActionFiles({ home, env: {}, executable: bin }, ['dolphin']);
    const desktop = path.join(home, 'revive-enhance.desktop');
    writeFileSync(desktop, file!.content);
    const r = runTool('gio', ['launch', desktop, '/p/a b.jpg', "/p/c'd.png"]);
    expect(r.status, r.stderr).toBe(0);
    const lines = (await waitForFile(out)).split('\n');
    expect(lines.slice(1)).toEqual(['[--enhance]', '[/p/a b.jpg]', "[/p/c'd.png]", '']);
  });

  it('Nemo action: the Exec line, as Nemo expands and shell-parses it, reaches the binary intact', () => {
    const out = path.join(home, 'out.txt');
    const bin = recorder(awkwardDir(home), out);
    const [file] = linuxActionFiles({ home, env: {}, executable: bin }, ['nemo']);
    const execLine = /^Exec=(.*)$/m.exec(file!.content)![1]!.replace(/\\\\/g, '\\'); // GKeyFile unescape
    // Nemo's default %F expansion backslash-escapes shell characters in each path.
    const expanded = execLine.replace('%F', ['/p/a b.jpg', "/p/c'd.png"].map((p) => p.replace(/([^\w/.-])/g, '\\$1')).join(' '));
    const r = runTool('sh', ['-c', expanded]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n').slice(1)).toEqual(['[--enhance]', '[/p/a b.jpg]', "[/p/c'd.png]", '']);
  });
});

describe('desktop-file-validate', () => {
  it('accepts the Dolphin service menu, even for an awkward install path', () => {
    requireTool('desktop-file-validate', 'desktop-file-utils');
    for (const executable of ['/opt/Revive/revive', `/home/ann/My Apps/"R" $1 \\x/Revive.AppImage`]) {
      const [file] = linuxActionFiles({ home, env: {}, executable }, ['dolphin']);
      const p = path.join(home, 'revive-enhance.desktop');
      writeFileSync(p, file!.content);
      const r = runTool('desktop-file-validate', [p]);
      expect(r.stdout + r.stderr, executable).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it('accepts resources/linux/revive.desktop', () => {
    requireTool('desktop-file-validate', 'desktop-file-utils');
    const r = runTool('desktop-file-validate', [path.join(repoRoot, 'resources/linux/revive.desktop')]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('rejects a broken entry (the check can fail)', () => {
    requireTool('desktop-file-validate', 'desktop-file-utils');
    const p = path.join(home, 'bad.desktop');
    writeFileSync(p, '[Desktop Entry]\nType=Service\nMimeType=image/png;\nActions=x;\n');
    expect(runTool('desktop-file-validate', [p]).status).not.toBe(0);
  });

  it('gives resources/linux/revive.desktop the image types and an Enhance action with --enhance %F', () => {
    const text = readFileSync(path.join(repoRoot, 'resources/linux/revive.desktop'), 'utf8');
    expect(text).toMatch(/^MimeType=image\/jpeg;image\/png;image\/webp;image\/tiff;image\/avif;$/m);
    expect(text).toMatch(/^Actions=Enhance;$/m);
    const action = text.slice(text.indexOf('[Desktop Action Enhance]'));
    expect(action).toMatch(/^Exec=revive --enhance %F$/m);
    expect(action).toMatch(/^Name=Enhance with Revive$/m);
  });
});

describe('quoting helpers', () => {
  it('desktopExecQuote leaves plain paths bare and doubles backslashes after quoting', () => {
    expect(desktopExecQuote('/opt/Revive/revive')).toBe('/opt/Revive/revive');
    expect(desktopExecQuote('/a b/c')).toBe('"/a b/c"');
    expect(desktopExecQuote('/a"b')).toBe('"/a\\\\"b"');
    expect(desktopExecQuote('/a\\b')).toBe('"/a\\\\\\\\b"');
  });

  it("shellQuote writes ' as '\\''", () => {
    expect(shellQuote("/it's")).toBe("'/it'\\''s'");
  });
});
