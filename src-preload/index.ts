/**
 * The preload: exposes exactly one object, `window.revive`, built from the IPC contract. Runs sandboxed
 * (`sandbox: true`), so it may only use `electron`'s renderer modules; it is bundled with esbuild into one file.
 *
 * Responses arrive in the `{ ok, value | error }` envelope (Electron would otherwise mangle thrown errors into
 * "Error invoking remote method …" strings and drop their codes). Events are delivered without the IPC event object,
 * so the page never gets a handle on `ipcRenderer` or the sender.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createApi, type Transport } from './api';
import { isEventName, type Result } from './contract';

const transport: Transport = {
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload) as Promise<Result<unknown>>,
  subscribe: (event, listener) => {
    if (!isEventName(event)) throw new Error(`unknown event "${String(event)}"`);
    const wrapped = (_e: unknown, payload: unknown): void => listener(payload);
    ipcRenderer.on(event, wrapped);
    return () => {
      ipcRenderer.removeListener(event, wrapped);
    };
  },
};

const api = createApi(transport);

contextBridge.exposeInMainWorld('revive', {
  ...api,
  /**
   * The absolute path of a dropped or picked `File` (Electron ≥ 32 no longer exposes `File.path`). Not a channel:
   * it only reads the file object the user handed the page.
   */
  pathForFile: (file: File): string => webUtils.getPathForFile(file),
});
