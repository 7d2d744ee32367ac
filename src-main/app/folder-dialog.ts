/**
 * The desktop app's "choose a folder for results" dialog (the page's `folders:pick`). A folder is chosen, never typed:
 * the page only ever receives a folder that exists, so an empty or half-typed path cannot reach the settings.
 */
import { dialog, type BrowserWindow } from 'electron';

/** Shows Electron's folder dialog over `win`; resolves with the folder, or null when the person cancelled. */
export async function chooseFolder(win: BrowserWindow, opts: { title?: string | undefined; defaultPath?: string | undefined }): Promise<string | null> {
  const r = await dialog.showOpenDialog(win, {
    title: opts.title ?? 'Choose a folder for the restored photos',
    buttonLabel: 'Choose folder',
    ...(opts.defaultPath ? { defaultPath: opts.defaultPath } : {}),
    properties: ['openDirectory', 'createDirectory'],
  });
  if (r.canceled) return null;
  return r.filePaths[0] ?? null;
}
