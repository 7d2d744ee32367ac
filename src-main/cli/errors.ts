/**
 * How the command line says that something went wrong: every error it prints — its own, commander's usage errors, the
 * launcher's — starts with the same {@link ERROR_PREFIX}, so scripts and people can grep one string. Per-photo results
 * keep their own marks (`✗ photo.jpg: reason` is a result line of a batch that goes on, not an error of the command);
 * warnings start with `! `.
 */
import { oneLine } from '../pixels/one-line';

/** The start of every error line the CLI prints (bin/revive.js repeats it for "not built"). */
export const ERROR_PREFIX = 'revive: error: ';

/** Where an error line goes. */
export interface ErrorStream {
  write(s: string): boolean;
}

/** Prints one error line: the prefix, the message's first line (a stack or a library's extra lines stay out). */
export function printError(stream: ErrorStream, message: string): void {
  stream.write(`${ERROR_PREFIX}${oneLine(message)}\n`);
}

/**
 * Commander's own error text ("error: unknown option '--x'\n(run …)") with the CLI's prefix in place of its bare
 * "error: ", the rest (the hint to run --help) unchanged.
 */
export function withErrorPrefix(commanderText: string): string {
  return commanderText.startsWith('error: ') ? `${ERROR_PREFIX}${commanderText.slice('error: '.length)}` : `${ERROR_PREFIX}${commanderText}`;
}
