/**
 * One clean line out of any error text, for the reasons that cross into the queue, the history and the CLI.
 *
 * Libraries (libvips, libheif, onnxruntime) return several lines, trailing labels with nothing after them
 * ("corrupt header:") and, through file names, raw control characters: a reason shown in one table cell or one
 * terminal line must be none of these. The full text belongs in the log, not in the reason.
 */

/** Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Longest reason kept, in characters: enough for a path and a cause, short enough for one line. */
export const MAX_REASON_LENGTH = 500;

/** `text` with control characters written JSON-style (`\n`, `\t`, `\u001b`), so it cannot break a line or a terminal. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (ch) => {
    const json = JSON.stringify(ch).slice(1, -1);
    return json.startsWith('\\') && json.length > 1 ? json : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/**
 * The first meaningful line of `text` (one with a letter or digit), trimmed, without a trailing ":" or "—" that
 * leads nowhere, control characters escaped, at most {@link MAX_REASON_LENGTH} characters. Never empty: falls back
 * to `fallback`.
 */
export function oneLine(text: string, fallback = 'unknown error'): string {
  const first = text.split(/\r\n|[\n\r\u2028\u2029]/).map((l) => l.trim()).find((l) => /[\p{L}\p{N}]/u.test(l));
  if (first === undefined) return fallback;
  const line = escapeControl(first).replace(/[\s:;,—-]+$/u, '').trim() || fallback;
  return line.length > MAX_REASON_LENGTH ? `${line.slice(0, MAX_REASON_LENGTH - 1)}…` : line;
}
