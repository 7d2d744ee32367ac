/**
 * The one base of the errors that carry a stable, machine-readable code across the IPC and bridge boundary
 * (`{ code, message }`). Subclasses keep their own `name` (set after `super`) and may narrow the code's type.
 * Core modules may still throw any Error with a string `code` property; {@link errorCode} reads either.
 */
export class CodedError<Code extends string = string> extends Error {
  readonly code: Code;
  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
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
