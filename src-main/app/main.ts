/**
 * The desktop app's lifecycle, thin on purpose: everything it shows or does lives in the core
 * (src-main/core/services.ts) and the interface; this file wires them to Electron. Start with `npm start`
 * (bundles the interface with vite and the preload with esbuild, then runs electron on electron-entry.mjs; needs
 * the Electron binary, which cannot be downloaded in the build environment).
 *
 * Order matters: schemes are registered and the single-instance lock taken before `ready`; the core opens after it.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, Notification, powerSaveBlocker, protocol, screen, shell } from 'electron';
import { appPaths } from '../pixels/app-paths';
import { defaultDataDir } from '../store/data-dir';
import type { ReviveCore } from '../core/port';
import type { OutputFormat } from '../imaging/formats';
import { openReviveCore } from '../core/services';
import { createDispatcher, type CallContext } from '../ipc/dispatch';
import { forwardEvents } from '../ipc/events';
import { createHandlers } from '../ipc/handlers';
import { registerIpc } from '../ipc/register';
import { chooseFolder } from './folder-dialog';
import { chooseHandoffScale } from './handoff-sheet';
import { explain, speedOf } from '../../src-preload/contract';
import { createBatchIndicators } from './batch-indicators';
import { createShellHandoff } from './handoff';
import { tooLargePrompt } from './too-large-prompt';
import { createLogger } from './logging';
import { adminPromptArgs, installCliCommand, nodeFsOps, uninstallCliCommand, type CliInstallDeps, type CliInstallResult } from './cli-command-install';
import { buildMenuTemplate, type MenuActions } from './menu';
import { APP_ORIGIN, imageUrlFor, installProtocols, SCHEME_PRIVILEGES } from './protocol';
import { installOpenFileHandler, installSingleInstance } from './single-instance';
import { openShellSettings, type ShellSettingsStore } from './shell-settings';
import { createShellIntegration } from './shell-integration/toggle';
import { SERVICES_REFRESH_COMMAND } from './shell-integration/macos';
import { utilityEngine } from './utility-engine';
import { createMainWindow } from './windows';
import { restoredBounds } from './window-state';

/**
 * `npm start` runs this file from source through tsx (electron-entry.mjs); `npm run build` bundles it to
 * dist/main/main.js (package.json `main`, what the packaged app runs). Either way the preload and the interface are
 * the built ones in dist/ (pixels/app-paths.ts knows where that is in each layout).
 */
const { preload: PRELOAD, renderer: RENDERER_DIR } = appPaths();

protocol.registerSchemesAsPrivileged(SCHEME_PRIVILEGES.map((s) => ({ scheme: s.scheme, privileges: { ...s.privileges } })));

// One data folder for the app, `revive serve` and the CLI (store/data-dir.ts): a batch the CLI started shows here and a
// batch the app was running resumes from `revive resume`. Set before anything reads userData (the single-instance
// lock lives there too). A launch with an explicit --user-data-dir (test drivers pass one) uses that folder instead.
app.setPath('userData', app.commandLine.getSwitchValue('user-data-dir') || defaultDataDir());
const userData = app.getPath('userData');
const log = createLogger(path.join(userData, 'logs'));
let core: ReviveCore | null = null;
let win: BrowserWindow | null = null;
const pendingPaths: string[] = [];

const launch = installSingleInstance(app, (cmd) => {
  showWindow();
  void enqueueFromShell(cmd.enhance);
});
if (!launch) {
  app.quit();
} else {
  const openFiles = installOpenFileHandler(app, (paths) => void enqueueFromShell(paths));
  app.whenReady().then(
    async () => {
      await start();
      openFiles.markReady();
      if (launch.enhance.length) await enqueueFromShell(launch.enhance);
    },
    (err: unknown) => log.error('ready failed', err),
  );
}

let handoff: ReturnType<typeof createShellHandoff<null, unknown>> | null = null;

async function enqueueFromShell(paths: string[]): Promise<void> {
  if (!paths.length) return;
  if (!handoff) {
    pendingPaths.push(...paths);
    return;
  }
  try {
    const r = await handoff.enqueueFromShell(paths, null);
    log.info(`shell hand-off: ${r.queued.length} queued, ${r.duplicates.length} repeats, ${r.unreadable.length} unreadable`);
  } catch (err) {
    log.error('shell hand-off failed', err);
    // The user picked "Enhance" in their file manager and must hear why nothing happened.
    dialog.showErrorBox('Revive could not add the photos', (err as Error).message);
  }
}

