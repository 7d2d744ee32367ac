/**
 * Debian tools some tests validate against (desktop-file-validate, makensis, gio). A missing tool fails the test
 * with the package to install — these checks are never skipped (.ci/run installs the packages).
 */
import { spawnSync } from 'node:child_process';

/** Throws, naming the Debian package, when `tool` is not on PATH. */
export function requireTool(tool: string, debianPackage: string): void {
  const r = spawnSync('sh', ['-c', `command -v "$1"`, 'sh', tool], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`${tool} is not installed: install the Debian package "${debianPackage}" (apt-get install ${debianPackage})`);
  }
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a tool and returns its exit status and output (no shell). */
export function runTool(tool: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): RunResult {
  const r = spawnSync(tool, args, { encoding: 'utf8', ...options });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
