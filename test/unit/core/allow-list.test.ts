import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AllowList } from '../../../src-main/core/allow-list';
import { resolveAllowedFile } from '../../../src-main/core/allowed-file';
import { tempFolders } from '../../support/temp-folders';

const tmp = tempFolders();

describe('AllowList (pure)', () => {
  it('allows exactly the added files and what lies below allowed folders', () => {
    const a = new AllowList({ platform: 'linux' });
    a.allowFile('/photos/mum.jpg');
    a.allowDir('/data/thumbnails');
    expect(a.isAllowed('/photos/mum.jpg')).toBe(true);
    expect(a.isAllowed('/photos/dad.jpg')).toBe(false);
    expect(a.isAllowed('/photos')).toBe(false);
    expect(a.isAllowed('/data/thumbnails/1-after.webp')).toBe(true);
    expect(a.isAllowed('/data/thumbnails-evil/x.webp')).toBe(false); // a prefix is not a parent
    expect(a.isAllowed('/data/thumbnails')).toBe(false); // the folder itself is not a file to serve
  });

  it('refuses relative, NUL, "." and ".." spellings instead of normalising them', () => {
    const a = new AllowList({ platform: 'linux' });
    a.allowDir('/data/uploads');
    for (const p of ['/data/uploads/../secret.txt', '/data/uploads/./a.jpg', 'data/uploads/a.jpg', '/data/uploads/a\0.jpg', '', '/data/uploads/x/../../etc/passwd']) {
      expect(a.isAllowed(p)).toBe(false);
    }
    expect(() => a.allowFile('relative.jpg')).toThrow('must be absolute');
  });

  it('compares case-insensitively on Windows and macOS only', () => {
    const win = new AllowList({ platform: 'win32' });
    win.allowFile('C:\\Photos\\Mum.JPG');
    expect(win.isAllowed('c:\\photos\\mum.jpg')).toBe(true);
    expect(win.isAllowed('C:\\Photos\\..\\Windows\\system.ini')).toBe(false);
    const linux = new AllowList({ platform: 'linux' });
    linux.allowFile('/Photos/Mum.JPG');
    expect(linux.isAllowed('/photos/mum.jpg')).toBe(false);
  });

  it('is case-insensitive on macOS too, and reads Windows paths only on Windows', () => {
    const mac = new AllowList({ platform: 'darwin' });
    mac.allowFile('/Users/ann/Mum.JPG');
    expect(mac.isAllowed('/users/ann/mum.jpg')).toBe(true);
    // On Linux a backslash is part of a file name, not a separator.
    const linux = new AllowList({ platform: 'linux' });
    linux.allowFile('/photos/a\\b.jpg');
    expect(linux.isAllowed('/photos/a/b.jpg')).toBe(false);
    expect(linux.isAllowed('/photos/a\\b.jpg')).toBe(true);
  });

  it('names what is wrong with a path it is asked to add', () => {
    const a = new AllowList({ platform: 'linux' });
    expect(() => a.allowFile('')).toThrow('allow-list path must be a non-empty string');
    expect(() => a.allowFile(42 as unknown as string)).toThrow('allow-list path must be a non-empty string');
    expect(() => a.allowFile('/a\0b.jpg')).toThrow('allow-list path contains a NUL byte: "/a\\u0000b.jpg"');
    expect(() => a.allowDir('/data/../etc')).toThrow('allow-list path must not contain "." or "..": "/data/../etc"');
    expect(() => a.allowDir('data')).toThrow('allow-list path must be absolute, got "data"');
  });

  it('answers "no" for malformed paths on every query, without throwing', () => {
    const a = new AllowList({ platform: 'linux' });
    a.allowDir('/up/c1');
    a.denyDir('/data');
    for (const bad of ['relative/x.jpg', '', '/up/c1/../x.jpg']) {
      expect(a.isDenied(bad)).toBe(false);
      expect(a.isAllowed(bad)).toBe(false);
      a.forgetDir(bad);
      a.forgetFile(bad);
    }
    expect(a.size).toBe(1);
  });

  it('forgets a folder with everything below it, spelled with or without a trailing separator, and nothing else', () => {
    const a = new AllowList({ platform: 'linux' });
    a.allowDir('/up/c1');
    a.allowDir('/up/c1/sub');
    a.allowDir('/up/c10');
    a.allowFile('/up/c1/a.jpg');
    a.allowFile('/up/c10/b.jpg');
    a.allowFile('/photos/p.jpg');
    expect(a.size).toBe(6);
    a.forgetDir('/up/c1/');
    expect(a.isAllowed('/up/c1/x.jpg')).toBe(false);
    expect(a.isAllowed('/up/c1/a.jpg')).toBe(false);
    expect(a.isAllowed('/up/c1/sub/x.jpg')).toBe(false);
    expect(a.isAllowed('/up/c10/b.jpg')).toBe(true);
    expect(a.isAllowed('/up/c10/y.jpg')).toBe(true);
    expect(a.size).toBe(3);
  });

  it('forgets a Windows folder spelled with a trailing backslash', () => {
    const a = new AllowList({ platform: 'win32' });
    a.allowDir('C:\\Up\\c1');
    a.allowDir('C:\\Up\\c10');
    a.forgetDir('c:\\up\\C1\\');
    expect(a.isAllowed('C:\\Up\\c1\\x.jpg')).toBe(false);
    expect(a.isAllowed('C:\\Up\\c10\\x.jpg')).toBe(true);
  });

  it('forgets a file that was withdrawn', () => {
    const a = new AllowList({ platform: 'linux' });
    a.allowFile('/o/x.jpg');
    a.forgetFile('/o/x.jpg');
    expect(a.isAllowed('/o/x.jpg')).toBe(false);
  });
});

