import { describe, expect, it } from 'vitest';
import { parseAppArgv } from '../../../src-main/app/argv';
import { resolveShellPath, resolveShellPaths } from '../../../src-main/jobs/shell-paths';

const WIN_EXE = 'C:\\Users\\Ann\\AppData\\Local\\Programs\\Revive\\Revive.exe';
const win = { cwd: 'C:\\Users\\Ann', platform: 'win32' as const, launcherArgs: 1 as const };
const linux = { cwd: '/home/ann/Pictures', platform: 'linux' as const, launcherArgs: 1 as const };
const mac = { cwd: '/Users/ann', platform: 'darwin' as const, launcherArgs: 1 as const };

describe('parseAppArgv', () => {
  it('reads --enhance with one Explorer-quoted path containing spaces', () => {
    const cmd = parseAppArgv([WIN_EXE, '--enhance', 'C:\\My Photos\\Grandma 1952.jpg'], win);
    expect(cmd).toEqual({ enhance: ['C:\\My Photos\\Grandma 1952.jpg'], open: [], switches: {}, rejected: [] });
  });

  it('ignores the switches Chromium adds to a second instance and keeps them out of the file list', () => {
    const argv = [
      WIN_EXE,
      '--enhance',
      '--allow-file-access-from-files',
      '--original-process-start-time=13372512345678901',
      '--enable-features=WebRtcHideLocalIpsWithMdns',
      'C:\\scans\\a.png',
    ];
    const cmd = parseAppArgv(argv, win);
    expect(cmd.enhance).toEqual(['C:\\scans\\a.png']);
    expect(cmd.switches).toEqual({
      'allow-file-access-from-files': true,
      'original-process-start-time': '13372512345678901',
      'enable-features': 'WebRtcHideLocalIpsWithMdns',
    });
  });

  it('treats --enhance as a mode wherever Chromium moved it (switches before positionals)', () => {
    // `Revive a.jpg --enhance b.jpg` rebuilt by Chromium: every switch first.
    const reordered = parseAppArgv(['/opt/Revive/revive', '--enhance', '--no-sandbox', 'a.jpg', 'b.jpg'], linux);
    const original = parseAppArgv(['/opt/Revive/revive', 'a.jpg', '--enhance', 'b.jpg'], linux);
    const expected = ['/home/ann/Pictures/a.jpg', '/home/ann/Pictures/b.jpg'];
    expect(reordered.enhance).toEqual(expected);
    expect(original.enhance).toEqual(expected);
  });

  it('drops the Electron executable and the app folder when the app runs unpackaged', () => {
    const argv = ['/repo/node_modules/electron/dist/electron', '--allow-file-access-from-files', '.', '--enhance', 'x.jpg'];
    const cmd = parseAppArgv(argv, { ...linux, cwd: '/repo', launcherArgs: 2 });
    expect(cmd.enhance).toEqual(['/repo/x.jpg']);
    expect(cmd.open).toEqual([]);
  });

  it('keeps the app folder as a file when told the app is packaged (the count matters)', () => {
    const cmd = parseAppArgv(['/usr/bin/electron', '.', '--enhance', 'x.jpg'], { ...linux, cwd: '/repo' });
    expect(cmd.enhance).toEqual(['/repo', '/repo/x.jpg']);
  });

  it('accepts many files and folders in order, each once', () => {
    const files = Array.from({ length: 200 }, (_, i) => `/data/scan-${i}.tif`);
    const cmd = parseAppArgv(['/opt/Revive/revive', '--enhance', ...files, '/data/album/', files[3]!, '/data/album'], linux);
    expect(cmd.enhance).toEqual([...files, '/data/album']);
  });

  it('puts files given without --enhance under open (an "Open with" association)', () => {
    const cmd = parseAppArgv([WIN_EXE, 'D:\\x.webp'], win);
    expect(cmd).toEqual({ enhance: [], open: ['D:\\x.webp'], switches: {}, rejected: [] });
  });

  it('accepts --enhance=<file>, the form Chromium keeps a switch value in', () => {
    const cmd = parseAppArgv([WIN_EXE, '--enhance=C:\\a b\\c.jpg', 'd.jpg'], win);
    expect(cmd.enhance).toEqual(['C:\\a b\\c.jpg', 'C:\\Users\\Ann\\d.jpg']);
  });

  it('matches switches case-insensitively (Chromium lower-cases them on Windows)', () => {
    expect(parseAppArgv([WIN_EXE, '--ENHANCE', 'a.jpg'], win).enhance).toEqual(['C:\\Users\\Ann\\a.jpg']);
  });

  it('reads names after -- as files even when they look like switches', () => {
    const cmd = parseAppArgv(['/opt/Revive/revive', '--enhance', '--', '-dark.jpg', '--enhance'], linux);
    expect(cmd.enhance).toEqual(['/home/ann/Pictures/-dark.jpg', '/home/ann/Pictures/--enhance']);
    expect(cmd.switches).toEqual({});
  });

  it('ignores the macOS process serial number switch Finder used to add', () => {
    const cmd = parseAppArgv(['/Applications/Revive.app/Contents/MacOS/Revive', '-psn_0_1234567'], mac);
    expect(cmd.open).toEqual([]);
    expect(cmd.switches).toEqual({ psn_0_1234567: true });
  });

  it('reports an unexpanded %1 instead of treating it as a file', () => {
    const cmd = parseAppArgv([WIN_EXE, '--enhance', '%1', '"%1"', 'C:\\ok.jpg'], win);
    expect(cmd.enhance).toEqual(['C:\\ok.jpg']);
    expect(cmd.rejected.map((r) => r.arg)).toEqual(['%1', '"%1"']);
    expect(cmd.rejected[0]!.reason).toMatch(/unexpanded shell placeholder %1/);
  });

  it('rejects an argv without the executable', () => {
    expect(() => parseAppArgv([], win)).toThrow(/argv is empty/);
  });
});

