import { mkdtempSync, mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppArgv } from '../../../src-main/app/argv';
import { createShellHandoff, type ShellInputSink } from '../../../src-main/app/handoff';

interface Defaults {
  model: string;
}
interface Added {
  added: string[];
  skipped: string[];
}

/** A stand-in for the jobs queue: records every call. */
function recordingSink(fail = false) {
  const calls: { paths: string[]; settings: Defaults }[] = [];
  const sink: ShellInputSink<Defaults, Added> = {
    async addInputs(paths, settings) {
      calls.push({ paths, settings });
      if (fail) throw new Error('database is locked');
      return { added: paths, skipped: [] };
    },
  };
  return { sink, calls, all: () => calls.flatMap((c) => c.paths) };
}

const defaults: Defaults = { model: 'realesrgan-x4fast' };
let dir: string;
let a: string;
let b: string;
let link: string;

beforeAll(() => {
  // Real path: on macOS the temp folder itself sits behind a symlink.
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'revive-handoff-')));
  mkdirSync(path.join(dir, 'My Photos'));
  a = path.join(dir, 'My Photos', 'a.jpg');
  b = path.join(dir, 'My Photos', 'b.png');
  writeFileSync(a, 'x');
  writeFileSync(b, 'y');
  link = path.join(dir, 'link-to-a.jpg');
  symlinkSync(a, link);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createShellHandoff', () => {
  it('queues each file once with the defaults, even when sent twice in one hand-off', async () => {
    const { sink, calls } = recordingSink();
    const h = createShellHandoff(sink);
    const r = await h.enqueueFromShell([a, b, a], defaults);
    expect(calls).toEqual([{ paths: [a, b], settings: defaults }]);
    expect(r.queued).toEqual([a, b]);
    expect(r.duplicates).toEqual([a]);
    expect(r.result).toEqual({ added: [a, b], skipped: [] });
  });

  it('ignores a repeat within the pending window, by real path (a symlink is the same file)', async () => {
    const { sink, all } = recordingSink();
    let t = 1_000;
    const h = createShellHandoff(sink, { now: () => t, pendingWindowMs: 10_000 });
    await h.enqueueFromShell([a], defaults);
    t += 9_999;
    const again = await h.enqueueFromShell([link, a], defaults);
    expect(again).toEqual({ queued: [], duplicates: [link, a], unreadable: [], result: null });
    t += 1;
    const later = await h.enqueueFromShell([link], defaults);
    expect(later.queued).toEqual([a]);
    expect(all()).toEqual([a, a]);
  });

  it('lets only one of two racing hand-offs claim a file', async () => {
    const { sink, all } = recordingSink();
    const h = createShellHandoff(sink);
    const [r1, r2] = await Promise.all([h.enqueueFromShell([a, b], defaults), h.enqueueFromShell([b, a], defaults)]);
    expect(all().sort()).toEqual([a, b].sort());
    expect([...r1.queued, ...r2.queued].sort()).toEqual([a, b].sort());
    expect([...r1.duplicates, ...r2.duplicates].sort()).toEqual([a, b].sort());
  });

  it('reports missing files with the system message and queues the rest', async () => {
    const { sink, all } = recordingSink();
    const missing = path.join(dir, 'gone.jpg');
    const r = await createShellHandoff(sink).enqueueFromShell([missing, b], defaults);
    expect(all()).toEqual([b]);
    expect(r.unreadable).toHaveLength(1);
    expect(r.unreadable[0]!.path).toBe(missing);
    expect(r.unreadable[0]!.reason).toMatch(/ENOENT/);
  });

  it('forgets the paths of a failed hand-off so a retry is queued, and propagates the error', async () => {
    const failing = recordingSink(true);
    const working = recordingSink();
    let sink: ShellInputSink<Defaults, Added> = failing.sink;
    const h = createShellHandoff<Defaults, Added>({ addInputs: (p, s) => sink.addInputs(p, s) });
    await expect(h.enqueueFromShell([a], defaults)).rejects.toThrow('database is locked');
    sink = working.sink;
    const r = await h.enqueueFromShell([a], defaults);
    expect(r.queued).toEqual([a]);
    expect(working.all()).toEqual([a]);
  });

  it('rejects a negative window, naming it', () => {
    expect(() => createShellHandoff(recordingSink().sink, { pendingWindowMs: -1 })).toThrow(/got -1/);
  });

  it('takes an Explorer multi-select (one second instance per file, one sent twice) into the queue once each', async () => {
    // MultiSelectModel=Player starts Revive.exe once per selected file; each forwards its argv + cwd.
    const { sink, calls, all } = recordingSink();
    const h = createShellHandoff(sink);
    const launches = [a, b, a].map((file) => ({
      argv: ['/opt/Revive/revive', '--enhance', '--original-process-start-time=133', path.relative(dir, file)],
      cwd: dir,
    }));
    for (const l of launches) {
      const cmd = parseAppArgv(l.argv, { cwd: l.cwd, platform: 'linux', launcherArgs: 1 });
      await h.enqueueFromShell(cmd.enhance, defaults);
    }
    expect(all()).toEqual([a, b]);
    expect(calls.every((c) => c.settings === defaults)).toBe(true);
  });
});
