/**
 * Issue 13 point 9, through the real command parser (main): `--version`, examples in every `--help`, one error prefix
 * for every error, `revive queue list|drop|clear`, and `--help`/`--version` loading no image, model or database
 * library (the start-up time itself is measured by `npm run bench -- --only startup`, not asserted here).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src-main/cli/main';
import { ERROR_PREFIX } from '../../../src-main/cli/errors';
import { jobSettingsFromOptions } from '../../../src-main/cli/enhance-command';
import { parseEnhanceOptions, UsageError, type RawEnhanceOptions } from '../../../src-main/cli/options';
import { EXAMPLES } from '../../../src-main/cli/help-text';
import { QueueStore } from '../../../src-main/jobs/queue-store';
import { parseJobSettings } from '../../../src-main/settings/job-settings';
import { acquireLock, QUEUE_LOCK } from '../../../src-main/store/lock';
import { tempWorld, writePhoto, type TempWorld } from '../../support/job-fixtures';

const ROOT = path.resolve(import.meta.dirname, '../../..');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    text: () => ({ out: out.join(''), err: err.join('') }),
    io: { stdout: { write: (s: string) => (out.push(s), true) }, stderr: { write: (s: string) => (err.push(s), true) } },
  };
}

describe('revive --version and --help', () => {
  it('prints the version of package.json, with -V too', async () => {
    const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-V']) {
      const c = capture();
      expect(await main([flag], { ...c.io, cwd: ROOT })).toBe(0);
      expect(c.text().out).toBe(`revive ${version}\n`);
    }
  });

  it('ends the top-level help and each command’s help with its examples', async () => {
    for (const command of ['', 'enhance', 'queue', 'models', 'resume', 'history', 'serve']) {
      const c = capture();
      expect(await main(command ? [command, '--help'] : ['--help'], { ...c.io, cwd: ROOT })).toBe(0);
      const help = c.text().out;
      expect(help).toContain('\nExamples:\n');
      for (const [line, what] of EXAMPLES[command]!) expect(help).toMatch(new RegExp(`  ${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +# ${what.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`));
    }
    const top = capture();
    await main(['--help'], { ...top.io, cwd: ROOT });
    expect(top.text().out).toMatch(/-V, --version +print the version of Revive/);
    expect(top.text().out).toMatch(/\n {2}queue /);
  });

  it('loads no image, model, database, ExifTool or schema library for --help and --version', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'revive-loads-'));
    try {
      // A resolve hook that writes every module URL it sees: the CLI's imports all pass through it.
      writeFileSync(path.join(dir, 'hooks.mjs'), "import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(process.env.LOAD_LOG, r.url + '\\n'); return r; }\n");
      writeFileSync(path.join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister(new URL('./hooks.mjs', import.meta.url));\n");
      for (const flag of ['--help', '--version']) {
        const log = path.join(dir, `${flag.slice(2)}.log`);
        const r = spawnSync(process.execPath, ['--import', path.join(dir, 'register.mjs'), path.join(ROOT, 'bin', 'revive.js'), flag], {
          cwd: ROOT,
          env: { ...process.env, REVIVE_DEV: '1', LOAD_LOG: log },
          encoding: 'utf8',
        });
        expect(r.status, r.stderr).toBe(0);
        const loaded = readFileSync(log, 'utf8');
        expect(loaded).toContain('/src-main/cli/main.ts'); // the hook saw the CLI's own modules
        // zod too: its bundle is three quarters of a megabyte to parse, and help needs no schema.
        for (const heavy of ['sharp', 'better-sqlite3', 'onnxruntime-node', 'exiftool-vendored', 'libheif-js', 'zod']) {
          expect(loaded, `${flag} loaded ${heavy}`).not.toContain(`/node_modules/${heavy}/`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('one error prefix', () => {
  let w: TempWorld;
  beforeEach(() => {
    w = tempWorld();
    w.lock.release();
  });
  afterEach(() => w.cleanup());

  it('starts commander’s usage errors, the CLI’s own and “queue busy” with "revive: error: "', async () => {
    const cases: [string[], number][] = [
      [['enhance', '--bogus', 'x.jpg'], 2], // commander: unknown option
      [['frobnicate'], 2], // commander: unknown command
      [['enhance', 'x.jpg', '-s', '7', '--data-dir', w.dataDir], 2], // the CLI's own usage error
      [['enhance', 'x.jpg', '-m', 'no-such-model', '--data-dir', w.dataDir], 2], // unknown model
      [['history', '--limit', '0', '--data-dir', w.dataDir], 2],
      [['models', 'remove', 'nothing-here', '--data-dir', w.dataDir], 1],
    ];
    for (const [argv, code] of cases) {
      const c = capture();
      expect(await main(argv, { ...c.io, cwd: w.root }), argv.join(' ')).toBe(code);
      expect(c.text().err.startsWith(ERROR_PREFIX), `${argv.join(' ')}: ${c.text().err}`).toBe(true);
    }
    const photo = await writePhoto(path.join(w.photos, 'a.png'), 1);
    const lock = acquireLock(w.store.db, QUEUE_LOCK, { heartbeatMs: 0 });
    try {
      const c = capture();
      expect(await main(['enhance', photo, '--data-dir', w.dataDir], { ...c.io, cwd: w.root })).toBe(75);
      expect(c.text().err).toMatch(/^revive: error: another Revive process/);
    } finally {
      lock.release();
    }
  });
});

describe('revive queue', () => {
  let w: TempWorld;
  let queue: QueueStore;
  const settings = parseJobSettings({ model: 'realesrgan-x4fast', scale: 2, format: 'png' });
  beforeEach(() => {
    w = tempWorld();
    w.lock.release();
    queue = new QueueStore(w.store.db);
  });
  afterEach(() => w.cleanup());

  it('lists unfinished batches (table and JSON lines), says when the queue is empty', async () => {
    const empty = capture();
    expect(await main(['queue', 'list', '--data-dir', w.dataDir], { ...empty.io, cwd: w.root })).toBe(0);
    expect(empty.text()).toEqual({ out: '', err: 'the queue is empty\n' });

    const a = queue.createJob(settings, ['/p/a.jpg', '/p/b.jpg']);
    const b = queue.createJob({ ...settings, scale: 4, outputDir: path.join(w.root, 'out') }, ['/p/c.jpg']);
    queue.setPaused(b.id, true);
    const done = queue.createJob(settings, ['/p/d.jpg']);
    queue.cancelJob(done.id);

    const c = capture();
    // `queue` alone lists, like `queue list`.
    expect(await main(['queue', '--data-dir', w.dataDir], { ...c.io, cwd: w.root })).toBe(0);
    const lines = c.text().out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^BATCH +CREATED +WAITING +DONE +FAILED +MODEL +SCALE +OUTPUT$/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(new RegExp(`^${a.id} +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +2 +0 +0 +realesrgan-x4fast +2× +next to each photo$`));
    expect(lines[2]).toMatch(new RegExp(`^${b.id} \\(paused\\) +.* +1 +0 +0 +realesrgan-x4fast +4× +out$`));

    const j = capture();
    expect(await main(['queue', 'list', '--json', '--data-dir', w.dataDir], { ...j.io, cwd: w.root })).toBe(0);
    const rows = j.text().out.trim().split('\n').map((l) => JSON.parse(l) as { id: number; paused: boolean; counts: { queued: number } });
    expect(rows.map((r) => [r.id, r.paused, r.counts.queued])).toEqual([[a.id, false, 2], [b.id, true, 1]]);
  });

  it('lists while another process runs the queue (reading takes no lock)', async () => {
    queue.createJob(settings, ['/p/a.jpg']);
    const lock = acquireLock(w.store.db, QUEUE_LOCK, { heartbeatMs: 0 });
    try {
      const c = capture();
      expect(await main(['queue', 'list', '--data-dir', w.dataDir], { ...c.io, cwd: w.root })).toBe(0);
      expect(c.text().out.split('\n')).toHaveLength(3);
    } finally {
      lock.release();
    }
  });

  it('drops one batch, keeps the others, and refuses ids that are not waiting', async () => {
    const a = queue.createJob(settings, ['/p/a.jpg', '/p/b.jpg']);
    const b = queue.createJob(settings, ['/p/c.jpg']);
    const c = capture();
    expect(await main(['queue', 'drop', String(a.id), '--data-dir', w.dataDir], { ...c.io, cwd: w.root })).toBe(0);
    expect(c.text().out).toBe(`✓ dropped batch ${a.id}: 2 photos will not be made\n`);
    expect(queue.job(a.id).state).toBe('cancelled');
    expect(queue.items(a.id).map((i) => i.state)).toEqual(['cancelled', 'cancelled']);
    expect(queue.job(b.id).state).toBe('active');

    const again = capture();
    expect(await main(['queue', 'drop', String(a.id), '--data-dir', w.dataDir], { ...again.io, cwd: w.root })).toBe(1);
    expect(again.text().err).toBe(`revive: error: batch ${a.id} is already cancelled; nothing to drop\n`);
    const missing = capture();
    expect(await main(['queue', 'drop', '999', '--data-dir', w.dataDir], { ...missing.io, cwd: w.root })).toBe(1);
    expect(missing.text().err).toBe('revive: error: there is no batch 999 in the queue (see "revive queue list")\n');
    const bad = capture();
    expect(await main(['queue', 'drop', 'abc', '--data-dir', w.dataDir], { ...bad.io, cwd: w.root })).toBe(2);
    expect(bad.text().err).toBe('revive: error: queue drop: ID must be a batch number as "revive queue list" shows it, got "abc"\n');
  });

  it('clears every waiting batch; says when there is nothing to clear', async () => {
    const a = queue.createJob(settings, ['/p/a.jpg', '/p/b.jpg']);
    const b = queue.createJob(settings, ['/p/c.jpg']);
    const c = capture();
    expect(await main(['queue', 'clear', '--data-dir', w.dataDir], { ...c.io, cwd: w.root })).toBe(0);
    expect(c.text().out).toBe('✓ dropped 2 batches: 3 photos will not be made\n');
    expect([queue.job(a.id).state, queue.job(b.id).state]).toEqual(['cancelled', 'cancelled']);
    const none = capture();
    expect(await main(['queue', '--data-dir', w.dataDir, 'clear'], { ...none.io, cwd: w.root })).toBe(0);
    expect(none.text().err).toBe('the queue is empty; nothing to clear\n');
  });

  it('refuses to drop or clear while a batch runs on that queue (exit 75), changing nothing', async () => {
    const a = queue.createJob(settings, ['/p/a.jpg']);
    const lock = acquireLock(w.store.db, QUEUE_LOCK, { heartbeatMs: 0 });
    try {
      for (const argv of [['queue', 'drop', String(a.id)], ['queue', 'clear']]) {
        const c = capture();
        expect(await main([...argv, '--data-dir', w.dataDir], { ...c.io, cwd: w.root })).toBe(75);
        expect(c.text().err).toMatch(/^revive: error: another Revive process \(pid \d+ on .*\) is running the queue.*; the queue cannot be changed while a batch runs; wait for it to finish, or stop it first\n$/);
      }
    } finally {
      lock.release();
    }
    expect(queue.job(a.id).state).toBe('active');
    expect(queue.counts(a.id).queued).toBe(1);
  });
});

describe('revive enhance --name / --suffix', () => {
  const raw: RawEnhanceOptions = { model: 'realesrgan-x4fast', scale: '2', format: 'same', device: 'auto' };

  it('names results {name}_{model}_{scale}x by default, and snapshots the pattern into the job', () => {
    const opts = parseEnhanceOptions(raw);
    expect(opts.namePattern).toBe('{name}_{model}_{scale}x');
    expect(jobSettingsFromOptions(opts, undefined).namePattern).toBe('{name}_{model}_{scale}x');
    expect(parseEnhanceOptions({ ...raw, name: '{date}-{name}' }).namePattern).toBe('{date}-{name}');
  });

  it('keeps --suffix: the result is <name><suffix>, with no pattern in the job', () => {
    const opts = parseEnhanceOptions({ ...raw, suffix: '_web' });
    expect([opts.suffix, opts.namePattern]).toEqual(['_web', undefined]);
    expect(jobSettingsFromOptions(opts, undefined)).not.toHaveProperty('namePattern');
  });

  it('refuses both at once, and a bad pattern, as usage errors naming the option', async () => {
    expect(() => parseEnhanceOptions({ ...raw, suffix: '_x', name: '{name}' })).toThrow(/--name and --suffix both name the results/);
    expect(() => parseEnhanceOptions({ ...raw, name: '../{name}' })).toThrow(UsageError);
    const c = capture();
    expect(await main(['enhance', 'a.jpg', '--name', '{name}_{lens}'], { ...c.io, cwd: ROOT })).toBe(2);
    expect(c.text().err).toBe('revive: error: --name: unknown token {lens} in the naming pattern; use {name}, {model}, {scale}, {date}\n');
  });
});

describe('printError', () => {
  it('puts the prefix on the first line, indents further lines, and escapes control characters', async () => {
    const { printError } = await import('../../../src-main/cli/errors');
    const out: string[] = [];
    printError({ write: (s) => (out.push(s), true) }, 'cannot install pack:\nfile a.onnx: size differs\n\nfile b.onnx: missing \u001b[2J');
    expect(out.join('')).toBe('revive: error: cannot install pack:\n  file a.onnx: size differs\n  file b.onnx: missing \\u001b[2J\n');
  });
});
