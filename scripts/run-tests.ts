/**
 * The project's one test command (`npm test`): typecheck, lint, the architecture check (`npm run arch`), the vitest
 * suites (unit + integration), the fault test and the browser end-to-end suite, in that order. Every step runs even if
 * an earlier one failed, so one run shows everything that is wrong. Ends with the plain `N passed, N failed` line CI reads
 * (scripts/test-summary.ts: never "0 failed" when a step failed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { summarise, type StepOutcome, type VitestReport } from './test-summary';

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

const outcomes: StepOutcome[] = [];

for (const step of steps) {
  if (step.when && !existsSync(path.join(root, step.when))) continue;
  console.log(`\n=== ${step.name}: ${step.cmd.join(' ')}`);
  const r = spawnSync(step.cmd[0]!, step.cmd.slice(1), { cwd: root, stdio: 'inherit' });
  const reportPath = step.report ? path.join(results, step.report) : null;
  const report = reportPath && existsSync(reportPath) ? (JSON.parse(readFileSync(reportPath, 'utf8')) as VitestReport) : null;
  outcomes.push({ name: step.name, status: r.status, wantsReport: reportPath !== null, report });
}

const summary = summarise(outcomes);
console.log(`\n${summary.lines.join('\n')}`);
process.exit(summary.failed > 0 ? 1 : 0);
