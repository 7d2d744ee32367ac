/**
 * The closing line of `npm test` (scripts/run-tests.ts), computed from each step's exit status and, for vitest steps,
 * its JSON report. Its promise: "0 failed" only when every step exited 0. A vitest JSON report counts tests only; a
 * file that fails to load and an unhandled error (which fails the run, exit 1, with every test passed) appear in no
 * test count, so they are counted here from the file statuses and the exit status.
 */

/** The part of vitest's JSON report read here. */
export interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { status: string; name: string; assertionResults?: { status: string }[] }[];
}

export interface StepOutcome {
  name: string;
  /** Exit status; null when killed by a signal. */
  status: number | null;
  /** Whether the step writes a vitest JSON report (then `report` is what it wrote, or null when it wrote none). */
  wantsReport: boolean;
  report: VitestReport | null;
}

export interface TestSummary {
  passed: number;
  failed: number;
  failingSteps: string[];
  /** Why each failure that is not a failed test was counted ("vitest: 1 file failed outside its tests"). */
  notes: string[];
  /** `all steps passed` or `failing steps: a, b`, then `N passed, N failed`. */
  lines: string[];
}

/** Counts one step into `s`. */
function countStep(s: TestSummary, step: StepOutcome): void {
  const ok = step.status === 0;
  if (!step.wantsReport) {
    if (ok) s.passed += 1;
    else {
      s.failed += 1;
      s.failingSteps.push(step.name);
    }
    return;
  }
  if (!step.report) {
    s.failed += 1;
    s.failingSteps.push(step.name);
    s.notes.push(`${step.name}: wrote no report (exit ${step.status ?? 'by signal'})`);
    return;
  }
  const r = step.report;
  let failed = r.numFailedTests;
  // A file whose status is failed while none of its tests failed broke outside them (import error, failing hook).
  const broken = r.testResults.filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')).length;
  if (broken) s.notes.push(`${step.name}: ${broken} file(s) failed outside their tests`);
  failed += broken;
  // Exit status ≠ 0 with nothing counted yet: unhandled errors, a crash or a timeout; the report cannot say which.
  if (!ok && failed === 0) {
    failed = 1;
    s.notes.push(`${step.name}: exit ${step.status ?? 'by signal'} with no failed test (an unhandled error or a crash)`);
  }
  s.passed += r.numPassedTests;
  s.failed += failed;
  if (!ok || failed > 0) s.failingSteps.push(step.name);
}

/** The summary of all steps, in order. */
export function summarise(steps: StepOutcome[]): TestSummary {
  const s: TestSummary = { passed: 0, failed: 0, failingSteps: [], notes: [], lines: [] };
  for (const step of steps) countStep(s, step);
  s.lines = [s.failingSteps.length ? `failing steps: ${s.failingSteps.join(', ')}` : 'all steps passed', ...s.notes, `${s.passed} passed, ${s.failed} failed`];
  return s;
}
