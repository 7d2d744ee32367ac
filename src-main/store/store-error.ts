/**
 * The database could not be opened or used for a reason the user must act on: a damaged file, a full disk, a folder
 * that cannot be written. The message names the file and says how to recover; callers print it as it is.
 */
import { oneLine } from '../pixels/one-line';
import { CodedError } from '../pixels/coded-error';

export type StoreErrorCode = 'STORE_CORRUPT' | 'STORE_FULL' | 'STORE_UNAVAILABLE';

export class StoreError extends CodedError<StoreErrorCode> {
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StoreError';
  }
}

const CORRUPT = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);
const FULL = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);

/** The driver's or the file system's code, also on a wrapped cause. */
function codeOf(err: unknown): string | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1');
  }
  return undefined;
}

/**
 * Classifies a failure to open or prepare `file`: a damaged database (move it aside), a full disk, or anything else
 * with the file named. `what` is the step that failed ("open", "prepare").
 */
export function storeError(err: unknown, what: string, file: string): StoreError {
  const code = codeOf(err);
  const detail = oneLine(err instanceof Error ? err.message : String(err));
  if (code && CORRUPT.has(code)) {
    return new StoreError(
      'STORE_CORRUPT',
      `the database ${file} is damaged (${detail}). Move it aside (for example rename it to ${file}.broken); a fresh, empty one is created on the next run (queue and history start empty)`,
      { cause: err },
    );
  }
  if (code && FULL.has(code)) {
    return new StoreError('STORE_FULL', `the disk holding ${file} is full; free some space and run again`, { cause: err });
  }
  return new StoreError('STORE_UNAVAILABLE', `cannot ${what} the database ${file}: ${detail}`, { cause: err });
}
