/**
 * The machine's process table as tests see it (`ps -eo pid,ppid,args`, POSIX only): who started whom, so a test can
 * record every process a command started and check, after it ends however it ends, that none is left running.
 */
import { execFileSync } from 'node:child_process';

export interface ProcessRow {
  ppid: number;
  args: string;
}

/** pid → parent pid and command line of every process. */
export function processTable(): Map<number, ProcessRow> {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).split('\n');
  const table = new Map<number, ProcessRow>();
  for (const row of rows) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(row);
    if (m) table.set(Number(m[1]), { ppid: Number(m[2]), args: m[3]! });
  }
  return table;
}

/** Every process below `root` (children, grandchildren…), as pids. */
export function descendants(root: number, table = processTable()): number[] {
  const out: number[] = [];
  const walk = (pid: number): void => {
    for (const [child, row] of table) {
      if (row.ppid !== pid) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

/** Whether a process with this pid exists (a zombie still listed by ps counts as existing). */
export function alive(pid: number): boolean {
  return processTable().has(pid);
}

/**
 * Records a process tree while it runs: every descendant of `root` ever seen, with its command line, polled every
 * `everyMs`. A tree must be recorded over time because children come and go (the engine starts ExifTool on its first
 * photo) and an orphan is no longer anyone's descendant once its parent has died.
 */
export class TreeRecorder {
  readonly seen = new Map<number, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly root: number, everyMs = 100) {
    this.poll();
    this.timer = setInterval(() => this.poll(), everyMs);
  }

  poll(): void {
    const table = processTable();
    for (const pid of descendants(this.root, table)) this.seen.set(pid, table.get(pid)!.args);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Recorded processes whose command line matches. */
  matching(pattern: RegExp): number[] {
    return [...this.seen].filter(([, args]) => pattern.test(args)).map(([pid]) => pid);
  }

  /**
   * Waits up to `ms` for every recorded process (and the root) to end; returns the command lines of those still
   * running, after killing them so a failing test leaves nothing behind.
   */
  async leftAfter(ms: number): Promise<string[]> {
    this.stop();
    const pids = [this.root, ...this.seen.keys()];
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 100));
    const table = processTable();
    const left = pids.filter((pid) => table.has(pid));
    const described = left.map((pid) => `${pid} ${table.get(pid)!.args}`);
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone between the check and the kill
      }
    }
    return described;
  }
}
