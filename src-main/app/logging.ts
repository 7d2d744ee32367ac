/**
 * The app's log file (`<userData>/logs/main.log`, opened from Help → Open Log File): one line per event with a
 * timestamp. Appends synchronously so the last line before a crash is on disk.
 */
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';

const MAX_BYTES = 5 * 1024 * 1024;

export interface Logger {
  readonly file: string;
  info(message: string): void;
  error(message: string, err?: unknown): void;
}

/** Opens (creating) the log in `dir`; a log over 5 MB is rotated to `main.old.log` first. */
export function createLogger(dir: string): Logger {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'main.log');
  try {
    if (statSync(file).size > MAX_BYTES) renameSync(file, path.join(dir, 'main.old.log'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const write = (level: string, message: string): void => appendFileSync(file, `${new Date().toISOString()} ${level} ${message}\n`);
  return {
    file,
    info: (m) => write('INFO ', m),
    error: (m, err) => write('ERROR', err instanceof Error ? `${m}: ${err.stack ?? err.message}` : err === undefined ? m : `${m}: ${String(err)}`),
  };
}
