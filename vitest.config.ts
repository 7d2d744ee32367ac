import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each ONNX session spins up its own thread pool; two cores cannot take more than one file at a time well.
    fileParallelism: false,
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
