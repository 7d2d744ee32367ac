/**
 * `npm run mutate [-- group …]`: StrykerJS over each module group of scripts/mutation/groups.mjs in turn (all when
 * none is named), one run at a time with concurrency 1, then the score of every module that has a report as a table
 * (test-results/mutation/summary.md, and printed). Not part of `npm test`: it takes minutes per group.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MUTATION_GROUPS } from './mutation/groups.mjs';
import { mutationScores, scoreTable } from './mutation/scores';

const root = path.resolve(import.meta.dirname, '..');
const outDir = path.join(root, 'test-results', 'mutation');
const asked = process.argv.slice(2);
const unknown = asked.filter((g) => !(g in MUTATION_GROUPS));
if (unknown.length) {
  console.error(`unknown group(s) ${unknown.join(', ')}; one of ${Object.keys(MUTATION_GROUPS).join(', ')}`);
  process.exit(2);
}
let failed = false;
for (const group of asked.length ? asked : Object.keys(MUTATION_GROUPS)) {
  console.log(`\n=== mutation group ${group}`);
  const r = spawnSync('npx', ['stryker', 'run'], { cwd: root, stdio: 'inherit', env: { ...process.env, MUTATE_GROUP: group } });
  if (r.status !== 0) {
    console.error(`stryker failed on ${group} (exit ${r.status ?? r.signal})`);
    failed = true;
  }
}
const reports = Object.keys(MUTATION_GROUPS)
  .map((g) => path.join(outDir, g, 'report.json'))
  .filter((f) => existsSync(f))
  .map((f) => JSON.parse(readFileSync(f, 'utf8')) as Parameters<typeof mutationScores>[0]);
const table = scoreTable(reports.flatMap((r) => mutationScores(r, root)));
mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, 'summary.md'), `${table}\n`);
console.log(`\n${table}`);
process.exit(failed ? 1 : 0);
