import { describe, expect, it } from 'vitest';
import { resolveSpecifier, specifiersOf } from '../../../scripts/arch/scan';

describe('specifiersOf', () => {
  it('finds static, type-only, re-export, side-effect and dynamic imports, not comments', () => {
    const code = [
      "import { a } from './a';",
      "import type { B } from '../b';",
      "export { c } from './c';",
      "export * from './d';",
      "import './e';",
      "// import x from './not-me';",
      "const f = await import('./f');",
    ].join('\n');
    expect(specifiersOf('src-main/x/y.ts', code)).toEqual(['./a', '../b', './c', './d', './e', './f']);
  });

  it("reads a Svelte component's script blocks only", () => {
    const component = [
      '<script module lang="ts">',
      "  import { m } from './module-part';",
      '</script>',
      '<script lang="ts">',
      "  import Row from './Row.svelte';",
      '</script>',
      "<p>import x from './markup-text'</p>",
    ].join('\n');
    expect(specifiersOf('src-renderer/src/A.svelte', component)).toEqual(['./module-part', './Row.svelte']);
  });
});

describe('resolveSpecifier', () => {
  const files = new Set(['src-main/jobs/state.ts', 'src-main/pixels/index.ts', 'src-renderer/src/lib/app-state.svelte.ts', 'src-renderer/src/A.svelte']);

  it('resolves as the bundler does: extensionless, .js for .ts, folder index, .svelte', () => {
    expect(resolveSpecifier('src-main/core/x.ts', '../jobs/state', files)).toBe('src-main/jobs/state.ts');
    expect(resolveSpecifier('src-main/core/x.ts', '../jobs/state.js', files)).toBe('src-main/jobs/state.ts');
    expect(resolveSpecifier('src-main/core/x.ts', '../pixels', files)).toBe('src-main/pixels/index.ts');
    expect(resolveSpecifier('src-renderer/src/B.svelte', './lib/app-state.svelte', files)).toBe('src-renderer/src/lib/app-state.svelte.ts');
    expect(resolveSpecifier('src-renderer/src/B.svelte', './A.svelte', files)).toBe('src-renderer/src/A.svelte');
  });

  it('leaves packages and unknown files alone', () => {
    expect(resolveSpecifier('src-main/core/x.ts', 'zod', files)).toBeNull();
    expect(resolveSpecifier('src-main/core/x.ts', '../jobs/missing', files)).toBeNull();
  });
});