function showWindow(): void {
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

type Remember = (what: string, change: (s: ShellSettingsStore) => void) => void;

/**
 * A hand-off from the file manager: reads the photos' sizes, asks at which scale with their result size and time
 * (unless turned off), asks for a fallback format when results would be too large, then queues.
 */
async function addFromShell(c: ReviveCore, paths: string[], shellSettings: ShellSettingsStore | null, remember: Remember) {
  const settings = (await c.getSettings()).defaults;
  const added = await c.addInputs(paths, false);
  if (!added.added.length) throw new Error(added.rejected.map((r) => `${path.basename(r.path)}: ${explain(r.code, r.reason).text}`).join('\n'));
  paths = added.added.map((a) => a.path);
  const models = await c.models();
  const model = models.find((m) => m.id === settings.modelId);
  const photos = added.added.map((a) => ({ name: path.basename(a.path), width: a.width ?? 0, height: a.height ?? 0 }));
  const scale = await chooseHandoffScale(photos, settings.scale, model ? speedOf(model, models, await c.deviceInfo()) : null, {
    shouldAsk: () => shellSettings?.get().shellIntegration.confirmHandoff ?? true,
    ask: async (sheet) => {
      showWindow();
      const opts = { type: 'question' as const, message: sheet.message, detail: sheet.detail, buttons: sheet.buttons, defaultId: 0, cancelId: sheet.buttons.length - 1, checkboxLabel: sheet.checkboxLabel };
      return win ? dialog.showMessageBox(win, opts) : dialog.showMessageBox(opts);
    },
    dontAskAgain: () => remember('the hand-off choice', (s) => s.set({ shellIntegration: { confirmHandoff: false } })),
  });
  if (scale === null) return null; // Cancel: nothing queued
  const defaults = { ...settings, scale };
  // Results too large for the default format: ask which format to use before anything is queued.
  const prompt = tooLargePrompt(await c.checkJob(paths, defaults), (p) => path.basename(p));
  let fallback: OutputFormat | undefined;
  if (prompt) {
    showWindow();
    const opts = { type: 'question' as const, message: prompt.message, detail: prompt.detail, buttons: prompt.buttons, defaultId: 0, cancelId: prompt.buttons.length - 1 };
    const answer = win ? await dialog.showMessageBox(win, opts) : await dialog.showMessageBox(opts);
    fallback = prompt.formats[answer.response];
    if (!fallback) return null; // Cancel: nothing queued
  }
  return c.startJob(paths, defaults, false, fallback);
}

/** The shell's own settings. Only conveniences live there: when they cannot be read or written, run without remembering. */
function openRememberingShellSettings(): { shellSettings: ShellSettingsStore | null; remember: Remember } {
  let shellSettings: ShellSettingsStore | null = null;
  const remember: Remember = (what, change) => {
    try {
      if (shellSettings) change(shellSettings);
    } catch (err) {
      log.error(`cannot save ${what} in the shell settings`, err);
    }
  };
  try {
    shellSettings = openShellSettings(userData);
  } catch (err) {
    log.error('cannot open the shell settings; the window place and dialog folders will not be remembered', err);
  }
  return { shellSettings, remember };
}

/** Connects the window to the core: IPC, events, taskbar progress, the menu, and remembering its place. */
function connectWindow(c: ReviveCore, w: BrowserWindow, shellSettings: ShellSettingsStore | null, remember: Remember): void {
  const ctx: CallContext = {
    host: 'electron',
    imageUrl: imageUrlFor,
    downloadUrl: () => undefined,
    pickPaths: async (folders) => {
      const kind = folders ? 'addFolder' : 'addPhotos';
      const r = await dialog.showOpenDialog(w, {
        title: folders ? 'Add a folder of photos' : 'Add photos',
        defaultPath: shellSettings?.lastFolder(kind),
        properties: folders ? ['openDirectory', 'multiSelections'] : ['openFile', 'multiSelections'],
        filters: folders ? [] : [{ name: 'Photos', extensions: ['jpg', 'jpeg', 'png', 'webp', 'tif', 'tiff', 'gif', 'avif'] }],
      });
      if (r.canceled) return [];
      remember('the dialog folder', (s) => s.rememberPick(kind, r.filePaths));
      return r.filePaths;
    },
    pickFolder: (title) => chooseFolder(w, { title, defaultPath: shellSettings?.lastFolder('addFolder') }),
    reveal: (file) => shell.showItemInFolder(file),
    shellIntegration: createShellIntegration({
      platform: process.platform,
      home: app.getPath('home'),
      env: process.env,
      execPath: process.execPath,
      resourcesPath: process.resourcesPath,
      remember: (choice) => remember('the file-manager choice', (s) => s.set({ shellIntegration: { choice } })),
      refreshServices: () =>
        new Promise((resolve) => {
          execFile(SERVICES_REFRESH_COMMAND[0], SERVICES_REFRESH_COMMAND.slice(1), (err) => {
            // Finder picks the change up at the next login anyway: a failed refresh is logged, not an error.
            if (err) log.error('pbs -flush failed', err);
            resolve();
          });
        }),
    }),
  };
  const dispatch = createDispatcher(createHandlers(c, { name: 'Revive', platform: process.platform }), {
    onInternalError: (channel, err) => log.error(`handler ${channel}`, err),
  });
  const unregister = registerIpc(ipcMain, dispatch, { origin: APP_ORIGIN, webContentsId: () => (w.isDestroyed() ? null : w.webContents.id) }, ctx);
  const stopEvents = forwardEvents(c, (event, payload) => {
    if (!w.isDestroyed()) w.webContents.send(event, payload);
  });
  const indicators = createBatchIndicators({
    setProgress: (f) => {
      if (!w.isDestroyed()) w.setProgressBar(f);
    },
    preventSleep: () => powerSaveBlocker.start('prevent-app-suspension'),
    allowSleep: (id) => powerSaveBlocker.stop(id),
    notify: (title, body) => {
      if (Notification.isSupported()) new Notification({ title, body }).show();
    },
  });
  const stopIndicators = c.on('progress', (p) => indicators.onProgress(p));
  c.on('error', (e) => log.error(`${e.context ?? 'core'}: ${e.code} ${e.message}`));

  const go = (hash: string): void => void w.webContents.executeJavaScript(`location.hash = ${JSON.stringify(hash)}`);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate(process.platform, {
        addPhotos: () => go('#start'),
        show: (screenName) => go(`#${screenName}`),
        openLogFile: () => void shell.openPath(log.file),
        openDataFolder: () => void shell.openPath(userData),
        ...(process.platform === 'darwin' ? cliCommandActions(w) : {}),
      }),
    ),
  );

  w.on('close', () => {
    const b = w.getNormalBounds();
    remember('the window place', (s) => s.set({ window: { ...b, maximized: w.isMaximized() } }));
  });
  w.on('closed', () => {
    unregister();
    stopEvents();
    stopIndicators();
    indicators.dispose();
    win = null;
    app.quit();
  });
}

