import { describe, expect, it } from 'vitest';
import { copyArguments, reviveVersion } from '../../../src-main/imaging/metadata';
import { canConvertBackInto } from '../../../src-main/imaging/write';

const base = { source: '/p/a.jpg', width: 192, height: 144 };

describe('copyArguments', () => {
  it('maps IPTC to XMP and deletes IPTC only for formats without an IPTC block', () => {
    const png = copyArguments({ ...base, format: 'png' }, new Set(), '/x/iptc2xmp.args');
    expect(png.slice(0, 5)).toEqual(['-overwrite_original', '-TagsFromFile', '/p/a.jpg', '-@', '/x/iptc2xmp.args']);
    expect(png).toContain('-IPTC:all=');
    const jpg = copyArguments({ ...base, format: 'jpg' }, new Set(), '/x/iptc2xmp.args');
    expect(jpg).not.toContain('-@');
    expect(jpg).not.toContain('-IPTC:all=');
  });

  it('sets orientation 1, the new size where the original had size tags, and provenance', () => {
    const args = copyArguments(
      { ...base, format: 'tiff', provenance: { model: 'realesrgan-x4fast', scale: 4 } },
      new Set(['ExifIFD:ExifImageWidth', 'XMP-tiff:Orientation']),
      'm',
    );
    expect(args).toEqual(expect.arrayContaining(['-IFD0:Orientation#=1', '-XMP-tiff:Orientation#=1', '-ExifIFD:ExifImageWidth=192']));
    expect(args).not.toContain('-ExifIFD:ExifImageHeight=144');
    expect(args).toContain(`-IFD0:Software=Revive ${reviveVersion()}`);
    expect(args.find((a) => a.startsWith('-XMP-xmpMM:History+='))).toMatch(/Parameters=enhanced 4x with model realesrgan-x4fast\}$/);
  });

  it('never copies the old thumbnail, and embeds a new one when given', () => {
    const plain = copyArguments({ ...base, format: 'jpg' }, new Set(), 'm');
    expect(plain).toEqual(expect.arrayContaining(['--IFD1:all', '--XMP-xmp:Thumbnails']));
    expect(plain.some((a) => a.startsWith('-ThumbnailImage'))).toBe(false);
    const fresh = copyArguments({ ...base, format: 'jpg', thumbnail: '/tmp/t.jpg' }, new Set(), 'm');
    // After the exclusion, so the new thumbnail is written and the old one is not.
    expect(fresh.indexOf('-ThumbnailImage<=/tmp/t.jpg')).toBeGreaterThan(fresh.indexOf('--IFD1:all'));
  });

  it('no-gps deletes GPS after the copy; none does nothing', () => {
    expect(copyArguments({ ...base, format: 'jpg', mode: 'no-gps' }, new Set(), 'm')).toEqual(expect.arrayContaining(['-GPS:all=', '-XMP-exif:GPS*=']));
    expect(copyArguments({ ...base, format: 'jpg', mode: 'all' }, new Set(), 'm')).not.toContain('-GPS:all=');
    expect(copyArguments({ ...base, format: 'jpg', mode: 'none' }, new Set(), 'm')).toEqual([]);
  });
});

describe('canConvertBackInto', () => {
  const header = (space: string): Uint8Array => {
    const b = new Uint8Array(128);
    for (let i = 0; i < 4; i++) b[16 + i] = space.charCodeAt(i);
    return b;
  };
  it('accepts RGB and grey profiles, not CMYK or a truncated profile', () => {
    expect(canConvertBackInto(header('RGB '))).toBe(true);
    expect(canConvertBackInto(header('GRAY'))).toBe(true);
    expect(canConvertBackInto(header('CMYK'))).toBe(false);
    expect(canConvertBackInto(new Uint8Array(20))).toBe(false);
  });
});
