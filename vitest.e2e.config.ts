/**
 * The browser end-to-end suite (`npm run test:e2e`): `revive serve` on a temporary data folder, driven by Debian's
 * Chromium through playwright-core. Separate from the unit suites: it builds the interface and runs a real model.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
