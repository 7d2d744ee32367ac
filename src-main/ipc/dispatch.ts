/**
 * The one dispatch function behind both the Electron IPC handlers and the web bridge: refuses unknown channels,
 * parses the payload with the channel's schema, runs the handler, checks the response against the contract, and
 * turns every failure into `{ code, message }`. It never throws.
 */
import { z } from 'zod';
import {
  ERROR_CODES,
  channels,
  isChannel,
  type Channel,
  type ParsedReq,
  type Res,
  type Result,
  type WireError,
} from '../../src-preload/contract';
import { errorCode } from '../pixels/coded-error';
import { describeIssues } from '../pixels/zod-issues';

/** Per-connection facts a handler may need: which host it serves and how that host spells image URLs. */
export interface CallContext {
  host: 'electron' | 'bridge';
  /** A URL the page can load an allowed file from. */
  imageUrl(file: string): string;
  /** A URL that downloads the file, where the host offers downloads (bridge uploads' outputs); else undefined. */
  downloadUrl(file: string): string | undefined;
  /** Browser only: where this connection's uploads are stored and the URL to post them to. */
  upload?: { dir: string; url: string };
  /** Electron only: the native open dialog. */
  pickPaths?(folders: boolean): Promise<string[]>;
  /** Electron only: the native dialog that chooses one folder (for results); null when cancelled. */
  pickFolder?(title: string | undefined): Promise<string | null>;
  /** Electron only: shows a file in the system file manager. */
  reveal?(file: string): void;
  /** Electron only: the file-manager entry "Enhance with Revive" (app/shell-integration/toggle.ts). */
  shellIntegration?: {
    state(): Promise<Res<'shell:integration'>>;
    set(enabled: boolean): Promise<Res<'shell:integration'>>;
  };
}

export type Handler<C extends Channel> = (req: ParsedReq<C>, ctx: CallContext) => Promise<Res<C>> | Res<C>;
/** Exactly one handler per channel of the contract: a missing or extra channel is a type error. */
export type Handlers = { [C in Channel]: Handler<C> };

export type Dispatch = (channel: unknown, payload: unknown, ctx: CallContext) => Promise<Result<unknown>>;

export interface DispatcherOptions {
  /** Reports failures that are bugs on our side (a handler crashed, a response broke the contract). */
  onInternalError?: (channel: string, err: unknown) => void;
}

const MAX_MESSAGE = 2000;

/** A refused payload or response names its first few offending fields; the whole value is "(payload)". */
const describePayloadIssues = (error: z.ZodError): string => describeIssues(error, { root: '(payload)', limit: 8 });

/** Turns anything thrown into the wire shape. Unknown errors become `INTERNAL` with their message. */
export function toWireError(err: unknown): WireError {
  const code = errorCode(err) ?? ERROR_CODES.internal;
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : `unexpected ${typeof err} thrown`;
  return { code, message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message };
}

/** Creates the dispatch function over a complete handler table. */
export function createDispatcher(handlers: Handlers, opts: DispatcherOptions = {}): Dispatch {
  return async (channel, payload, ctx) => {
    if (!isChannel(channel)) {
      const shown = typeof channel === 'string' ? JSON.stringify(channel.slice(0, 100)) : typeof channel;
      return { ok: false, error: { code: ERROR_CODES.unknownChannel, message: `unknown channel ${shown}` } };
    }
    const [reqSchema, resSchema] = channels[channel];
    const parsed = reqSchema.safeParse(payload);
    if (!parsed.success) {
      return { ok: false, error: { code: ERROR_CODES.invalidPayload, message: `${channel}: ${describePayloadIssues(parsed.error)}` } };
    }
    let value: unknown;
    try {
      const handler = handlers[channel] as (req: unknown, ctx: CallContext) => unknown;
      value = await handler(parsed.data, ctx);
    } catch (err) {
      const wire = toWireError(err);
      if (wire.code === ERROR_CODES.internal) opts.onInternalError?.(channel, err);
      return { ok: false, error: wire };
    }
    const checked = resSchema.safeParse(value);
    if (!checked.success) {
      const message = `${channel} produced a response outside the contract: ${describePayloadIssues(checked.error)}`;
      opts.onInternalError?.(channel, new Error(message));
      return { ok: false, error: { code: ERROR_CODES.invalidResponse, message } };
    }
    return { ok: true, value: checked.data };
  };
}
