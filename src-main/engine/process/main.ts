/**
 * Entry point of the engine process (child_process.fork in Node, utilityProcess in Electron; transport.ts hides
 * which).
 *
 * Serves host messages one at a time (see protocol.ts): each enhance request runs to its `done` or `failed` event
 * before the next starts. Cancellation is the host killing this process — onnxruntime's session.run cannot be
 * interrupted — so nothing here listens for it. When the host goes away or asks it to finish, the process releases
 * the model and exits, so no orphan keeps a model in memory.
 */
import './offline';
import { ImageError } from '../../imaging/errors';
import { closeMetadataTool } from '../../imaging/metadata';
import { oneLine } from '../../pixels/one-line';
import { isOutOfMemory } from '../../pixels/out-of-memory';
import { describeIssues } from '../../pixels/zod-issues';
import { EngineError } from '../engine-error';
import { enhanceImage } from './enhance-image';
import { ENGINE_ERROR_CODES, HostMessageSchema, type EngineEvent, type HostMessage } from '../protocol';
import { openModel } from './session';
import { SessionCache } from './session-cache';
import { connectToParent } from './transport';

const parent = connectToParent();
if (!parent) {
  process.stderr.write('engine/process/main must be started by the engine host (child_process.fork or utilityProcess), not directly\n');
  process.exit(2);
}

const sessions = new SessionCache(openModel);

function send(event: EngineEvent): void {
  parent!.send(event);
}

/** The code and one-line message a failure crosses the boundary with (the queue, the history and the CLI show it). */
function toFailure(err: unknown): { code: string; message: string } {
  if (err instanceof ImageError || err instanceof EngineError) return { code: err.code, message: oneLine(err.message) };
  if (isOutOfMemory(err)) {
    return { code: ENGINE_ERROR_CODES.OUT_OF_MEMORY, message: `out of memory even with the smallest tile: ${oneLine((err as Error).message)}` };
  }
  const message = oneLine(err instanceof Error ? err.message : String(err));
  return { code: err instanceof RangeError ? ENGINE_ERROR_CODES.MODEL_ERROR : ENGINE_ERROR_CODES.INTERNAL, message };
}

async function handle(msg: HostMessage): Promise<void> {
  if (msg.type === 'dispose') {
    try {
      await sessions.dispose();
      send({ type: 'disposed', id: msg.id });
    } catch (err) {
      send({ type: 'failed', id: msg.id, ...toFailure(err) });
    }
    return;
  }
  const { id } = msg;
  sessions.beginUse();
  try {
    const result = await enhanceImage(msg, sessions, {
      onProgress: (stage, done, total) => send({ type: 'progress', id, stage, done, total }),
      onWarning: (message) => send({ type: 'warning', id, message }),
      onEstimate: (ms, basis) => send({ type: 'estimate', id, ms, basis }),
    });
    send({ type: 'done', id, ...result });
  } catch (err) {
    send({ type: 'failed', id, ...toFailure(err) });
  } finally {
    sessions.endUse();
  }
}

let queue: Promise<void> = Promise.resolve();

parent!.onMessage((raw: unknown) => {
  const parsed = HostMessageSchema.safeParse(raw);
  if (!parsed.success) {
    const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : 'unknown';
    const safeId = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : 'unknown';
    send({ type: 'failed', id: safeId, code: ENGINE_ERROR_CODES.PROTOCOL, message: `malformed request: ${describeIssues(parsed.error)}` });
    return;
  }
  queue = queue.then(() => handle(parsed.data));
});

parent!.onClose(() => {
  // The host is gone or asked us to finish: release the model and the ExifTool child, and leave.
  Promise.all([sessions.dispose(), closeMetadataTool()]).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`engine: releasing the model or ExifTool failed on exit: ${String(err)}\n`);
      process.exit(1);
    },
  );
});
