/**
 * Start-up of the `revive` command (not a test: nothing here asserts). `npm run bench` runs {@link startupBench} with
 * the other suites; `npx tsx test/bench/startup-bench.ts` runs it alone.
 *
 * Row: `revive --help` from the built CLI (`node bin/revive.js`, which runs dist/cli/main.js) against the TypeScript
 * sources through tsx (`REVIVE_DEV=1 node bin/revive.js`, how the command started before the build existed),
 * alternating the two, 5 runs each, medians side by side. Builds first (`npm run build`) so the bundle is current.
 * A third row times Node alone (`node -e 0`) in the same alternation: on a loaded machine it tells how much of the
 * help's time is the CLI's own (modules loaded and parsed) and how much is starting any Node process.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchRow } from './rows';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'revive.js');
const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wall time of one `revive --help` (ms). */
function helpOnce(dev: boolean): number {
  const env = { ...process.env, REVIVE_DEV: dev ? '1' : '' };
  const t = performance.now();
  const r = spawnSync(process.execPath, [BIN, '--help'], { cwd: ROOT, env, encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0 || !r.stdout.includes('Usage: revive')) throw new Error(`revive --help failed (${dev ? 'tsx' : 'built'}): ${r.stderr}`);
  return ms;
}

/** Wall time of a Node process that does nothing (ms). */
function nodeAlone(): number {
  const t = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  return performance.now() - t;
}

export async function startupBench(): Promise<BenchRow[]> {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
  // One warm-up each (disk cache), then alternate so both see the same machine load.
  helpOnce(false);
  helpOnce(true);
  const built: number[] = [];
  const tsx: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    built.push(helpOnce(false));
    tsx.push(helpOnce(true));
    bare.push(nodeAlone());
  }
  const b = median(built);
  const t = median(tsx);
  const n = median(bare);
  return [
    {
      group: 'startup',
      name: `revive --help, built CLI (median of ${RUNS})`,
      value: b,
      unit: 'ms',
      goal: '< 500 ms',
      pass: b < 500,
      note: `tsx start ${t.toFixed(0)} ms in the same run (${(t / b).toFixed(1)}× slower); runs ${built.map((x) => x.toFixed(0)).join('/')} vs ${tsx.map((x) => x.toFixed(0)).join('/')}`,
    },
    { group: 'startup', name: `revive --help, sources through tsx (median of ${RUNS})`, value: t, unit: 'ms' },
    {
      group: 'startup',
      name: `node -e 0, Node alone (median of ${RUNS})`,
      value: n,
      unit: 'ms',
      note: `the built CLI's own share of --help: ${(b - n).toFixed(0)} ms`,
    },
  ];
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  for (const r of await startupBench()) console.log(`${r.name}: ${r.value.toFixed(0)} ${r.unit}${r.note ? ` (${r.note})` : ''}`);
}
