import { CodedError } from '../pixels/coded-error';

/**
 * A failure the engine reports for one item, with the code that crosses the process boundary in a `failed` event.
 */
export class EngineError extends CodedError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message);
    this.name = 'EngineError';
    // The base takes no options; keep the underlying error for whoever logs the chain.
    if (options && 'cause' in options) this.cause = options.cause;
  }
}
