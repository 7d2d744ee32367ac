/**
 * `revive history [query] [--failed] [--json] …`: lists and searches the library of results, newest first.
 * `query` matches part of the original's file name; the options narrow by folder, camera, model and date taken.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { LibraryEntry, LibraryQuery } from '../../library/library-store';
import { defaultDataDir } from '../../store/data-dir';
import { UsageError } from '../errors';

export interface HistoryIo {
  stdout: { write(s: string): boolean };
  stderr: { write(s: string): boolean };
  cwd: string;
}

interface RawHistoryOptions {
  failed?: boolean;
  json?: boolean;
  folder?: string;
  camera?: string;
  model?: string;
  takenFrom?: string;
  takenTo?: string;
  limit: string;
  dataDir?: string;
}

/** Dates are given as a prefix of "YYYY-MM-DD HH:MM:SS": "1987", "1987-06", "1987-06-05". */
function datePrefix(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}(-\d{2}(-\d{2}( \d{2}(:\d{2}(:\d{2})?)?)?)?)?$/.test(value)) {
    throw new UsageError(`${option} must look like 1987, 1987-06 or 1987-06-05, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Turns the command line into a library query (exported for tests). */
export function historyQuery(query: string | undefined, raw: RawHistoryOptions, cwd: string): LibraryQuery {
  const limit = Number(raw.limit);
  if (!/^\d+$/.test(raw.limit) || limit < 1 || limit > 10_000) {
    throw new UsageError(`--limit must be a whole number from 1 to 10000, got ${JSON.stringify(raw.limit)}`);
  }
  return {
    ...(query ? { name: query } : {}),
    ...(raw.failed ? { failedOnly: true } : {}),
    ...(raw.folder ? { folder: path.resolve(cwd, raw.folder) } : {}),
    ...(raw.camera ? { camera: raw.camera } : {}),
    ...(raw.model ? { model: raw.model } : {}),
    ...(raw.takenFrom ? { takenFrom: datePrefix('--taken-from', raw.takenFrom) } : {}),
    ...(raw.takenTo ? { takenTo: datePrefix('--taken-to', raw.takenTo) } : {}),
    limit,
  };
}

/** One entry as a line: when, status, source → output, model, time. */
export function formatEntry(e: LibraryEntry): string {
  const when = new Date(e.finishedAt).toISOString().slice(0, 16).replace('T', ' ');
  const what =
    e.status === 'done'
      ? `${e.sourcePath} → ${e.outputPath ?? '(no file)'}`
      : // Imaging messages start with the file's path; the line already names it.
        `${e.sourcePath}: ${e.error?.startsWith(`${e.sourcePath}: `) ? e.error.slice(e.sourcePath.length + 2) : (e.error ?? 'failed')}`;
  const colour = e.colorize ? (e.colorize.applied ? `colourised with ${e.colorize.pack} at ${Math.round(e.colorize.strength * 100)} %` : 'colour skipped: photo is in colour') : null;
  const facts = [e.model, `${e.settings.scale}×`, e.ms !== null ? `${(e.ms / 1000).toFixed(1)} s` : null, colour, e.camera, e.dateTaken?.slice(0, 10)]
    .filter((x) => x)
    .join(', ');
  return `${when}  ${e.status === 'done' ? '✓' : '✗'} ${what}  (${facts})\n`;
}

/** Adds the `history` subcommand to the `revive` program. */
export function register(program: Command, deps: { io?: HistoryIo } = {}): void {
  const io = deps.io ?? { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() };
  program
    .command('history')
    .description('list and search past results, newest first (query: part of the file name)')
    .argument('[query]', 'part of the original file name')
    .option('--failed', 'only photos that failed')
    .option('--json', 'print one JSON object per result')
    .option('--folder <dir>', 'originals in this folder or below')
    .option('--camera <text>', 'part of the camera name')
    .option('--model <id>', 'model pack id')
    .option('--taken-from <date>', 'taken on or after (1987, 1987-06, 1987-06-05)')
    .option('--taken-to <date>', 'taken on or before (same forms)')
    .option('--limit <n>', 'at most this many results', '50')
    .addOption(new Option('--data-dir <dir>', 'user data folder (queue, library)').env('REVIVE_DATA_DIR'))
    .action(async (query: string | undefined, raw: RawHistoryOptions) => {
      const q = historyQuery(query, raw, io.cwd);
      // Loaded on demand: `revive --help` must not load SQLite.
      const { openLibrary } = await import('../../core/open');
      const history = openLibrary(raw.dataDir ? path.resolve(io.cwd, raw.dataDir) : defaultDataDir());
      try {
        const rows = history.library.search(q);
        if (raw.json) {
          for (const e of rows) io.stdout.write(`${JSON.stringify(e)}\n`);
        } else if (rows.length === 0) {
          io.stderr.write('no results match\n');
        } else {
          for (const e of rows) io.stdout.write(formatEntry(e));
        }
      } finally {
        history.close();
      }
    });
}
