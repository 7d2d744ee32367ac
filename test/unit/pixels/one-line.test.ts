import { describe, expect, it } from 'vitest';
import { escapeControl, MAX_REASON_LENGTH, oneLine } from '../../../src-main/pixels/one-line';

describe('oneLine', () => {
  it('keeps the first meaningful line, trimmed, without a dangling label', () => {
    expect(oneLine('\n  \nVipsForeignLoad: corrupt header:\nheif: Invalid input: No ftyp box\n  more\n')).toBe('VipsForeignLoad: corrupt header');
    expect(oneLine('bad data —  ')).toBe('bad data');
    expect(oneLine('cannot decode:\r\nline two')).toBe('cannot decode');
  });
  it('escapes control characters JSON-style and never returns an empty line', () => {
    expect(oneLine('a\tb\u001b[31mc\u007f')).toBe('a\\tb\\u001b[31mc\\u007f');
    expect(oneLine('\n :: \n', 'fallback')).toBe('fallback');
    expect(oneLine('x'.repeat(2000))).toHaveLength(MAX_REASON_LENGTH);
  });
});

describe('escapeControl', () => {
  it('turn a file name with a newline into one safe line', () => {
    expect(escapeControl('/p/new\nline.jpg')).toBe('/p/new\\nline.jpg');
    expect(escapeControl('/p/plain photo.jpg')).toBe('/p/plain photo.jpg');
  });
});
