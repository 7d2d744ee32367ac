/**
 * Output naming patterns: the file name of a result (without its extension) as text with tokens, e.g.
 * `{name}_{model}_{scale}x` → `beach_realesrgan-x4fast_4x.jpg`. The grammar and its checks live here, with the
 * settings that store a pattern; jobs/naming.ts fills the tokens in for each photo.
 *
 * Tokens: `{name}` the original's name without extension (required: a result must say which photo it came from),
 * `{model}` the model pack id, `{scale}` the output scale (1–4), `{date}` the day the name is given (YYYY-MM-DD).
 * The rest is literal text, which may not hold path separators, control characters, the characters Windows refuses
 * in names (`<>:"|?*`), stray braces, or start with "." (a hidden file).
 */

/** The tokens a pattern may use. */
export const NAME_TOKENS = ['name', 'model', 'scale', 'date'] as const;
export type NameToken = (typeof NAME_TOKENS)[number];

/** The pattern new batches get unless the user chooses another: says which model made the result, and how large. */
export const DEFAULT_NAME_PATTERN = '{name}_{model}_{scale}x';

/** Longest pattern, in characters. */
export const MAX_NAME_PATTERN_LENGTH = 100;

/** One piece of a parsed pattern. */
export type NamePart = { token: NameToken } | { text: string };

// eslint-disable-next-line no-control-regex
const FORBIDDEN_TEXT = /[/\\\u0000-\u001f\u007f-\u009f<>:"|?*]/;

/** Why `pattern` is not a usable naming pattern, or null when it is. */
export function namePatternProblem(pattern: string): string | null {
  try {
    parseNamePattern(pattern);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Splits a pattern into literal text and tokens.
 * @throws RangeError naming what is wrong (unknown token, forbidden character, no {name}, …).
 */
export function parseNamePattern(pattern: string): NamePart[] {
  if (pattern.length === 0) throw new RangeError('the naming pattern is empty; use at least {name}');
  if (pattern.length > MAX_NAME_PATTERN_LENGTH) {
    throw new RangeError(`the naming pattern is ${pattern.length} characters; at most ${MAX_NAME_PATTERN_LENGTH}`);
  }
  const parts: NamePart[] = [];
  for (const piece of pattern.split(/(\{[^{}]*\})/)) {
    if (piece === '') continue;
    const token = /^\{(.*)\}$/.exec(piece)?.[1];
    if (token !== undefined) {
      if (!(NAME_TOKENS as readonly string[]).includes(token)) {
        throw new RangeError(`unknown token {${token}} in the naming pattern; use ${NAME_TOKENS.map((t) => `{${t}}`).join(', ')}`);
      }
      parts.push({ token: token as NameToken });
      continue;
    }
    if (/[{}]/.test(piece)) throw new RangeError(`the naming pattern has an unmatched "{" or "}": ${JSON.stringify(pattern)}`);
    const bad = FORBIDDEN_TEXT.exec(piece);
    if (bad) {
      throw new RangeError(`the naming pattern must not contain ${JSON.stringify(bad[0])} (no folders, control characters or <>:"|?*)`);
    }
    parts.push({ text: piece });
  }
  if (!parts.some((p) => 'token' in p && p.token === 'name')) {
    throw new RangeError('the naming pattern must contain {name}, so each result says which photo it came from');
  }
  const first = parts[0]!;
  if ('text' in first && first.text.startsWith('.')) throw new RangeError('the naming pattern must not start with "." (the results would be hidden files)');
  return parts;
}

/** The pattern equivalent to an old-style suffix: the original's name, then the suffix as literal text. */
export function suffixParts(suffix: string): NamePart[] {
  return suffix ? [{ token: 'name' }, { text: suffix }] : [{ token: 'name' }];
}
