import { defineConfig } from 'vitest/config';

// The fault test (npm run test:fault): a real CLI batch killed with SIGKILL again and again. Slow by nature, so it
// has its own config and script, and runs on its own.
export default defineConfig({
  test: {
    include: ['test/fault/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
