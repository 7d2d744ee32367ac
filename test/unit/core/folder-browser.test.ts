/** The serve-mode folder picker lists folders below the output roots only. */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listFolders } from '../../../src-main/core/folder-browser';

describe('listFolders', () => {
  let tmp: string;
  let root: string;
  let outside: string;
  let data: string;
  beforeEach(() => {
    tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'revive-folders-')));
    root = path.join(tmp, 'home');
    outside = path.join(tmp, 'etc');
    data = path.join(root, 'revive-data');
    for (const d of [root, outside, data, path.join(root, 'Pictures', '2024'), path.join(root, 'Documents'), path.join(root, '.cache')]) mkdirSync(d, { recursive: true });
    writeFileSync(path.join(root, 'notes.txt'), 'x');
    symlinkSync(outside, path.join(root, 'escape'));
    symlinkSync(path.join(root, 'Pictures'), path.join(root, 'pics'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('lists the roots when no folder is named', async () => {
    await expect(listFolders(undefined, [root], data)).resolves.toEqual({ dir: null, parent: null, folders: [{ name: root, path: root }] });
  });

  it('lists sub-folders only: no files, no hidden folders, not the data folder, no link leading outside', async () => {
    const r = await listFolders(root, [root], data);
    expect(r.dir).toBe(root);
    expect(r.parent).toBeNull(); // up from a root is the list of roots
    expect(r.folders.map((f) => f.name)).toEqual(['Documents', 'pics', 'Pictures']);
    const sub = await listFolders(path.join(root, 'Pictures'), [root], data);
    expect(sub).toEqual({ dir: path.join(root, 'Pictures'), parent: root, folders: [{ name: '2024', path: path.join(root, 'Pictures', '2024') }] });
  });

  it('refuses folders outside the roots, through a link, with "..", inside the data folder, or relative', async () => {
    await expect(listFolders(outside, [root], data)).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await expect(listFolders(path.join(root, 'escape'), [root], data)).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await expect(listFolders(`${root}/../etc`, [root], data)).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await expect(listFolders(data, [root], data)).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await expect(listFolders('home', [root], data)).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await expect(listFolders(path.join(root, 'gone'), [root], data)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
