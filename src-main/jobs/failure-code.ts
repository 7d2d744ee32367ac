/**
 * The stable code of an item's failure, for callers that decide by code rather than by message (the CLI's --json
 * lines, scripts around it). Only errors whose codes are part of a contract are trusted: imaging's, the engine's
 * (which carry imaging's codes across the process boundary), the namer's and cancellation's; anything else is
 * INTERNAL — a Node error code such as ENOENT describes an implementation detail, not the photo.
 */
import { EngineError } from '../engine/engine-error';
import { ImageError } from '../imaging/errors';
import { NamingError } from './naming';
import { AbortedError } from '../pixels/types';

/** The code reported for an item that failed with `err`. */
export function failureCode(err: unknown): string {
  if (err instanceof ImageError || err instanceof EngineError || err instanceof NamingError || err instanceof AbortedError) {
    return err.code;
  }
  return 'INTERNAL';
}
