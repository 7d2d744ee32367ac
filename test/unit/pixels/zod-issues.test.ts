import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssues } from '../../../src-main/pixels/zod-issues';

const Schema = z.object({ name: z.string(), size: z.object({ width: z.number().int() }), tags: z.array(z.string()) });
const failure = (value: unknown): z.ZodError => {
  const r = Schema.safeParse(value);
  if (r.success) throw new Error('expected a failure');
  return r.error;
};

describe('describeIssues', () => {
  it('names each field by its dotted path, array indices included', () => {
    const text = describeIssues(failure({ name: 1, size: { width: 1.5 }, tags: ['a', 2] }));
    expect(text.split('; ').map((s) => s.split(':')[0])).toEqual(['name', 'size.width', 'tags.1']);
  });

  it('names the whole value "(root)" unless told otherwise', () => {
    expect(describeIssues(failure(null))).toMatch(/^\(root\): /);
    expect(describeIssues(failure(null), { root: '(payload)' })).toMatch(/^\(payload\): /);
  });

  it('keeps the first issues when limited and joins with the given separator', () => {
    const error = failure({});
    expect(error.issues.length).toBe(3);
    expect(describeIssues(error, { limit: 2 }).split('; ')).toHaveLength(2);
    expect(describeIssues(error, { separator: '\n  ' }).split('\n  ')).toHaveLength(3);
  });

  it('accepts symbol path keys', () => {
    const sym = Symbol('key');
    expect(describeIssues({ issues: [{ path: ['a', sym, 0], message: 'bad' }] })).toBe('a.Symbol(key).0: bad');
  });
});
