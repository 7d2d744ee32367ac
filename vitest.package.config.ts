/**
 * The package check (`npm run test:package`, a step of `npm test`): builds, packages once with `npm run package:dir`
 * (test/package/global-setup.ts), then test/package reads what the package holds and runs it. Separate from the unit
 * suites because packaging takes a while; REVIVE_PACKAGE_REUSE=1 checks the existing release/ without repackaging.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    globalSetup: ['test/package/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
