/**
 * Reads the source trees into a list of resolved relative imports for the architecture check. TypeScript's own
 * pre-processor finds the specifiers (`import … from`, `export … from`, `import type`, side-effect imports, dynamic
 * `import('…')`, `import x = require('…')`), so comments and strings that merely look like imports are not counted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { FileImport } from './rules';

/** The trees the check covers. */
export const SOURCE_ROOTS = ['src-main', 'src-preload', 'src-renderer'] as const;

const SOURCE_FILE = /\.(ts|mts|cts|mjs|cjs|js|svelte)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'public']);

/** Every source file under the roots, as repo-relative POSIX paths, sorted. */
export function listSources(repoRoot: string, roots: readonly string[] = SOURCE_ROOTS): string[] {
  const files: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(repoRoot, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(child);
      } else if (SOURCE_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        files.push(child);
      }
    }
  };
  for (const root of roots) walk(root);
  return files.sort();
}

/** The script blocks of a Svelte component (instance and module), joined; the markup cannot import. */
export function svelteScripts(source: string): string {
  return [...source.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
}

/** The module specifiers a file's code names, in source order. */
export function specifiersOf(file: string, source: string): string[] {
  const code = file.endsWith('.svelte') ? svelteScripts(source) : source;
  return ts.preProcessFile(code, true, true).importedFiles.map((f) => f.fileName);
}

const EXTENSIONS = ['.ts', '.svelte', '.mts', '.js', '.mjs'];

/**
 * The file a relative specifier names among `files` (bundler resolution: the path as written, then with a source
 * extension, a `.js` written for a `.ts` file, then a folder's index). Null for packages and non-source targets.
 */
export function resolveSpecifier(fromFile: string, specifier: string, files: ReadonlySet<string>): string | null {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return null;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), specifier));
  const candidates = [
    base,
    ...EXTENSIONS.map((e) => base + e),
    ...(base.endsWith('.js') ? [base.replace(/\.js$/, '.ts')] : []),
    ...EXTENSIONS.map((e) => `${base}/index${e}`),
  ];
  return candidates.find((c) => files.has(c)) ?? null;
}

/** All relative imports between source files of the repository. */
export function scanImports(repoRoot: string): FileImport[] {
  const files = listSources(repoRoot);
  const known = new Set(files);
  const imports: FileImport[] = [];
  for (const from of files) {
    const source = readFileSync(path.join(repoRoot, from), 'utf8');
    for (const specifier of specifiersOf(from, source)) {
      const to = resolveSpecifier(from, specifier, known);
      if (to) imports.push({ from, to, specifier });
    }
  }
  return imports;
}
