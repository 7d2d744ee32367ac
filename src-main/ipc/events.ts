/**
 * Forwards the core's domain events to one connection (the Electron window, a bridge socket) as contract events,
 * unchanged: progress carries paths, not URLs, so one payload serves every connection.
 */
import type { EventName, EventPayload } from '../../src-preload/contract';
import type { ReviveCore } from '../core/port';

export type EmitFn = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** Subscribes `emit` to every core event; returns the function that unsubscribes all of them. */
export function forwardEvents(core: ReviveCore, emit: EmitFn): () => void {
  const offs = [
    core.on('progress', (p) => emit('job:progress', p)),
    core.on('queue', (p) => emit('queue:changed', p)),
    core.on('error', (p) => emit('app:error', p)),
    core.on('model-install', (p) => emit('model:install-progress', p)),
  ];
  return () => {
    for (const off of offs) off();
  };
}
