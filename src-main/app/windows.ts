/**
 * The main window with the settings that keep a page showing user images from reaching anything else: sandboxed,
 * context-isolated, no Node, no new windows, no navigation away from the app, external links only for http(s) and
 * only in the system browser.
 */
import { BrowserWindow, shell, type BrowserWindowConstructorOptions, type WebContents, type WebPreferences } from 'electron';
import { APP_ORIGIN, APP_URL } from './protocol';
import { originOf } from '../ipc/register';

/** The web preferences of every Revive window. Exported so the test checks exactly what the window gets. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/** Whether a URL may be handed to the system browser: http(s) only (no file:, javascript:, custom schemes). */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
  } catch {
    return false;
  }
}

/**
 * Denies every new window (links with target=_blank open in the browser when they are http(s)) and blocks every
 * navigation and redirect away from the app's own origin.
 */
export function installNavigationGuards(contents: WebContents, openExternal: (url: string) => void = (u) => void shell.openExternal(u)): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) openExternal(url);
    return { action: 'deny' };
  });
  const block = (event: { preventDefault(): void }, url: string): void => {
    if (originOf(url) !== APP_ORIGIN) event.preventDefault();
  };
  contents.on('will-navigate', block);
  contents.on('will-redirect', block);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // Permission prompts (camera, notifications from the page, geolocation…) are never needed by the interface.
  contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
}

export interface MainWindowOptions {
  preload: string;
  bounds?: { x?: number; y?: number; width: number; height: number };
  backgroundColor: string;
}

/** Creates the main window, guarded, and loads the interface. */
export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  const options: BrowserWindowConstructorOptions = {
    width: opts.bounds?.width ?? 1280,
    height: opts.bounds?.height ?? 820,
    ...(opts.bounds?.x !== undefined && opts.bounds.y !== undefined ? { x: opts.bounds.x, y: opts.bounds.y } : {}),
    minWidth: 760,
    minHeight: 520,
    show: false,
    title: 'Revive',
    backgroundColor: opts.backgroundColor,
    webPreferences: secureWebPreferences(opts.preload),
  };
  const win = new BrowserWindow(options);
  installNavigationGuards(win.webContents);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_URL);
  return win;
}
