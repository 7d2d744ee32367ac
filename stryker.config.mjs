// @ts-check
// StrykerJS mutation testing (`npm run mutate`, issue 18): one module group per run, chosen by MUTATE_GROUP
// (scripts/mutation/groups.mjs), its reports under test-results/mutation/<group>/. Not part of `npm test`: it is slow.
import { mutationGroup } from './scripts/mutation/groups.mjs';

const group = mutationGroup();
const out = `test-results/mutation/${group.name}`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // The group's own unit tests (vitest.mutation.config.ts reads the same MUTATE_GROUP). Integration tests run the
  // code in child processes, which a mutant switched on in the test process cannot reach.
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  // Mutants that do not compile are dropped before any test runs; MUTATE_TYPECHECK=0 skips the check (faster on a
  // busy machine; such mutants then count as killed or survived by what the tests see).
  checkers: process.env.MUTATE_TYPECHECK === '0' ? [] : ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  mutate: group.mutate,
  // The machine's cores are shared: one test process, one checker.
  concurrency: 1,
  timeoutMS: 10_000,
  dryRunTimeoutMinutes: 20,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `${out}/index.html` },
  jsonReporter: { fileName: `${out}/report.json` },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  // A re-run after adding tests reuses the last run's results where they still hold (a mutant killed by a test that
  // did not change; a survivor no new or changed test covers) and tests only the rest: minutes instead of the hour a
  // full run of a large group takes here. MUTATE_FULL=1 tests every mutant again (and still records the results).
  incremental: true,
  force: process.env.MUTATE_FULL === '1',
  incrementalFile: `${out}/incremental.json`,
  // The sandbox copies the project; leave out what no unit test reads.
  ignorePatterns: ['dist', 'release', 'bench-results', 'test-results', 'sample-output', 'models/realesrgan-x4plus', 'src-renderer', 'docs'],
};
