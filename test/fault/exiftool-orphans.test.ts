import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { alive, descendants, processTable } from '../support/processes';

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
