/**
 * Results too large for their format: the per-format limits, the formats offered instead, the per-photo decision
 * (with and without a fallback) and the header scan over a batch.
 */
import { describe, expect, it } from 'vitest';
import { formatsThatFit, MAX_OUTPUT_SIDE, outputFits } from '../../../src-main/imaging/formats';
import { decideFormat, findTooLarge, formatsForAll } from '../../../src-main/jobs/output-size';

describe('output limits', () => {
  it('hold exactly up to each format\'s largest side', () => {
    // The limits themselves, as the formats define them: WebP 14-bit sizes (2^14 − 1), JPEG 16-bit (2^16 − 1).
    expect(MAX_OUTPUT_SIDE.webp).toBe(2 ** 14 - 1);
    expect(MAX_OUTPUT_SIDE.jpg).toBe(2 ** 16 - 1);
    expect(outputFits('webp', 16383, 16383)).toBe(true);
    expect(outputFits('webp', 16384, 10)).toBe(false);
    expect(outputFits('webp', 10, 16384)).toBe(false);
    expect(outputFits('jpg', 65535, 2)).toBe(true);
    expect(outputFits('jpg', 65536, 2)).toBe(false);
    expect(outputFits('png', 200_000, 2)).toBe(true);
  });

  it('offer JPEG first for a lossy choice, then the lossless formats, only those that fit', () => {
    expect(formatsThatFit('webp', 20_000, 100)).toEqual(['jpg', 'png', 'tiff']);
    expect(formatsThatFit('avif', 20_000, 100)).toEqual(['jpg', 'png', 'tiff']);
    expect(formatsThatFit('jpg', 70_000, 100)).toEqual(['png', 'tiff']);
    expect(formatsThatFit('webp', 70_000, 100)).toEqual(['png', 'tiff']);
  });
});

describe('decideFormat', () => {
  const settings = { scale: 4, format: 'webp' } as const;

  it('keeps the job\'s format when the result fits', () => {
    expect(decideFormat('/p/a.jpg', { width: 4095, height: 100 }, settings)).toEqual({ ok: true, format: 'webp' });
  });

  it('reports a result too large, with sizes, limit and the formats that fit', () => {
    const d = decideFormat('/p/pano.jpg', { width: 4096, height: 100 }, settings);
    expect(d).toMatchObject({ ok: false, tooLarge: { path: '/p/pano.jpg', outWidth: 16384, outHeight: 400, format: 'webp', maxSide: 16383, fits: ['jpg', 'png', 'tiff'] } });
    if (!d.ok) expect(d.tooLarge.message).toBe('/p/pano.jpg: the result would be 16384×400, but WEBP stores at most 16383 pixels per side; choose a smaller scale or another format (JPG, PNG, TIFF)');
  });

  it('uses the fallback only where needed, and only when it fits', () => {
    expect(decideFormat('/p/pano.jpg', { width: 4096, height: 100 }, { ...settings, fallbackFormat: 'jpg' })).toEqual({ ok: true, format: 'jpg', fellBack: 'webp' });
    expect(decideFormat('/p/a.jpg', { width: 100, height: 100 }, { ...settings, fallbackFormat: 'jpg' })).toEqual({ ok: true, format: 'webp' });
    // 17 000 × 4 = 68 000: too large for JPEG as well.
    const d = decideFormat('/p/huge.jpg', { width: 17_000, height: 10 }, { ...settings, fallbackFormat: 'jpg' });
    expect(d).toMatchObject({ ok: false, tooLarge: { format: 'webp', fits: ['png', 'tiff'] } });
  });

  it('resolves "same" from the source\'s extension first', () => {
    expect(decideFormat('/p/a.webp', { width: 5000, height: 10 }, { scale: 4, format: 'same' })).toMatchObject({ ok: false, tooLarge: { format: 'webp' } });
    expect(decideFormat('/p/a.png', { width: 5000, height: 10 }, { scale: 4, format: 'same' })).toEqual({ ok: true, format: 'png' });
  });
});

describe('findTooLarge', () => {
  it('scans every header, keeps the batch order and leaves unreadable photos to fail later', async () => {
    const sizes: Record<string, { width: number; height: number }> = {
      '/p/1.jpg': { width: 5000, height: 10 },
      '/p/2.jpg': { width: 100, height: 10 },
      '/p/4.jpg': { width: 10, height: 4200 },
    };
    const files = ['/p/1.jpg', '/p/2.jpg', '/p/3.jpg', '/p/4.jpg'];
    const probed: string[] = [];
    const found = await findTooLarge(files, { scale: 4, format: 'webp' }, async (f) => {
      probed.push(f);
      const s = sizes[f];
      if (!s) throw new Error('not an image');
      return s;
    });
    expect(probed.sort()).toEqual(files);
    expect(found.map((t) => [t.path, t.outWidth, t.outHeight])).toEqual([
      ['/p/1.jpg', 20000, 40],
      ['/p/4.jpg', 40, 16800],
    ]);
    expect(formatsForAll(found)).toEqual(['jpg', 'png', 'tiff']);
  });

  it('offers only the formats that hold every result', async () => {
    const found = await findTooLarge(['/p/a.jpg', '/p/b.jpg'], { scale: 4, format: 'webp' }, async (f) =>
      f === '/p/a.jpg' ? { width: 5000, height: 10 } : { width: 17_000, height: 10 },
    );
    expect(formatsForAll(found)).toEqual(['png', 'tiff']);
    expect(formatsForAll([])).toEqual([]);
  });
});
