import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each ONNX session spins up its own thread pool; two cores cannot take more than one file at a time well.
    fileParallelism: false,
  },
});
