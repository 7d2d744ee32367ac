import { describe, expect, it } from 'vitest';
import { serializeStruct, structValue } from '../../../src-main/imaging/xmp-struct';

describe('structValue', () => {
  it('puts a | before each separator of the structure syntax and before a leading space', () => {
    expect(structValue('a,b}c{d|e[f]g')).toBe('a|,b|}c|{d||e|[f|]g');
    expect(structValue(' x y')).toBe('| x y');
    expect(structValue('plain text = fine')).toBe('plain text = fine');
  });

  it('writes control characters out so an argument stays one line', () => {
    expect(structValue('a\nb\tc')).toBe('a\\nb\\tc');
  });
});

describe('serializeStruct', () => {
  it('joins escaped fields in order', () => {
    expect(serializeStruct([['Action', 'derived'], ['Parameters', 'x},{y']])).toBe('{Action=derived,Parameters=x|}|,|{y}');
  });
});
