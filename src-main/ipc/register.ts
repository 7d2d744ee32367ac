/**
 * Electron IPC: one `ipcMain.handle` per contract channel, each checking that the message comes from our window's
 * main frame before the shared dispatcher parses and runs it. Unknown channels have no handler (Electron refuses the
 * invoke) and the dispatcher refuses them again should one be routed here.
 *
 * This module does not import `electron` (only src-main/app/ does): it takes the few structural pieces it needs, so
 * it is tested with plain objects.
 */
import { CHANNEL_NAMES, ERROR_CODES, type Result } from '../../src-preload/contract';
import type { CallContext, Dispatch } from './dispatch';

/** The parts of an `IpcMainInvokeEvent` the sender check reads. */
export interface InvokeEventLike {
  sender: { id: number; mainFrame?: unknown };
  senderFrame?: { url: string; parent?: unknown } | null;
}

/** The part of `ipcMain` used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, payload: unknown) => Promise<Result<unknown>>): void;
  removeHandler(channel: string): void;
}

export interface TrustedWindow {
  /** `webContents.id` of our window; null while no window exists (every message is then refused). */
  webContentsId(): number | null;
  /** The origin our page is loaded from, e.g. `revive-app://app`. */
  origin: string;
}

/**
 * Whether an invoke comes from our window's top frame at our origin. Subframes (an `<iframe>` the page could be
 * tricked into loading), other windows and any navigation away from our origin are refused.
 */
export function isTrustedSender(event: InvokeEventLike, trusted: TrustedWindow): boolean {
  const id = trusted.webContentsId();
  if (id === null || event.sender.id !== id) return false;
  const frame = event.senderFrame;
  if (!frame) return false; // the frame navigated away or was destroyed while the message was in flight
  if (event.sender.mainFrame !== undefined && frame !== event.sender.mainFrame) return false;
  if (frame.parent) return false;
  return originOf(frame.url) === trusted.origin;
}

/**
 * `scheme://host[:port]` of a URL. WHATWG `URL.origin` is "null" for non-special schemes such as `revive-app:`, so
 * it is built from the parts; null for an unparsable URL (which is never our page).
 */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.host ? `${u.protocol}//${u.host}` : null;
  } catch {
    return null;
  }
}

/** Registers every contract channel; returns the function that removes them (window closed, app quitting). */
export function registerIpc(ipcMain: IpcMainLike, dispatch: Dispatch, trusted: TrustedWindow, ctx: CallContext): () => void {
  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(channel, async (event, payload) => {
      if (!isTrustedSender(event, trusted)) {
        return { ok: false, error: { code: ERROR_CODES.forbiddenSender, message: `${channel}: message from a frame that is not the Revive window` } };
      }
      return dispatch(channel, payload, ctx);
    });
  }
  return () => {
    for (const channel of CHANNEL_NAMES) ipcMain.removeHandler(channel);
  };
}
