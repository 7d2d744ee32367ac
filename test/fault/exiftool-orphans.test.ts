import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** pid → [ppid, args] of every process, from `ps -eo pid,ppid,args`. */
function processTable(): Map<number, { ppid: number; args: string }> {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).split('\n');
  const table = new Map<number, { ppid: number; args: string }>();
  for (const row of rows) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(row);
    if (m) table.set(Number(m[1]), { ppid: Number(m[2]), args: m[3]! });
  }
  return table;
}

function descendants(root: number): number[] {
  const table = processTable();
  const out: number[] = [];
  const walk = (pid: number): void => {
    for (const [child, p] of table) {
      if (p.ppid !== pid) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

const alive = (pid: number): boolean => processTable().has(pid);

describe.skipIf(process.platform === 'win32')('ExifTool never outlives its process', () => {
  it('exits within a few seconds after the process that started it is killed with SIGKILL', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'exiftool-orphan-child.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    const tree = descendants(child.pid!);
    const table = processTable();
    const exiftools = tree.filter((pid) => /exiftool/.test(table.get(pid)?.args ?? ''));
    expect(exiftools.length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    const deadline = Date.now() + 6000;
    while (Date.now() < deadline && tree.some(alive)) await new Promise((r) => setTimeout(r, 200));
    const left = tree.filter(alive);
    for (const pid of left) process.kill(pid, 'SIGKILL');
    expect(left.map((pid) => table.get(pid)?.args)).toEqual([]);
  }, 30_000);
});
