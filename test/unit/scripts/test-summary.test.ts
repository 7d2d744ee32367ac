/**
 * The closing line of `npm test` (scripts/test-summary.ts) on real vitest reports: a fixture run whose tests all pass
 * but which throws an unhandled error must not read "0 failed".
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarise, type StepOutcome, type VitestReport } from '../../../scripts/test-summary';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'runner');
const work = mkdtempSync(path.join(os.tmpdir(), 'revive-summary-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const report = (over: Partial<VitestReport> = {}): VitestReport => ({ numPassedTests: 5, numFailedTests: 0, testResults: [{ name: 'a.test.ts', status: 'passed', assertionResults: [] }], ...over });
const vitestStep = (status: number | null, r: VitestReport | null): StepOutcome => ({ name: 'vitest', status, wantsReport: true, report: r });

describe('the closing line', () => {
  it('counts an unhandled error of a real vitest run (all tests passed, exit 1) as a failure', () => {
    const out = path.join(work, 'unhandled.json');
    const run = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', path.join(FIXTURES, 'vitest.config.ts'), '--reporter=default', '--reporter=json', `--outputFile.json=${out}`],
      { cwd: ROOT, encoding: 'utf8' },
    );
    // The injection really happened: vitest failed the run although every test passed.
    expect(run.stdout + run.stderr).toMatch(/injected unhandled error/);
    expect(run.status).toBe(1);
    const r = JSON.parse(readFileSync(out, 'utf8')) as VitestReport;
    expect([r.numPassedTests, r.numFailedTests]).toEqual([3, 0]);

    const s = summarise([{ name: 'typecheck', status: 0, wantsReport: false, report: null }, vitestStep(run.status, r)]);
    expect(s.lines.at(-1)).toBe('4 passed, 1 failed');
    expect(s.lines[0]).toBe('failing steps: vitest');
    expect(s.lines).toContain('vitest: exit 1 with no failed test (an unhandled error or a crash)');
  });

  it('says "0 failed" only when every step exited 0', () => {
    const green = summarise([{ name: 'lint', status: 0, wantsReport: false, report: null }, vitestStep(0, report())]);
    expect(green.lines).toEqual(['all steps passed', '6 passed, 0 failed']);
    const cases: StepOutcome[][] = [
      [vitestStep(1, report())],
      [vitestStep(null, report())],
      [vitestStep(1, null)],
      [vitestStep(0, null)],
      [{ name: 'lint', status: 2, wantsReport: false, report: null }],
    ];
    for (const steps of cases) {
      const s = summarise(steps);
      expect(s.failed, JSON.stringify(steps)).toBeGreaterThan(0);
      expect(s.lines.at(-1)).not.toMatch(/ 0 failed$/);
    }
  });

  it('adds files that failed outside their tests to the failed tests', () => {
    const r = report({
      numPassedTests: 4,
      numFailedTests: 2,
      testResults: [
        { name: 'broken-import.test.ts', status: 'failed', assertionResults: [] },
        { name: 'two-fail.test.ts', status: 'failed', assertionResults: [{ status: 'failed' }, { status: 'failed' }, { status: 'passed' }] },
        { name: 'fine.test.ts', status: 'passed', assertionResults: [{ status: 'passed' }] },
      ],
    });
    const s = summarise([vitestStep(1, r)]);
    expect([s.passed, s.failed]).toEqual([4, 3]);
    expect(s.notes).toEqual(['vitest: 1 file(s) failed outside their tests']);
  });
});
