/**
 * Output naming patterns (issue 13): tokens filled in per photo, hostile patterns refused with a reason, hostile file
 * names made safe, long names shortened, collisions still numbered, earlier results recognised in folders.
 */
import { describe, expect, it } from 'vitest';
import { earlierResultTest, fillName, localDate, MAX_STEM_BYTES, NamingError, OutputNamer, type NamingOptions } from '../../../src-main/jobs/naming';
import { parseJobSettings } from '../../../src-main/settings/job-settings';
import { DEFAULT_NAME_PATTERN, namePatternProblem, parseNamePattern } from '../../../src-main/settings/name-pattern';
import { defaultSettings } from '../../../src-main/settings/schema';

function namer(options: Partial<NamingOptions>, files: string[] = [], inputs: string[] = []): OutputNamer {
  const existing = new Set(files);
  return new OutputNamer(
    { format: 'same', overwrite: false, model: 'realesrgan-x4fast', scale: 4, ...options },
    { exists: (p) => existing.has(p), replaceable: (p) => existing.has(p), inputs, caseInsensitive: false },
  );
}

describe('naming patterns', () => {
  it('fills {name}, {model}, {scale} and {date}; the default says model and scale', () => {
    expect(DEFAULT_NAME_PATTERN).toBe('{name}_{model}_{scale}x');
    expect(defaultSettings().enhance.namePattern).toBe(DEFAULT_NAME_PATTERN);
    expect(namer({ namePattern: DEFAULT_NAME_PATTERN }).plan('/p/beach.jpg')).toEqual({ path: '/p/beach_realesrgan-x4fast_4x.jpg', format: 'jpg' });
    const n = namer({ namePattern: '{date} {name} ({model}, {scale}×)', scale: 2, date: '1987-06-05', outDir: '/out', format: 'png' });
    expect(n.plan('/p/oma.jpg').path).toBe('/out/1987-06-05 oma (realesrgan-x4fast, 2×).png');
  });

  it('gives {date} as today, local time, when none is fixed', () => {
    const d = new Date();
    const today = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    expect(localDate(d)).toBe(today);
    expect(namer({ namePattern: '{name}-{date}' }).plan('/p/a.png').path).toMatch(/^\/p\/a-\d{4}-\d{2}-\d{2}\.png$/);
  });

  it('still numbers a taken name -1, -2, and never names an original', () => {
    const files = ['/p/a.jpg', '/p/a_realesrgan-x4fast_4x.jpg', '/p/a_realesrgan-x4fast_4x-1.jpg'];
    const n = namer({ namePattern: DEFAULT_NAME_PATTERN }, files, ['/p/a.jpg']);
    expect(n.plan('/p/a.jpg').path).toBe('/p/a_realesrgan-x4fast_4x-2.jpg');
    // Two photos of one batch whose names fill in the same: the second is numbered.
    const m = namer({ namePattern: '{name}_{scale}x', outDir: '/out', format: 'png' });
    expect([m.plan('/a/x.jpg').path, m.plan('/b/x.tif').path]).toEqual(['/out/x_4x.png', '/out/x_4x-1.png']);
    // A bare {name} in the original's folder is the original: numbered past, or refused with --overwrite.
    expect(namer({ namePattern: '{name}' }, ['/p/a.jpg'], ['/p/a.jpg']).plan('/p/a.jpg').path).toBe('/p/a-1.jpg');
    expect(() => namer({ namePattern: '{name}', overwrite: true }, ['/p/a.jpg'], ['/p/a.jpg']).plan('/p/a.jpg')).toThrow(NamingError);
  });

  it('refuses hostile or broken patterns, each with its reason', () => {
    const cases: [string, RegExp][] = [
      ['../{name}', /must not contain "\/"/],
      ['{name}/x', /must not contain "\/"/],
      ['..\\{name}', /must not contain "\\\\"/],
      ['{name}\0', /must not contain "\\u0000"/],
      ['{name}\n', /must not contain "\\n"/],
      ['{name}\u001b[31m', /must not contain "\\u001b"/],
      ['{name}:x', /must not contain ":"/],
      ['{name}*', /must not contain "\*"/],
      ['', /empty/],
      ['{name}'.padEnd(101, 'x'), /101 characters; at most 100/],
      ['{model}_{scale}x', /must contain \{name\}/],
      ['{name}_{camera}', /unknown token \{camera\} in the naming pattern; use \{name\}, \{model\}, \{scale\}, \{date\}/],
      ['{name}_{', /unmatched/],
      ['{name}}', /unmatched/],
      ['.{name}', /must not start with "\."/],
    ];
    for (const [pattern, reason] of cases) {
      expect(namePatternProblem(pattern), JSON.stringify(pattern)).toMatch(reason);
      expect(() => parseJobSettings({ model: 'm', scale: 2, format: 'png', namePattern: pattern }), JSON.stringify(pattern)).toThrow(/namePattern/);
      expect(() => namer({ namePattern: pattern })).toThrow(RangeError);
    }
    expect(parseNamePattern('{name} - copy ({scale}x)')).toEqual([{ token: 'name' }, { text: ' - copy (' }, { token: 'scale' }, { text: 'x)' }]);
  });

  it('makes hostile values safe: control characters in a file name, a model id that is not a pack id', () => {
    const n = namer({ namePattern: '{name}_{model}', model: '../../etc/pass\u0000wd' });
    const out = n.plan('/p/line\nbreak\u001b.jpg').path;
    expect(out).toBe('/p/line_break__..-..-etc-pass-wd.jpg');
    // eslint-disable-next-line no-control-regex -- the point: no control character survives
    expect(out.slice('/p/'.length)).not.toMatch(/[/\\\u0000-\u001f]/);
  });

  it('shortens a very long original name (never inside a character) so the name fits the file system', () => {
    const long = 'é'.repeat(200); // 400 bytes of UTF-8
    const stem = fillName(parseNamePattern(DEFAULT_NAME_PATTERN), { name: long, model: 'realesrgan-x4fast', scale: '4', date: '' });
    expect(stem.endsWith('_realesrgan-x4fast_4x')).toBe(true);
    const bytes = Buffer.byteLength(stem);
    expect(bytes).toBeLessThanOrEqual(MAX_STEM_BYTES);
    expect(bytes).toBeGreaterThan(MAX_STEM_BYTES - 2); // as much of the name as fits, in whole characters
    expect(stem).not.toContain('\uFFFD');
    const planned = namer({ namePattern: DEFAULT_NAME_PATTERN }).plan(`/p/${long}.jpg`).path;
    expect(Buffer.byteLength(planned.slice('/p/'.length))).toBeLessThanOrEqual(255);
    // A short name is never cut.
    expect(fillName(parseNamePattern('{name}'), { name: 'a', model: '', scale: '', date: '' })).toBe('a');
  });

  it('treats a suffix as {name} + the suffix taken literally, braces included', () => {
    expect(namer({ suffix: '_{x}' }).plan('/p/a.png').path).toBe('/p/a_{x}.png');
    expect(namer({}).plan('/p/a.png').path).toBe('/p/a_revive.png');
  });

  it('recognises earlier results: this naming with any model, scale or date, and the default namings', () => {
    const own = earlierResultTest({ namePattern: '{name}-{date}' });
    expect(own('/p/a-2026-12-03.jpg')).toBe(true);
    expect(own('/p/a-2026-12-03-2.jpg')).toBe(true);
    expect(own('/p/a_realesrgan-x4plus_2x.png')).toBe(true); // the default pattern, another model and scale
    expect(own('/p/a_revive-1.jpg')).toBe(true); // the naming before patterns
    expect(own('/p/IMG_1234.jpg')).toBe(false);
    expect(own('/p/holiday.jpg')).toBe(false);
    expect(own('/p/_revive.jpg')).toBe(false); // nothing before the suffix: not a result of a photo
    const suffix = earlierResultTest({ suffix: '.x4' });
    expect(suffix('/p/a.x4.png')).toBe(true);
    expect(suffix('/p/ax4.png')).toBe(false); // the "." is literal, not "any character"
  });
});
