/**
 * The bridge's WebSocket message shapes. The browser client (src-renderer/src/lib/api/bridge-client.ts) speaks the
 * same protocol: requests carry a numeric id the response echoes, events carry a contract event name.
 */
import type { RawData } from 'ws';
import type { EventName, EventPayload, Result, WireError } from '../../src-preload/contract';

export interface InvokeMessage {
  type: 'invoke';
  id: number;
  channel: string;
  payload: unknown;
}

export type ServerMessage =
  | { type: 'hello'; connectionId: string }
  | { type: 'result'; id: number | null; result: Result<unknown> }
  | { type: 'event'; event: EventName; payload: EventPayload<EventName> };

export type ParsedMessage = { ok: true; message: InvokeMessage } | { ok: false; id: number | null; error: WireError };

const invalid = (id: number | null, message: string): ParsedMessage => ({ ok: false, id, error: { code: 'INVALID_MESSAGE', message } });

/**
 * Parses one client frame. Binary frames, bad JSON and wrong shapes are answered with `INVALID_MESSAGE` (echoing
 * the id when one could be read) instead of closing the socket, so a buggy page sees what it did wrong.
 */
export function parseClientMessage(data: RawData, isBinary: boolean): ParsedMessage {
  if (isBinary) return invalid(null, 'binary frames are not accepted; send JSON text');
  const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return invalid(null, `message is not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid(null, 'message must be a JSON object');
  const m = value as Record<string, unknown>;
  const id = typeof m.id === 'number' && Number.isSafeInteger(m.id) ? m.id : null;
  if (id === null) return invalid(null, 'message needs an integer "id"');
  if (m.type !== 'invoke') return invalid(id, `unknown message type ${JSON.stringify(m.type)}; expected "invoke"`);
  if (typeof m.channel !== 'string') return invalid(id, 'message needs a string "channel"');
  return { ok: true, message: { type: 'invoke', id, channel: m.channel, payload: m.payload } };
}
