// Lint: typescript-eslint's recommended rules plus the project's boundaries (see README "Architecture").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'release/', '.revive-tmp-*/', 'models/', 'test/fixtures/generated/', 'bench-results/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // Module boundaries: only engine/ runs models, only imaging/ touches sharp, only store/ opens SQLite,
  // only app/ imports electron. Each folder gets every restriction but its own.
  ...boundaryConfigs(),
);

function boundaryConfigs() {
  const owners = {
    'onnxruntime-node': 'engine',
    sharp: 'imaging',
    'better-sqlite3': 'store',
    electron: 'app',
  };
  const rule = (except) =>
    restrict(
      Object.entries(owners)
        .filter(([, dir]) => dir !== except)
        .map(([pkg, dir]) => ({ group: [pkg], message: `Only src-main/${dir}/ may import ${pkg}.` })),
    );
  return [
    { files: ['src-main/**/*.ts', 'src-preload/**/*.ts', 'src-renderer/**/*.ts'], rules: rule(null) },
    ...Object.values(owners).map((dir) => ({ files: [`src-main/${dir}/**/*.ts`], rules: rule(dir) })),
    // The preload's entry is the one place outside app/ that must reach Electron (contextBridge, ipcRenderer).
    { files: ['src-preload/index.ts'], rules: rule('app') },
  ];
}