async function start(): Promise<void> {
  nativeTheme.themeSource = 'system';
  try {
    // The engine runs as an Electron utility process (utility-engine.ts); the CLI and `revive serve` fork it.
    core = await openReviveCore(userData, { version: app.getVersion(), spawner: utilityEngine() });
  } catch (err) {
    log.error('cannot open the core', err);
    dialog.showErrorBox('Revive cannot start', (err as Error).message);
    app.quit();
    return;
  }
  const c = core;
  // Native dialogs and menus follow the same choice as the page ("system" unless the user picked one).
  nativeTheme.themeSource = (await c.getSettings()).theme;
  installProtocols(protocol, RENDERER_DIR, c.allowList);

  const { shellSettings, remember } = openRememberingShellSettings();
  handoff = createShellHandoff({ addInputs: (paths: string[]) => addFromShell(c, paths, shellSettings, remember) });
  if (pendingPaths.length) void enqueueFromShell(pendingPaths.splice(0));

  const bounds = restoredBounds(shellSettings?.get().window ?? null, screen.getAllDisplays().map((d) => d.workArea));
  win = createMainWindow({ preload: PRELOAD, backgroundColor: nativeTheme.shouldUseDarkColors ? '#15171b' : '#f4f5f7', ...(bounds ? { bounds } : {}) });
  if (bounds?.maximized) win.maximize();
  const w = win;

  connectWindow(c, w, shellSettings, remember);
  log.info(`started ${app.getVersion()} with data in ${userData}`);
}

/** macOS: Revive → Install/Uninstall 'revive' Command (app/cli-command-install.ts) on the dialog and osascript. */
function cliCommandActions(w: BrowserWindow): Pick<MenuActions, 'installCliCommand' | 'uninstallCliCommand'> {
  const deps: CliInstallDeps = {
    ...nodeFsOps(),
    launcher: path.join(appPaths().resources, 'bin', 'revive'),
    runAsAdmin: (command) => new Promise((resolve, reject) => execFile('osascript', adminPromptArgs(command), (err) => (err ? reject(err) : resolve()))),
    confirm: async (message, detail, button) =>
      (await dialog.showMessageBox(w, { type: 'question', message, detail, buttons: [button, 'Cancel'], defaultId: 0, cancelId: 1 })).response === 0,
  };
  const report = (r: CliInstallResult): void => {
    if (r.status === 'failed') dialog.showErrorBox("The 'revive' command", r.message);
    else if (r.status !== 'cancelled') log.info(`revive command: ${r.status}`);
  };
  return {
    installCliCommand: () => void installCliCommand(deps).then(report),
    uninstallCliCommand: () => void uninstallCliCommand(deps).then(report),
  };
}

app.on('window-all-closed', () => app.quit());
app.on('will-quit', (event) => {
  if (!core) return;
  // Let the core finish closing (engine process, lock, database) before the process ends.
  event.preventDefault();
  const c = core;
  core = null;
  c.close().then(
    () => app.quit(),
    (err: unknown) => {
      log.error('closing the core failed', err);
      app.exit(1);
    },
  );
});
