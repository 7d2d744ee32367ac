/**
 * `npm run arch`: prints the folder-level import graph of the sources with counts, then every rule break (the rules and
 * the folder ranks are in scripts/arch/rules.ts), and exits 1 when there is any. Ends with "N upward imports, N cycles".
 */
import path from 'node:path';
import { analyse, RANKS, type ArchReport, type Cycle } from './arch/rules';
import { scanImports } from './arch/scan';

/** The report as lines of text: graph, breaks, cycles, and the closing count. */
export function formatReport(report: ArchReport): string[] {
  const lines = ['Folder imports (importing folder [rank] → imported folder and number of file imports):'];
  const rank = (n: string): number => RANKS[n] ?? Number.POSITIVE_INFINITY;
  const byRankDesc = (a: string, b: string): number => rank(b) - rank(a) || a.localeCompare(b);
  for (const from of [...report.folderEdges.keys()].sort(byRankDesc)) {
    const row = report.folderEdges.get(from)!;
    const targets = [...row.keys()].sort(byRankDesc).map((to) => `${to} ${row.get(to)}`);
    lines.push(`  ${from} [${RANKS[from] ?? 'own rules'}] → ${targets.join(', ')}`);
  }
  if (report.breaks.length) {
    lines.push('', 'Rule breaks:');
    for (const b of report.breaks) lines.push(`  ${b.from} imports '${b.specifier}': ${b.reason}`);
  }
  const describe = (kind: string, c: Cycle): string =>
    `${kind} cycle: ${c.path.join(' → ')}${c.members.length > c.path.length - 1 ? ` (a knot of ${c.members.length}: ${c.members.join(', ')})` : ''}`;
  const cycles = [...report.folderCycles.map((c) => describe('folder', c)), ...report.fileCycles.map((c) => describe('file', c))];
  if (cycles.length) lines.push('', 'Cycles:', ...cycles.map((c) => `  ${c}`));
  lines.push('', `${report.breaks.length} upward imports, ${cycles.length} cycles`);
  return lines;
}

/** True when the report has nothing to fix. */
export function isClean(report: ArchReport): boolean {
  return report.breaks.length === 0 && report.folderCycles.length === 0 && report.fileCycles.length === 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const report = analyse(scanImports(path.resolve(import.meta.dirname, '..')));
  console.log(formatReport(report).join('\n'));
  process.exit(isClean(report) ? 0 : 1);
}
