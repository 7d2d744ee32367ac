/**
 * Runs the real `revive` command (bin/revive.js) in a child process, as a user would, with a given user data folder
 * so tests never touch the real one. REVIVE_DEV=1: the sources through tsx, so the tests never run a stale build (the
 * built CLI is checked by test/package).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export const REVIVE_BIN = path.resolve(import.meta.dirname, '../../bin/revive.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `env`: extra variables for the child (a scheduler's shard index, say). */
export function runCli(args: string[], opts: { cwd: string; dataDir: string; env?: Record<string, string> }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [REVIVE_BIN, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, REVIVE_DATA_DIR: opts.dataDir, NO_COLOR: '1', REVIVE_DEV: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
