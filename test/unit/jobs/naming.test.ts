import { describe, expect, it } from 'vitest';
import { NamingError, OutputNamer, resolveOutputFormat, validateSuffix, type NamingOptions } from '../../../src-main/jobs/naming';

/**
 * A namer over an imaginary file system holding `files`, with `inputs` as the batch; `ours` are the files Revive wrote
 * (default: every file).
 */
function namer(options: Partial<NamingOptions>, files: string[] = [], inputs: string[] = [], caseInsensitive = false, ours: string[] = files): OutputNamer {
  const existing = new Set(files);
  const written = new Set(ours);
  return new OutputNamer(
    { format: 'same', overwrite: false, ...options },
    { exists: (p) => existing.has(p), replaceable: (p) => written.has(p), inputs, caseInsensitive },
  );
}

describe('OutputNamer', () => {
  it('puts the result next to the original as <name>_revive.<ext> by default', () => {
    const n = namer({}, ['/photos/beach.jpg'], ['/photos/beach.jpg']);
    expect(n.plan('/photos/beach.jpg')).toEqual({ path: '/photos/beach_revive.jpg', format: 'jpg' });
  });

  it('uses the output folder and the suffix given', () => {
    const n = namer({ outDir: '/out', suffix: '.x4' }, [], ['/photos/beach.png']);
    expect(n.plan('/photos/beach.png')).toEqual({ path: '/out/beach.x4.png', format: 'png' });
  });

  it('numbers -1, -2, … when the name is taken, and never returns an existing file', () => {
    const files = ['/p/a.jpg', '/p/a_revive.jpg', '/p/a_revive-1.jpg'];
    const n = namer({}, files, ['/p/a.jpg']);
    expect(n.plan('/p/a.jpg').path).toBe('/p/a_revive-2.jpg');
  });

  it('with overwrite, reuses the name of an earlier result', () => {
    const n = namer({ overwrite: true }, ['/p/a.jpg', '/p/a_revive.jpg'], ['/p/a.jpg']);
    expect(n.plan('/p/a.jpg').path).toBe('/p/a_revive.jpg');
  });

  it('with overwrite, numbers around a file Revive did not write instead of replacing it', () => {
    const n = namer({ overwrite: true }, ['/p/a.jpg', '/p/a_revive.jpg', '/p/a_revive-1.jpg'], ['/p/a.jpg'], false, ['/p/a_revive-1.jpg']);
    expect(n.plan('/p/a.jpg').path).toBe('/p/a_revive-1.jpg');
  });

  it('with overwrite, refuses a name that is an original of the batch', () => {
    // Empty suffix in the same folder: the computed name is the original itself.
    const n = namer({ overwrite: true, suffix: '' }, ['/p/a.jpg'], ['/p/a.jpg']);
    expect(() => n.plan('/p/a.jpg')).toThrow(NamingError);
    expect(() => n.plan('/p/a.jpg')).toThrow(/refusing to overwrite the original \/p\/a\.jpg/);
  });

  it('with overwrite, refuses to write over another input of the batch', () => {
    // b.png is itself an input whose name is what a.jpg would get with -f png and suffix "".
    const n = namer({ overwrite: true, suffix: '', format: 'png', outDir: '/p' }, ['/p/a.jpg', '/p/a.png'], ['/p/a.jpg', '/p/a.png']);
    expect(() => n.plan('/p/a.jpg')).toThrow(NamingError);
  });

  it('without overwrite, numbers past an original instead of touching it', () => {
    const n = namer({ suffix: '' }, ['/p/a.jpg'], ['/p/a.jpg']);
    expect(n.plan('/p/a.jpg').path).toBe('/p/a-1.jpg');
  });

  it('never gives two inputs of one batch the same output, even with overwrite', () => {
    const n = namer({ format: 'png', overwrite: true }, [], ['/p/a.jpg', '/p/a.webp']);
    expect(n.plan('/p/a.jpg').path).toBe('/p/a_revive.png');
    expect(n.plan('/p/a.webp').path).toBe('/p/a_revive-1.png');
  });

  it('compares paths case-insensitively when told the file system is', () => {
    const n = namer({ overwrite: true }, ['/p/photo.jpg', '/p/PHOTO_REVIVE.jpg'], ['/p/photo.jpg', '/p/PHOTO_REVIVE.jpg'], true);
    expect(() => n.plan('/p/photo.jpg')).toThrow(NamingError);
    const sensitive = namer({ overwrite: true }, ['/p/photo.jpg'], ['/p/photo.jpg', '/p/PHOTO_REVIVE.jpg'], false);
    expect(sensitive.plan('/p/photo.jpg').path).toBe('/p/photo_revive.jpg');
  });

  it('keeps the original extension spelling for the same format and uses the standard one otherwise', () => {
    expect(namer({}).plan('/p/IMG_1.JPG')).toEqual({ path: '/p/IMG_1_revive.JPG', format: 'jpg' });
    expect(namer({}).plan('/p/scan.jpeg')).toEqual({ path: '/p/scan_revive.jpeg', format: 'jpg' });
    expect(namer({}).plan('/p/scan.tif')).toEqual({ path: '/p/scan_revive.tif', format: 'tiff' });
    expect(namer({ format: 'webp' }).plan('/p/IMG_1.JPG')).toEqual({ path: '/p/IMG_1_revive.webp', format: 'webp' });
    expect(namer({ format: 'tiff' }).plan('/p/a.png')).toEqual({ path: '/p/a_revive.tiff', format: 'tiff' });
  });

  it('writes PNG for "same" when the original format cannot be written or is unknown', () => {
    expect(namer({}).plan('/p/anim.gif')).toEqual({ path: '/p/anim_revive.png', format: 'png' });
    expect(namer({}).plan('/p/scan.bmp')).toEqual({ path: '/p/scan_revive.png', format: 'png' });
    expect(namer({}).plan('/p/noext')).toEqual({ path: '/p/noext_revive.png', format: 'png' });
  });

  it('keeps dots inside the name and only replaces the last extension', () => {
    expect(namer({}).plan('/p/2001.07.14 beach.jpg').path).toBe('/p/2001.07.14 beach_revive.jpg');
  });
});

describe('resolveOutputFormat', () => {
  it('maps each readable extension for "same" and passes explicit formats through', () => {
    expect(resolveOutputFormat('x.jpe', 'same')).toBe('jpg');
    expect(resolveOutputFormat('x.webp', 'same')).toBe('webp');
    expect(resolveOutputFormat('x.avif', 'same')).toBe('avif');
    expect(resolveOutputFormat('x.png', 'jpg')).toBe('jpg');
  });
});

describe('validateSuffix', () => {
  it('rejects separators that would move the output into another folder', () => {
    expect(() => validateSuffix('/../x')).toThrow(/must not contain/);
    expect(() => validateSuffix('a\\b')).toThrow(/must not contain/);
    expect(() => validateSuffix('_v2')).not.toThrow();
    expect(() => namer({ suffix: '/x' })).toThrow(RangeError);
  });
});
