/** The desktop app's question for file-manager hand-offs whose results are too large for the default format. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tooLargePrompt } from '../../../src-main/app/too-large-prompt';
import type { TooLargeResult } from '../../../src-main/jobs/output-size';

const big = (name: string, outWidth: number): TooLargeResult => ({
  path: `/photos/${name}`,
  outWidth,
  outHeight: 400,
  format: 'webp',
  maxSide: 16383,
  fits: ['jpg', 'png', 'tiff'],
  message: '',
});

describe('tooLargePrompt', () => {
  it('asks nothing when everything fits, or when no format would hold the results', () => {
    expect(tooLargePrompt({ tooLarge: [], formats: [] }, path.basename)).toBeNull();
    expect(tooLargePrompt({ tooLarge: [big('a.jpg', 300_000)], formats: [] }, path.basename)).toBeNull();
  });

  it('names the photo, its result size and the limit, with one button per format and Cancel last', () => {
    const p = tooLargePrompt({ tooLarge: [big('pano.jpg', 20_000)], formats: ['jpg', 'png', 'tiff'] }, path.basename)!;
    expect(p.message).toBe('The result of “pano.jpg” would be too large for WebP.');
    expect(p.detail).toContain('pano.jpg: 20000 × 400 (WebP holds at most 16383 pixels a side)');
    expect(p.detail).toContain('Write it in another format?');
    expect(p.buttons).toEqual(['Write as JPEG', 'Write as PNG', 'Write as TIFF', 'Cancel']);
    // Button i stands for formats[i]; the Cancel button maps to no format.
    expect(p.formats).toEqual(['jpg', 'png', 'tiff']);
    expect(p.formats[p.buttons.length - 1]).toBeUndefined();
  });

  it('lists at most five photos by name and counts the rest', () => {
    const many = Array.from({ length: 7 }, (_, i) => big(`p${i}.jpg`, 20_000 + i));
    const p = tooLargePrompt({ tooLarge: many, formats: ['png'] }, path.basename)!;
    expect(p.message).toBe('The result of 7 photos would be too large for WebP.');
    expect(p.detail.split('\n').filter((l) => l.startsWith('p'))).toHaveLength(5);
    expect(p.detail).toContain('… and 2 more');
    expect(p.detail).toContain('Write them in another format?');
  });
});
