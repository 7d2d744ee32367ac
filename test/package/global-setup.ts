/**
 * Builds and packages once for the whole package check: `npm run build`, then `npm run package:dir` (the stand-in
 * for Electron where its binary is missing: scripts/package-dir.ts). REVIVE_PACKAGE_REUSE=1 keeps an existing
 * release/ (iterating on the checks).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

function run(script: string): number {
  const t = performance.now();
  const r = spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm run ${script} failed (exit ${r.status})`);
  return (performance.now() - t) / 1000;
}

export default function setup(): void {
  if (process.env.REVIVE_PACKAGE_REUSE === '1' && existsSync(path.join(root, 'release', `${process.platform}-unpacked`))) return;
  const build = run('build');
  const pack = run('package:dir');
  console.log(`package check: build ${build.toFixed(1)} s, package:dir ${pack.toFixed(1)} s`);
}