describe('resolveAllowedFile', () => {
  it('refuses a symlink inside an allowed folder that points outside it', async () => {
    const dir = tmp('revive-allow-');
    mkdirSync(path.join(dir, 'uploads'));
    writeFileSync(path.join(dir, 'secret.txt'), 'secret');
    writeFileSync(path.join(dir, 'uploads', 'ok.jpg'), 'ok');
    symlinkSync(path.join(dir, 'secret.txt'), path.join(dir, 'uploads', 'link.jpg'));
    const a = new AllowList();
    a.allowDir(path.join(dir, 'uploads'));
    await expect(resolveAllowedFile(a, path.join(dir, 'uploads', 'ok.jpg'))).resolves.toBe(path.join(dir, 'uploads', 'ok.jpg'));
    await expect(resolveAllowedFile(a, path.join(dir, 'uploads', 'link.jpg'))).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await expect(resolveAllowedFile(a, path.join(dir, 'secret.txt'))).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await expect(resolveAllowedFile(a, path.join(dir, 'uploads', 'gone.jpg'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('denied folders (the data folder)', () => {
  it('refuse everything below them except their exceptions, whatever was allowed, and name the denial', () => {
    const a = new AllowList({ platform: 'linux' });
    a.allowDir('/data/thumbnails');
    a.allowFile('/data/revive.db');
    a.allowFile('/photos/a.jpg');
    a.denyDir('/data', ['/data/thumbnails', '/data/uploads']);
    expect(a.isAllowed('/data/revive.db')).toBe(false);
    expect(a.isDenied('/data/revive.db')).toBe(true);
    expect(a.isDenied('/data/models/x/model.onnx')).toBe(true);
    expect(a.isDenied('/data/uploads/c1/up.jpg')).toBe(false);
    expect(a.isAllowed('/data/thumbnails/t.jpg')).toBe(true);
    expect(a.isAllowed('/photos/a.jpg')).toBe(true);
    expect(a.isDenied('/database/x.jpg')).toBe(false);
  });

  it('forgetDir withdraws the files and folders below a folder', () => {
    const a = new AllowList({ platform: 'linux' });
    a.allowFile('/up/c1/a.jpg');
    a.allowFile('/up/c2/b.jpg');
    a.allowDir('/up/c1/sub');
    a.forgetDir('/up/c1');
    expect(a.isAllowed('/up/c1/a.jpg')).toBe(false);
    expect(a.isAllowed('/up/c1/sub/x.jpg')).toBe(false);
    expect(a.isAllowed('/up/c2/b.jpg')).toBe(true);
  });
});
