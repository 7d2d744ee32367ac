import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each ONNX session spins up its own thread pool; two cores cannot take more than one file at a time well.
    fileParallelism: false,
    // electron-store imports `electron` itself: run it through vitest so tests that mock `electron` reach it too.
    server: { deps: { inline: ['electron-store'] } },
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'] },
      },
      // Svelte components and state classes in happy-dom (its own config: the Svelte plugin, browser conditions).
      'src-renderer/vitest.config.ts',
    ],
  },
});
