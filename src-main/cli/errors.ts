/**
 * How the command line says that something went wrong: every error it prints — its own, commander's usage errors, the
 * launcher's — starts with the same {@link ERROR_PREFIX}, so scripts and people can grep one string. Per-photo results
 * keep their own marks (`✗ photo.jpg: reason` is a result line of a batch that goes on, not an error of the command);
 * warnings start with `! `.
 */
import { CodedError } from '../pixels/coded-error';
import { escapeControl } from '../pixels/one-line';

/** The start of every error line the CLI prints (bin/revive.js repeats it for "not built"). */
export const ERROR_PREFIX = 'revive: error: ';

/**
 * Bad command-line arguments: printed with the prefix, exit code 2 (see cli/main.ts). Here rather than beside the
 * option parsers so the commands can throw it without loading them (and their schemas) for `--help`.
 */
export class UsageError extends CodedError<'INVALID_USAGE'> {
  constructor(message: string) {
    super('INVALID_USAGE', message);
    this.name = 'UsageError';
  }
}

/** Where an error line goes. */
export interface ErrorStream {
  write(s: string): boolean;
}

/**
 * Prints an error: the prefix and the message's first line, then any further lines of it indented (a pack's list of
 * problems, say), so each starts visibly inside the one error. Control characters are escaped: a file name cannot
 * break the line or drive the terminal.
 */
export function printError(stream: ErrorStream, message: string): void {
  const [first, ...rest] = message.split(/\r\n|[\n\r\u2028\u2029]/).map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  const lines = [`${ERROR_PREFIX}${escapeControl(first ?? 'unknown error')}`, ...rest.map((l) => `  ${escapeControl(l.trim())}`)];
  stream.write(`${lines.join('\n')}\n`);
}

/**
 * Commander's own error text ("error: unknown option '--x'\n(run …)") with the CLI's prefix in place of its bare
 * "error: ", the rest (the hint to run --help) unchanged.
 */
export function withErrorPrefix(commanderText: string): string {
  return commanderText.startsWith('error: ') ? `${ERROR_PREFIX}${commanderText.slice('error: '.length)}` : `${ERROR_PREFIX}${commanderText}`;
}
