// Lint: typescript-eslint's and eslint-plugin-svelte's recommended rules plus the project's boundaries and size limits
// (see README "Architecture"). The full folder ranks are checked by `npm run arch` (scripts/arch/rules.ts); lint
// repeats the coarse part so an editor flags it while typing.
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './src-renderer/svelte.config.js';

const SOURCES = ['src-main/**/*.{ts,mjs}', 'src-preload/**/*.ts', 'src-renderer/**/*.{ts,svelte}'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'release/', '.revive-tmp-*/', 'models/', 'test/fixtures/generated/', 'bench-results/', 'test-results/', '.stryker-tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src-renderer/**/*.{ts,svelte}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Components' <script lang="ts"> blocks go through typescript-eslint's parser, as .ts files do.
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'], svelteConfig } },
    // The TypeScript compiler (svelte-check) already reports undefined names, and no-undef misreads type-only names;
    // typescript-eslint turns it off for .ts files for the same reason.
    rules: { 'no-undef': 'off' },
  },
  {
    // "No source file over 450 lines" counted as `wc -l` does (blank lines and comments included); "no function over
    // 100 lines" counts code only. Tests and scripts are exempt: a table of cases is long by nature.
    files: SOURCES,
    rules: {
      'max-lines': ['error', { max: 450, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': ['error', { max: 100, skipBlankLines: true, skipComments: true }],
    },
  },
  ...boundaryConfigs(),
);

/**
 * Module boundaries as one `no-restricted-imports` per folder (a later config replaces the rule's options, so each
 * entry carries the whole list for its files):
 * - packages: only engine/process/ runs models, only imaging/ touches sharp, only store/ opens SQLite, only app/
 *   (and the preload's entry) imports electron;
 * - folders: nothing outside engine/process/ imports it; the front ends (core < ipc < bridge < app, cli) are
 *   imported only by front ends above them; the renderer never reaches into src-main or the preload's entry.
 */
function boundaryConfigs() {
  const owners = {
    'onnxruntime-node': 'engine/process',
    sharp: 'imaging',
    'better-sqlite3': 'store',
    electron: 'app',
    // electron-store imports electron: only the shell may load it (the core uses conf).
    'electron-store': 'app',
    // The fleet's queue on Redis: only the fleet talks to it.
    bullmq: 'fleet',
    ioredis: 'fleet',
  };
  // Low → high; app and cli are siblings, neither imports the other.
  const frontEnds = ['core', 'fleet', 'ipc', 'bridge', 'app', 'cli'];
  const aboveOf = (folder) => {
    const at = frontEnds.indexOf(folder);
    if (folder === 'app' || folder === 'cli') return [folder === 'app' ? 'cli' : 'app'];
    return at < 0 ? frontEnds : frontEnds.slice(at + 1);
  };
  const packages = (except) =>
    Object.entries(owners)
      .filter(([, dir]) => dir !== except)
      .map(([pkg, dir]) => ({ group: [pkg], message: `Only src-main/${dir}/ may import ${pkg}.` }));
  const processOnly = (extra = []) => ({
    group: ['**/engine/process', '**/engine/process/**', ...extra],
    message: 'Only src-main/engine/process/ imports engine/process/ (it runs in the engine process).',
  });
  const upward = (folder) => ({
    group: aboveOf(folder).flatMap((f) => [`**/${f}`, `**/${f}/**`]),
    message: `src-main/${folder}/ must not import ${aboveOf(folder).join(', ')}: imports point down (npm run arch).`,
  });
  const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

  const folders = readdirSync(new URL('./src-main', import.meta.url), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const srcMain = folders.map((folder) => ({
    files: [`src-main/${folder}/**/*.{ts,mjs}`],
    rules: restrict([
      ...packages(folder),
      upward(folder),
      processOnly(folder === 'engine' ? ['./process', './process/**'] : []),
    ]),
  }));
  return [
    { files: ['src-preload/**/*.ts'], rules: restrict([...packages(null), upward('src-preload'), processOnly()]) },
    // The preload's entry is the one place outside app/ that must reach Electron (contextBridge, ipcRenderer).
    { files: ['src-preload/index.ts'], rules: restrict([...packages('app'), upward('src-preload'), processOnly()]) },
    ...srcMain,
    // After engine/'s entry, whose glob also matches these files.
    { files: ['src-main/engine/process/**/*.ts'], rules: restrict([...packages('engine/process'), upward('engine')]) },
    {
      files: ['src-renderer/**/*.{ts,svelte}'],
      rules: restrict([
        ...packages(null),
        { group: ['**/src-main', '**/src-main/**'], message: 'The renderer reaches the core only through src-preload/contract.' },
        { group: ['**/src-preload/index', '**/src-preload/index.*'], message: 'src-preload/index.ts is the Electron entry; import the contract.' },
      ]),
    },
  ];
}
