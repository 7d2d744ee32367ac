/**
 * The item state machine: queued → running → done | failed | cancelled.
 *
 * Besides the forward path, two ways back are allowed and nothing else:
 * - running → queued: "pause now" abandons the running image, and a restart after a crash requeues what was running;
 * - failed | cancelled → queued: the user retries.
 * `done` is final: running an item again with other settings is a new job (library "re-run"), so a result is never
 * silently replaced.
 */
import { CodedError } from '../pixels/coded-error';

export const ITEM_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

const NEXT: Readonly<Record<ItemState, readonly ItemState[]>> = {
  queued: ['running', 'cancelled', 'done', 'failed'],
  running: ['done', 'failed', 'cancelled', 'queued'],
  done: [],
  failed: ['queued'],
  cancelled: ['queued'],
};
// queued → done is the skip-if-done path (a matching result already exists, so the item never runs); queued → failed
// is a source that cannot be processed at all (missing, not an image), found while preparing it.

/** States an item never leaves on its own. */
export function isTerminal(state: ItemState): boolean {
  return state === 'done' || state === 'failed' || state === 'cancelled';
}

/** Whether the machine allows `from → to`. */
export function canTransition(from: ItemState, to: ItemState): boolean {
  return NEXT[from].includes(to);
}

/** Thrown for a transition the machine does not allow. */
export class InvalidTransitionError extends CodedError<'INVALID_TRANSITION'> {
  constructor(
    readonly itemId: number,
    readonly from: ItemState,
    readonly to: ItemState,
  ) {
    super(
      'INVALID_TRANSITION',
      `item ${itemId} cannot go from ${from} to ${to} (allowed from ${from}: ${NEXT[from].join(', ') || 'nothing, it is final'})`,
    );
    this.name = 'InvalidTransitionError';
  }
}

/** @throws InvalidTransitionError naming the item and both states. */
export function assertTransition(itemId: number, from: ItemState, to: ItemState): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(itemId, from, to);
}

/** Parses a state read from the database, rejecting anything unknown. */
export function parseItemState(value: unknown): ItemState {
  if (typeof value === 'string' && (ITEM_STATES as readonly string[]).includes(value)) return value as ItemState;
  throw new Error(`unknown item state ${JSON.stringify(value)} (expected one of ${ITEM_STATES.join(', ')})`);
}
