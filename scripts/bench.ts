/**
 * `npm run bench`: every benchmark row, measured side by side in one run on this machine, printed as a table and
 * written to bench-results/bench.json. Not a test: goals are reported, not asserted.
 * Options: --quick (smaller sizes), --only pixel,diffusion,library,startup,vae,fleet,repair,faces,colorize
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchRow } from '../test/bench/rows';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice(7) ?? (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined);
const only = onlyArg ? new Set(onlyArg.split(',')) : undefined;
const root = path.resolve(import.meta.dirname, '..');

type Suite = { name: string; file: string; run: (m: Record<string, unknown>) => Promise<BenchRow[]> };
const suites: Suite[] = [
  { name: 'pixel', file: 'test/bench/pixel-bench.ts', run: (m) => (m.pixelBench as (o: { quick: boolean }) => Promise<BenchRow[]>)({ quick }) },
  { name: 'diffusion', file: 'test/bench/diffusion-bench.ts', run: (m) => (m.diffusionBench as (o: { quick: boolean }) => Promise<BenchRow[]>)({ quick }) },
  { name: 'library', file: 'test/bench/library-bench.ts', run: (m) => (m.libraryBench as (o: { quick: boolean }) => Promise<BenchRow[]>)({ quick }) },
  { name: 'startup', file: 'test/bench/startup-bench.ts', run: (m) => (m.startupBench as () => Promise<BenchRow[]>)() },
  { name: 'vae', file: 'test/bench/vae-norm-bench.ts', run: (m) => (m.vaeNormBench as (o: { quick: boolean }) => Promise<BenchRow[]>)({ quick }) },
  { name: 'fleet', file: 'test/bench/fleet-bench.ts', run: (m) => (m.fleetBench as () => Promise<BenchRow[]>)() },
  { name: 'repair', file: 'test/bench/repair-bench.ts', run: (m) => (m.repairBench as (o: { quick: boolean }) => Promise<BenchRow[]>)({ quick }) },
  { name: 'faces', file: 'test/bench/faces-bench.ts', run: (m) => (m.facesBench as () => Promise<BenchRow[]>)() },
  { name: 'colorize', file: 'test/bench/colorize-bench.ts', run: (m) => (m.colorizeBench as () => Promise<BenchRow[]>)() },
];

const rows: BenchRow[] = [];
for (const s of suites) {
  if (only && !only.has(s.name)) continue;
  if (!existsSync(path.join(root, s.file))) continue;
  process.stderr.write(`bench: ${s.name}…\n`);
  const t = performance.now();
  const mod = (await import(path.join(root, s.file))) as Record<string, unknown>;
  rows.push(...(await s.run(mod)));
  process.stderr.write(`bench: ${s.name} took ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
}

const fmt = (v: number) => (Number.isNaN(v) ? '—' : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
const lines = rows.map((r) => {
  const verdict = r.pass === undefined ? '' : r.pass ? 'meets' : 'MISSES';
  return `| ${r.group} | ${r.name} | ${fmt(r.value)} ${r.unit} | ${r.goal ?? ''} | ${verdict} | ${r.note ?? ''} |`;
});
console.log(`Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}${quick ? ' (quick sizes)' : ''}`);
console.log('| group | measure | value | goal | verdict | note |\n|---|---|---|---|---|---|');
console.log(lines.join('\n'));
mkdirSync(path.join(root, 'bench-results'), { recursive: true });
writeFileSync(path.join(root, 'bench-results', 'bench.json'), JSON.stringify({ date: new Date().toISOString(), quick, cpu: os.cpus()[0]?.model, rows }, null, 2));
