/**
 * Path arguments from a shell, a file manager, the app's command line or the CLI, made absolute — one reading for
 * every way a path can arrive, so a path means the same thing whichever way it comes (app/argv.ts and the CLI's
 * inputs both use it). Pure: cwd and platform are parameters.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RejectedArg {
  arg: string;
  reason: string;
}

/** How paths are read: the platform decides path rules (Windows drive letters, `\`) and the quoting repairs. */
export interface PathContext {
  /** Directory relative paths are resolved against: the launching process's cwd (Nautilus passes bare names). */
  cwd: string;
  /** Defaults to `process.platform` only in the callers; here it is required so tests can be any platform. */
  platform: NodeJS.Platform;
}

/** An unexpanded shell placeholder: `%1`, `%L`, `%*` (Explorer verbs), `%F`, `%U` (desktop entries). */
const PLACEHOLDER = /^%[0-9A-Za-z*]$/;

/**
 * Turns path arguments from a shell, a file manager or the CLI into absolute paths: repairs Windows quoting
 * artefacts, converts `file://` URIs, resolves against `cwd`, drops repeats (case-insensitively on Windows, where
 * the file system is) and rejects what cannot be a path (empty, unexpanded `%1`/`%F`, NUL bytes, `-` for stdin).
 */
export function resolveShellPaths(args: readonly string[], context: PathContext): { paths: string[]; rejected: RejectedArg[] } {
  const paths: string[] = [];
  const rejected: RejectedArg[] = [];
  const seen = new Set<string>();
  const win = context.platform === 'win32';
  for (const arg of args) {
    const result = resolveShellPath(arg, context);
    if ('reason' in result) {
      rejected.push({ arg, reason: result.reason });
      continue;
    }
    const key = win ? result.path.toLowerCase() : result.path;
    if (seen.has(key)) continue;
    seen.add(key);
    paths.push(result.path);
  }
  return { paths, rejected };
}

/** One argument → an absolute path, or the reason it is not one. */
export function resolveShellPath(arg: string, context: PathContext): { path: string } | { reason: string } {
  const win = context.platform === 'win32';
  const p = win ? path.win32 : path.posix;
  let s = arg;
  // Literal quotes survive when a verb quotes twice (`""%1""`) or a script re-quotes: one enclosing pair goes.
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1);
  // CommandLineToArgvW reads `\"` as an escaped quote, so `"D:\"` (a drive, or any folder ending in `\`) arrives
  // as `D:"`. Windows names cannot contain `"`, so a trailing one can only be that artefact.
  if (win && s.endsWith('"') && !s.slice(0, -1).includes('"')) s = `${s.slice(0, -1)}\\`;
  if (s.trim() === '') return { reason: 'empty argument' };
  if (s.includes('\0')) return { reason: 'contains a NUL byte' };
  if (PLACEHOLDER.test(s)) return { reason: `unexpanded shell placeholder ${s}: the launcher did not substitute the file` };
  if (s === '-') return { reason: 'reading a file list from standard input is not supported' };
  if (/^file:/i.test(s)) {
    try {
      s = fileURLToPath(s, { windows: win });
    } catch (err) {
      return { reason: `not a local file URL: ${(err as Error).message}` };
    }
  }
  if (!p.isAbsolute(context.cwd)) throw new Error(`cwd must be an absolute ${context.platform} path, got ${JSON.stringify(context.cwd)}`);
  let resolved = p.resolve(context.cwd, s);
  // resolve() keeps the root's separator but drops any other trailing one; keep paths comparable.
  if (resolved.length > p.parse(resolved).root.length) resolved = resolved.replace(/[\\/]+$/, '');
  return { path: resolved };
}
