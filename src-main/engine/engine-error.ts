/**
 * A failure the engine reports for one item, with the code that crosses the process boundary in a `failed` event.
 */
export class EngineError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
    this.code = code;
  }
}
