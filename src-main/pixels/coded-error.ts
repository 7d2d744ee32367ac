/**
 * Errors that carry a stable, machine-readable code across the IPC and bridge boundary (`{ code, message }`).
 * Core modules may throw any Error with a string `code` property; this class is a convenience for the ones here.
 */
export class CodedError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'CodedError';
    this.code = code;
  }
}

const CODE_PATTERN = /^[A-Z][A-Z0-9_]{1,63}$/;

/** The `code` of an error when it has a well-formed one (UPPER_SNAKE), else undefined. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === 'string' && CODE_PATTERN.test(code) ? code : undefined;
}
