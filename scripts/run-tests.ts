/**
 * The project's one test command (`npm test`): typecheck, lint, the architecture check (`npm run arch`), the vitest
 * suites (unit + integration), the fault test and the browser end-to-end suite, in that order. Every step runs even if
 * an earlier one failed, so one run shows everything that is wrong. Ends with the plain `N passed, N failed` line CI reads.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

interface Step {
  name: string;
  cmd: string[];
  /** A vitest JSON report to count individual tests from; otherwise the step counts as one test. */
  report?: string;
  /** Only run when this file exists (suites that later work adds). */
  when?: string;
}

const root = path.resolve(import.meta.dirname, '..');
const results = path.join(root, 'test-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

const vitestJson = (name: string): string[] => ['--reporter=default', '--reporter=json', `--outputFile.json=${path.join(results, `${name}.json`)}`];

const steps: Step[] = [
  { name: 'typecheck', cmd: ['npx', 'tsc', '-p', '.'] },
  { name: 'lint', cmd: ['npx', 'eslint', '.'] },
  { name: 'arch', cmd: ['npm', 'run', '--silent', 'arch'] },
  { name: 'svelte-check', cmd: ['npm', 'run', '--silent', 'check:svelte'], when: 'src-renderer/src/App.svelte' },
  { name: 'vitest', cmd: ['npx', 'vitest', 'run', ...vitestJson('vitest')], report: 'vitest.json' },
  {
    name: 'fault',
    cmd: ['npm', 'run', '--silent', 'test:fault', '--', ...vitestJson('fault')],
    report: 'fault.json',
    when: 'test/fault',
  },
  {
    name: 'e2e',
    cmd: ['npm', 'run', '--silent', 'test:e2e', '--', ...vitestJson('e2e')],
    report: 'e2e.json',
    when: 'test/e2e/app.e2e.ts',
  },
  // The package check (issue 19): builds, packages once with `npm run package:dir`, then reads and runs the package.
  {
    name: 'package',
    cmd: ['npm', 'run', '--silent', 'test:package', '--', ...vitestJson('package-check')],
    report: 'package-check.json',
    when: 'test/package/package.test.ts',
  },
];

let passed = 0;
let failed = 0;
const failures: string[] = [];

for (const step of steps) {
  if (step.when && !existsSync(path.join(root, step.when))) continue;
  console.log(`\n=== ${step.name}: ${step.cmd.join(' ')}`);
  const r = spawnSync(step.cmd[0]!, step.cmd.slice(1), { cwd: root, stdio: 'inherit' });
  const reportPath = step.report ? path.join(results, step.report) : null;
  if (reportPath && existsSync(reportPath)) {
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numTotalTestSuites: number;
      testResults: { status: string; name: string }[];
    };
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    // A file that fails to load counts no tests; count it so it cannot hide.
    const brokenFiles = report.testResults.filter((t) => t.status === 'failed').length;
    if (report.numFailedTests === 0 && brokenFiles > 0) failed += brokenFiles;
    if (r.status !== 0 || report.numFailedTests > 0) failures.push(step.name);
  } else if (r.status === 0 && !reportPath) {
    passed += 1;
  } else {
    failed += 1;
    failures.push(step.name);
  }
}

console.log(`\n${failures.length ? `failing steps: ${failures.join(', ')}` : 'all steps passed'}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || failures.length > 0 ? 1 : 0);
