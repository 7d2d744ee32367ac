/**
 * Issue 12, F15: the ICC profile file sharp needs while writing a tagged result is staged beside the output's temp
 * file (removed with it by a killed writer's clean-up and by start-up recovery), never in the system temp folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { atomicLeftovers, atomicTempPath } from '../../../src-main/imaging/atomic';
import { writeImage } from '../../../src-main/imaging/write';
import { ADOBE_RGB_ICC, readTags, writeMetadataPhoto } from '../../fixtures/metadata-photos';

const root = await mkdtemp(path.join(os.tmpdir(), 'revive-icc-test-'));
afterAll(async () => rm(root, { recursive: true, force: true }));

describe('writing a result with an ICC profile', () => {
  it('never uses the system temp folder (here one that does not exist) and leaves nothing beside the output', async () => {
    // A temp folder that does not exist: any file staged there would fail the write.
    const tmp = path.join(root, 'no-such-tmp');
    const out = path.join(root, 'out');
    await mkdir(out);
    const saved = process.env['TMPDIR'];
    process.env['TMPDIR'] = tmp;
    try {
      const rgb = new Uint8Array(8 * 6 * 3).fill(120);
      await writeImage(path.join(out, 'a.png'), { data: rgb, width: 8, height: 6, channels: 3 }, null, {
        format: 'png',
        iccProfile: readFileSync(ADOBE_RGB_ICC),
        tempTag: 'job1',
      });
    } finally {
      process.env['TMPDIR'] = saved;
    }
    expect(os.tmpdir()).not.toBe(tmp);
    expect(existsSync(tmp)).toBe(false);
    expect(await readdir(out)).toEqual(['a.png']);
  });

  it('stages the EXIF thumbnail of a JPEG result beside the output too, never in the system temp folder', async () => {
    const out = path.join(root, 'out-jpg');
    await mkdir(out);
    const source = await writeMetadataPhoto(root, 'source.jpg');
    const tmp = path.join(root, 'no-such-tmp-2');
    const saved = process.env['TMPDIR'];
    process.env['TMPDIR'] = tmp;
    let warnings: string[];
    try {
      const rgb = new Uint8Array(48 * 36 * 3).fill(90);
      ({ warnings } = await writeImage(path.join(out, 'b.jpg'), { data: rgb, width: 48, height: 36, channels: 3 }, null, {
        format: 'jpg',
        source,
        iccProfile: readFileSync(ADOBE_RGB_ICC),
        tempTag: 'job2',
      }));
    } finally {
      process.env['TMPDIR'] = saved;
    }
    expect(warnings).toEqual([]);
    expect(readTags(path.join(out, 'b.jpg'))['IFD1:ThumbnailImage']).toBeDefined();
    expect(existsSync(tmp)).toBe(false);
    expect(await readdir(out)).toEqual(['b.jpg']);
  });

  it('counts the staged profile among the leftovers a killed writer is cleaned of', () => {
    expect(atomicLeftovers('/o/a.png', 'job1')).toEqual(expect.arrayContaining([`${atomicTempPath('/o/a.png', 'job1')}.icc`, `${atomicTempPath('/o/a.png', 'job1')}.thumb.jpg`]));
  });
});
