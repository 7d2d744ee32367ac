import { defineConfig } from 'vitest/config';
import { mutationGroup } from './scripts/mutation/groups.mjs';

// The unit tests StrykerJS runs against each mutant (stryker.config.mjs): those of the group MUTATE_GROUP names.
export default defineConfig({
  test: {
    include: mutationGroup().tests,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    server: { deps: { inline: ['electron-store'] } },
  },
});
