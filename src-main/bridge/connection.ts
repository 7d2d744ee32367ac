/**
 * One browser tab's WebSocket: it gets its own upload folder (removed when the socket closes), the core's events forwarded, and
 * every request dispatched through the same dispatcher as Electron IPC. A request always gets exactly one answer.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { WebSocket } from 'ws';
import { ERROR_CODES, type Result } from '../../src-preload/contract';
import type { ReviveCore } from '../core/port';
import type { CallContext, Dispatch } from '../ipc/dispatch';
import { forwardEvents } from '../ipc/events';
import { parseClientMessage, type ServerMessage } from './messages';

export interface Connection {
  id: string;
  socket: WebSocket;
  uploadDir: string;
  ctx: CallContext;
  unsubscribe: () => void;
}

export interface ConnectionDeps {
  core: ReviveCore;
  dispatch: Dispatch;
  /** Open connections by id; the connection adds itself and removes itself on close. */
  connections: Map<string, Connection>;
  report: (message: string, err?: unknown) => void;
}

const imageUrl = (file: string): string => `/img/${encodeURIComponent(file)}`;
const downloadUrl = (file: string): string => `/download/${encodeURIComponent(file)}`;

function send(ws: WebSocket, msg: ServerMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
}

/** Serves one accepted WebSocket until it closes. */
export function openConnection(ws: WebSocket, deps: ConnectionDeps): Connection {
  const { core, dispatch, connections, report } = deps;
  const id = randomUUID();
  // Not allowed as a folder: each upload goes on the allow-list once it is complete (./files.ts).
  const uploadDir = path.join(core.uploadsDir, id);
  const ctx: CallContext = {
    host: 'bridge',
    imageUrl,
    downloadUrl,
    upload: { dir: uploadDir, url: `/upload?connection=${id}` },
  };
  const unsubscribe = forwardEvents(core, (event, payload) => send(ws, { type: 'event', event, payload }));
  const conn: Connection = { id, socket: ws, uploadDir, ctx, unsubscribe };
  connections.set(id, conn);
  send(ws, { type: 'hello', connectionId: id });
  ws.on('message', (data, isBinary) => {
    const parsed = parseClientMessage(data, isBinary);
    if (!parsed.ok) {
      send(ws, { type: 'result', id: parsed.id, result: { ok: false, error: parsed.error } });
      return;
    }
    const { id: requestId, channel, payload } = parsed.message;
    dispatch(channel, payload, ctx).then(
      (result: Result<unknown>) => send(ws, { type: 'result', id: requestId, result }),
      // The dispatcher never rejects; if it ever does, the client still gets an answer rather than hanging.
      (err: unknown) => send(ws, { type: 'result', id: requestId, result: { ok: false, error: { code: ERROR_CODES.internal, message: String(err) } } }),
    );
  });
  ws.on('close', () => {
    unsubscribe();
    connections.delete(id);
    core.releaseUploads(uploadDir).catch((err: unknown) => report(`cannot remove the upload folder ${uploadDir}`, err));
  });
  ws.on('error', (err) => report(`socket ${id} failed`, err));
  return conn;
}
