/**
 * The page's one door to the core: `window.revive`, set by the Electron preload or, in a browser, by the bridge
 * client. Besides the contract's methods a host may offer one of two ways to turn a dropped `File` into a host path.
 */
import type { ReviveApi } from '../../../../src-preload/contract';

export interface HostExtras {
  /** Electron: the file's path on disk. */
  pathForFile?(file: File): string;
  /** Browser: uploads into this connection's folder on the host; resolves with the host paths. */
  upload?(files: File[], onProgress?: (done: number, total: number) => void): Promise<string[]>;
}

export type HostApi = ReviveApi & HostExtras;

declare global {
  interface Window {
    revive?: HostApi;
  }
}

/** `window.revive`, or an error that says the page was opened without a host. */
export function hostApi(): HostApi {
  if (!window.revive) throw new Error('window.revive is missing: open Revive from the app or from the URL `revive serve` prints');
  return window.revive;
}