describe('resolveShellPath', () => {
  it('repairs the `"D:\\"` → `D:"` artefact of CommandLineToArgvW', () => {
    expect(resolveShellPath('D:"', win)).toEqual({ path: 'D:\\' });
    expect(resolveShellPath('C:\\Scans\\Box 3"', win)).toEqual({ path: 'C:\\Scans\\Box 3' });
  });

  it('strips one pair of literal quotes left by a double-quoted verb', () => {
    expect(resolveShellPath('"C:\\My Photos\\a.jpg"', win)).toEqual({ path: 'C:\\My Photos\\a.jpg' });
    expect(resolveShellPath('"/home/ann/a b.jpg"', linux)).toEqual({ path: '/home/ann/a b.jpg' });
  });

  it('keeps a trailing quote on POSIX, where it can be part of a name', () => {
    expect(resolveShellPath('odd"', linux)).toEqual({ path: '/home/ann/Pictures/odd"' });
  });

  it('converts file:// URIs (desktop %U) with percent-decoding, per platform', () => {
    expect(resolveShellPath('file:///home/ann/My%20Photos/a.jpg', linux)).toEqual({ path: '/home/ann/My Photos/a.jpg' });
    expect(resolveShellPath('file:///C:/My%20Photos/a.jpg', win)).toEqual({ path: 'C:\\My Photos\\a.jpg' });
    expect(resolveShellPath('file://nas/share/a.jpg', win)).toEqual({ path: '\\\\nas\\share\\a.jpg' });
  });

  it('rejects non-local file URLs with the reason', () => {
    const r = resolveShellPath('file://server/a.jpg', linux);
    expect(r).toHaveProperty('reason');
    expect((r as { reason: string }).reason).toMatch(/not a local file URL/);
  });

  it('resolves relative names against the given cwd (Nautilus passes bare names)', () => {
    expect(resolveShellPath('../x/a.jpg', linux)).toEqual({ path: '/home/ann/x/a.jpg' });
    expect(resolveShellPath('sub\\a.jpg', win)).toEqual({ path: 'C:\\Users\\Ann\\sub\\a.jpg' });
  });

  it('keeps UNC paths and normalises forward slashes on Windows', () => {
    expect(resolveShellPath('\\\\nas\\photos\\a.jpg', win)).toEqual({ path: '\\\\nas\\photos\\a.jpg' });
    expect(resolveShellPath('C:/Photos/a.jpg', win)).toEqual({ path: 'C:\\Photos\\a.jpg' });
  });

  it('rejects empty, NUL-containing and stdin arguments', () => {
    for (const bad of ['', '   ', '""', 'a\0b', '-']) {
      expect(resolveShellPath(bad, linux), JSON.stringify(bad)).toHaveProperty('reason');
    }
  });

  it('refuses a relative cwd, naming it', () => {
    expect(() => resolveShellPath('a.jpg', { cwd: 'rel', platform: 'linux' })).toThrow(/"rel"/);
  });
});

describe('resolveShellPaths', () => {
  it('dedupes case-insensitively on Windows but not on Linux', () => {
    expect(resolveShellPaths(['C:\\A.jpg', 'c:\\a.JPG'], win).paths).toEqual(['C:\\A.jpg']);
    expect(resolveShellPaths(['/A.jpg', '/a.jpg'], linux).paths).toEqual(['/A.jpg', '/a.jpg']);
  });
});
