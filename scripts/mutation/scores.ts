/**
 * Mutation scores per module from StrykerJS JSON reports (the mutation-testing-report-schema): score = detected /
 * (detected + undetected), where detected = killed or timed out and undetected = survived or not covered by any
 * test; mutants that did not compile or were ignored do not count (Stryker's own "mutation score").
 */
import path from 'node:path';

export interface MutationReport {
  files: Record<string, { mutants: { status: string }[] }>;
}

export interface ModuleScore {
  file: string;
  killed: number;
  survived: number;
  noCoverage: number;
  timeout: number;
  score: number;
}

/** One row per mutated file of `report`, named relative to `root`. */
export function mutationScores(report: MutationReport, root: string): ModuleScore[] {
  return Object.entries(report.files).map(([file, { mutants }]) => {
    const count = (s: string): number => mutants.filter((m) => m.status === s).length;
    const killed = count('Killed');
    const timeout = count('Timeout');
    const survived = count('Survived');
    const noCoverage = count('NoCoverage');
    const valid = killed + timeout + survived + noCoverage;
    return {
      file: path.isAbsolute(file) ? path.relative(root, file) : file,
      killed,
      survived,
      noCoverage,
      timeout,
      score: valid ? Math.round(((killed + timeout) / valid) * 1000) / 10 : 100,
    };
  });
}

/** A Markdown table of the rows, sorted by file, each against the 80 % goal. */
export function scoreTable(rows: ModuleScore[]): string {
  const lines = ['| module | score | killed | timed out | survived | no coverage | goal 80 % |', '|---|---:|---:|---:|---:|---:|---|'];
  for (const r of [...rows].sort((a, b) => a.file.localeCompare(b.file))) {
    lines.push(`| ${r.file} | ${r.score.toFixed(1)} % | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.noCoverage} | ${r.score >= 80 ? 'met' : 'NOT met'} |`);
  }
  return lines.join('\n');
}
