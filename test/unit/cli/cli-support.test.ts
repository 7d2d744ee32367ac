/** The CLI's small pure helpers: option parsing, the data folder per platform, tile choice, progress maths. */
import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../../src-main/store/data-dir';
import { parseEnhanceOptions, UsageError, type RawEnhanceOptions } from '../../../src-main/cli/options';
import { bar, formatDuration, imageFraction } from '../../../src-main/cli/progress-view';
import { chooseTiling, pixelSrBytesPerInputPixel } from '../../../src-main/engine/process/tile-choice';

const raw = (o: Partial<RawEnhanceOptions> = {}): RawEnhanceOptions => ({
  model: 'realesrgan-x4fast',
  scale: '4',
  format: 'same',
  suffix: '_revive',
  device: 'auto',
  ...o,
});

describe('parseEnhanceOptions', () => {
  it('converts the defaults', () => {
    expect(parseEnhanceOptions(raw())).toEqual({
      model: 'realesrgan-x4fast',
      scale: 4,
      format: 'same',
      suffix: '_revive',
      device: 'auto',
      recursive: false,
      overwrite: false,
      json: false,
    });
  });

  it('accepts "2x", "JPEG", "tif" and numbers in range', () => {
    const o = parseEnhanceOptions(raw({ scale: '2x', format: 'JPEG', tile: '128', quality: '95', threads: '2', device: 'CPU' }));
    expect([o.scale, o.format, o.tile, o.quality, o.threads, o.device]).toEqual([2, 'jpg', 128, 95, 2, 'cpu']);
    expect(parseEnhanceOptions(raw({ format: 'tif' })).format).toBe('tiff');
  });

  it('rejects bad values with the option and the value named', () => {
    const bad: [Partial<RawEnhanceOptions>, RegExp][] = [
      [{ scale: '5' }, /--scale must be one of 1, 2, 3, 4, got "5"/],
      [{ scale: '2.5' }, /--scale/],
      [{ format: 'bmp' }, /--format must be one of jpg, png, webp, tiff, avif, same, got "bmp"/],
      [{ device: 'tpu' }, /--device must be one of auto, cpu, cuda, dml, coreml, got "tpu"/],
      [{ quality: '101' }, /--quality must be a whole number from 1 to 100, got "101"/],
      [{ tile: '-8' }, /--tile/],
      [{ threads: 'many' }, /--threads/],
      [{ suffix: '../x' }, /--suffix: suffix must not contain/],
    ];
    for (const [o, message] of bad) {
      expect(() => parseEnhanceOptions(raw(o))).toThrow(UsageError);
      expect(() => parseEnhanceOptions(raw(o))).toThrow(message);
    }
  });
});

describe('defaultDataDir', () => {
  it('follows each platform’s convention and lets REVIVE_DATA_DIR override it', () => {
    expect(defaultDataDir({ platform: 'linux', env: {}, home: '/home/ann' })).toBe('/home/ann/.local/share/revive');
    expect(defaultDataDir({ platform: 'linux', env: { XDG_DATA_HOME: '/data' }, home: '/home/ann' })).toBe('/data/revive');
    expect(defaultDataDir({ platform: 'darwin', env: {}, home: '/Users/ann' })).toBe('/Users/ann/Library/Application Support/Revive');
    expect(defaultDataDir({ platform: 'win32', env: { APPDATA: 'C:\\Users\\Ann\\AppData\\Roaming' }, home: 'C:\\Users\\Ann' })).toBe(
      'C:\\Users\\Ann\\AppData\\Roaming\\Revive',
    );
    expect(defaultDataDir({ platform: 'linux', env: { REVIVE_DATA_DIR: '/tmp/r' }, home: '/home/ann' })).toBe('/tmp/r');
  });
});

describe('chooseTiling', () => {
  const pack = { size: 256, overlap: 16, pad: 10, multiple: 1 };

  it('estimates RRDB-like ×4 memory as 4 B × 64 ch × (1 + 4 + 16) × 2 per input pixel', () => {
    expect(pixelSrBytesPerInputPixel(4)).toBe(4 * 64 * 21 * 2);
    expect(pixelSrBytesPerInputPixel(2)).toBe(4 * 64 * 5 * 2);
    expect(pixelSrBytesPerInputPixel(1)).toBe(4 * 64 * 2);
  });

  it('uses the pack’s tile when memory allows and a smaller one when it does not', () => {
    expect(chooseTiling(pack, 4, { freeBytes: 8e9 }).tile).toBe(256);
    // 0.5 GB / 10 752 B per pixel → √46 503 = 215 px square, minus 2 × 10 padding = 195.
    expect(chooseTiling(pack, 4, { freeBytes: 0.5e9 })).toEqual({ tile: 195, overlap: 16, pad: 10, multiple: 1 });
    expect(chooseTiling(pack, 4, { freeBytes: 1e6 }).tile).toBe(64);
  });

  it('takes an explicit tile as given and shrinks the overlap with small tiles', () => {
    expect(chooseTiling(pack, 4, { explicit: 512, freeBytes: 1 })).toMatchObject({ tile: 512, overlap: 16 });
    expect(chooseTiling(pack, 4, { explicit: 32, freeBytes: 8e9 })).toMatchObject({ tile: 32, overlap: 8 });
  });
});

describe('progress maths', () => {
  it('maps stages onto one 0–1 scale dominated by the model run', () => {
    expect(imageFraction('decode', 0, 1)).toBe(0);
    expect(imageFraction('upscale', 0, 10)).toBeCloseTo(0.1, 10);
    expect(imageFraction('upscale', 5, 10)).toBeCloseTo(0.5, 10);
    expect(imageFraction('write', 1, 1)).toBe(1);
  });

  it('formats durations and bars', () => {
    expect([formatDuration(7_400), formatDuration(245_000), formatDuration(3_723_000)]).toEqual(['0:07', '4:05', '1:02:03']);
    expect(bar(0.5, 10)).toBe('█████░░░░░');
    expect(bar(2, 4)).toBe('████');
  });
});
