import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expandInputs } from '../../../src-main/jobs/inputs';

let root: string;

async function touch(...rel: string[]): Promise<void> {
  for (const r of rel) {
    const p = path.join(root, r);
    await mkdir(path.dirname(p), { recursive: true });
    await writeFile(p, 'x');
  }
}

const rel = (files: string[]): string[] => files.map((f) => path.relative(root, f));

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'revive-inputs-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('expandInputs', () => {
  it('takes image files from a folder in name order and skips other files', async () => {
    await touch('album/b.PNG', 'album/a.jpg', 'album/notes.txt', 'album/c.webp', 'album/d.tiff', 'album/e.heic', 'album/f.avif');
    const r = await expandInputs(['album'], { recursive: false, cwd: root });
    expect(rel(r.files)).toEqual(['album/a.jpg', 'album/b.PNG', 'album/c.webp', 'album/d.tiff', 'album/e.heic', 'album/f.avif']);
    expect(r.problems).toEqual([]);
  });

  it('descends into subfolders only with recursive', async () => {
    await touch('album/a.jpg', 'album/2001/b.jpg', 'album/2001/summer/c.jpg');
    expect(rel((await expandInputs(['album'], { recursive: false, cwd: root })).files)).toEqual(['album/a.jpg']);
    expect(rel((await expandInputs(['album'], { recursive: true, cwd: root })).files)).toEqual([
      'album/2001/b.jpg',
      'album/2001/summer/c.jpg',
      'album/a.jpg',
    ]);
  });

  it('keeps a file named explicitly whatever its extension (it fails later with its own reason)', async () => {
    await touch('scan.bmp', 'readme.txt');
    const r = await expandInputs(['scan.bmp', 'readme.txt'], { recursive: false, cwd: root });
    expect(rel(r.files)).toEqual(['scan.bmp', 'readme.txt']);
  });

  it('keeps the argument order and lists each file once, by real path', async () => {
    await touch('album/a.jpg', 'album/b.jpg');
    await symlink(path.join(root, 'album/a.jpg'), path.join(root, 'link-to-a.jpg'));
    const r = await expandInputs(['album/b.jpg', 'album', 'album/a.jpg', 'link-to-a.jpg', './album/b.jpg'], {
      recursive: false,
      cwd: root,
    });
    expect(rel(r.files)).toEqual(['album/b.jpg', 'album/a.jpg']);
    expect(r.realPaths).toHaveLength(2);
  });

  it('skips hidden files, temp files of writes in progress and earlier results inside folders', async () => {
    await touch('album/a.jpg', 'album/.b.jpg', 'album/.revive-tmp-123-a_revive.jpg', 'album/a_revive.jpg', 'album/a_revive-2.jpg', 'album/.thumbs/c.jpg');
    const r = await expandInputs(['album'], { recursive: true, cwd: root, skipSuffix: '_revive' });
    expect(rel(r.files)).toEqual(['album/a.jpg']);
    // Named explicitly, an earlier result is still taken: the user asked for it.
    const explicit = await expandInputs(['album/a_revive.jpg'], { recursive: false, cwd: root, skipSuffix: '_revive' });
    expect(rel(explicit.files)).toEqual(['album/a_revive.jpg']);
  });

  it('does not mistake a name merely containing the suffix for a result', async () => {
    await touch('album/my_revive_party.jpg', 'album/_revive.jpg');
    const r = await expandInputs(['album'], { recursive: false, cwd: root, skipSuffix: '_revive' });
    expect(rel(r.files)).toEqual(['album/_revive.jpg', 'album/my_revive_party.jpg']);
  });

  it('reports a missing path as a per-item problem and goes on', async () => {
    await touch('a.jpg');
    const r = await expandInputs(['missing.jpg', 'a.jpg'], { recursive: false, cwd: root });
    expect(rel(r.files)).toEqual(['a.jpg']);
    expect(r.problems).toEqual([{ path: path.join(root, 'missing.jpg'), code: 'NOT_FOUND', reason: 'no such file or folder' }]);
  });

  it('reports arguments that cannot be paths', async () => {
    const r = await expandInputs(['', '%1'], { recursive: false, cwd: root });
    expect(r.files).toEqual([]);
    expect(r.problems.map((p) => p.code)).toEqual(['BAD_ARGUMENT', 'BAD_ARGUMENT']);
  });

  it('follows a symlinked folder once and survives a link loop', async () => {
    await touch('album/a.jpg');
    await symlink(path.join(root, 'album'), path.join(root, 'album', 'loop'));
    const r = await expandInputs(['album'], { recursive: true, cwd: root });
    expect(rel(r.files)).toEqual(['album/a.jpg']);
  });

  it('returns nothing (and no problem) for an empty folder', async () => {
    await mkdir(path.join(root, 'empty'));
    const r = await expandInputs(['empty'], { recursive: true, cwd: root });
    expect(r).toEqual({ files: [], problems: [], realPaths: [] });
  });
});

describe('special files', () => {
  it('a FIFO, a socket-like or device path named as a photo is a problem, not a file to open', async () => {
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [path.join(root, 'fifo.jpg')]);
    await touch('album/a.jpg');
    execFileSync('mkfifo', [path.join(root, 'album', 'b.jpg')]);
    const r = await expandInputs(['fifo.jpg', '/dev/null', 'album'], { recursive: false, cwd: root });
    expect(rel(r.files)).toEqual(['album/a.jpg']);
    expect(r.problems.map((p) => [path.basename(p.path), p.code, p.reason])).toEqual([
      ['fifo.jpg', 'UNREADABLE', 'a named pipe (FIFO), not a file'],
      ['null', 'UNREADABLE', 'a device, not a file'],
    ]);
  });
});
