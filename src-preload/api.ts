/**
 * Builds the typed `window.revive` object from the contract over any transport: Electron IPC in the preload, a
 * WebSocket in the browser (src-renderer/src/lib/api/bridge-client.ts). Only the contract's channels and events
 * become methods; there is no generic `send`.
 *
 * No Node or Electron imports: this module is bundled into both the preload and the renderer.
 */
import {
  CHANNEL_NAMES,
  ReviveError,
  isEventName,
  methodName,
  type Channel,
  type EventName,
  type EventPayload,
  type Result,
  type ReviveApi,
} from './contract';

/** What a host must provide: request/response in the {@link Result} envelope, and event subscription. */
export interface Transport {
  invoke(channel: Channel, payload: unknown): Promise<Result<unknown>>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

/**
 * Creates the API object. Each method sends its request and resolves with the response value, or rejects with a
 * {@link ReviveError} carrying the wire error's `code`. `on` refuses event names outside the contract.
 */
export function createApi(transport: Transport): ReviveApi {
  const api: Record<string, unknown> = {};
  for (const channel of CHANNEL_NAMES) {
    api[methodName(channel)] = async (req?: unknown) => {
      const result = await transport.invoke(channel, req ?? {});
      if (!result.ok) throw new ReviveError(result.error);
      return result.value;
    };
  }
  api.on = <E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): (() => void) => {
    if (!isEventName(event)) throw new ReviveError({ code: 'UNKNOWN_EVENT', message: `unknown event "${String(event)}"` });
    if (typeof listener !== 'function') throw new ReviveError({ code: 'INVALID_PAYLOAD', message: 'listener must be a function' });
    return transport.subscribe(event, (payload) => listener(payload as EventPayload<E>));
  };
  return api as ReviveApi;
}
