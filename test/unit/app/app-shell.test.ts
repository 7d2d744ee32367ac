/**
 * The Electron shell with `electron` mocked: the window's security options, navigation and window-open guards,
 * external links, the IPC sender check, the image protocol's allow-list, the menu and the batch indicators.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { tempFolders } from '../../support/temp-folders';

const tmp = tempFolders();

const created: { options: Record<string, unknown>; contents: FakeContents }[] = [];

class FakeContents {
  handlers = new Map<string, (...args: unknown[]) => void>();
  openHandler: ((d: { url: string }) => { action: string }) | null = null;
  permissionHandler: ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void) | null = null;
  session = { setPermissionRequestHandler: (h: FakeContents['permissionHandler']) => (this.permissionHandler = h) };
  on(event: string, fn: (...args: unknown[]) => void) {
    this.handlers.set(event, fn);
    return this;
  }
  setWindowOpenHandler(fn: FakeContents['openHandler']) {
    this.openHandler = fn;
  }
}

vi.mock('electron', () => {
  class BrowserWindow {
    webContents = new FakeContents();
    loaded: string | null = null;
    constructor(options: Record<string, unknown>) {
      created.push({ options, contents: this.webContents });
    }
    once() {}
    show() {}
    loadURL(url: string) {
      this.loaded = url;
      return Promise.resolve();
    }
  }
  return { BrowserWindow, shell: { openExternal: vi.fn(async () => undefined) } };
});

const { createMainWindow, isSafeExternalUrl, secureWebPreferences } = await import('../../../src-main/app/windows');
const { APP_ORIGIN, APP_URL, createImageHandler, createAppHandler, imageUrlFor } = await import('../../../src-main/app/protocol');
const { buildMenuTemplate } = await import('../../../src-main/app/menu');
const { createBatchIndicators } = await import('../../../src-main/app/batch-indicators');
const { isTrustedSender, registerIpc } = await import('../../../src-main/ipc/register');
const { createDispatcher } = await import('../../../src-main/ipc/dispatch');
const { createHandlers } = await import('../../../src-main/ipc/handlers');
const { AllowList } = await import('../../../src-main/core/allow-list');
const { CHANNEL_NAMES } = await import('../../../src-preload/contract');
const { FakeCore } = await import('../../support/fake-core');
const electron = await import('electron');

describe('main window', () => {
  beforeEach(() => {
    created.length = 0;
  });

  it('is sandboxed, context-isolated, without Node, and loads the app protocol', () => {
    const win = createMainWindow({ preload: '/app/preload.cjs', backgroundColor: '#000' }) as unknown as { loaded: string };
    const prefs = created[0]!.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, webSecurity: true, webviewTag: false, preload: '/app/preload.cjs' });
    expect(prefs).toEqual(secureWebPreferences('/app/preload.cjs'));
    expect(win.loaded).toBe(APP_URL);
    expect(APP_URL.startsWith('revive-app://app/')).toBe(true);
  });

  it('denies every new window and opens only http(s) links externally', () => {
    createMainWindow({ preload: '/p', backgroundColor: '#000' });
    const contents = created[0]!.contents;
    for (const url of ['https://example.org/', 'http://example.org/x', 'file:///etc/passwd', 'javascript:alert(1)', 'revive-app://app/x', 'smb://host/share']) {
      expect(contents.openHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(vi.mocked(electron.shell.openExternal).mock.calls.map((c) => c[0])).toEqual(['https://example.org/', 'http://example.org/x']);
    expect(isSafeExternalUrl('https://')).toBe(false);
  });

  it('blocks navigation and redirects away from the app origin, webviews and permission requests', () => {
    createMainWindow({ preload: '/p', backgroundColor: '#000' });
    const contents = created[0]!.contents;
    const attempt = (event: string, url: string): boolean => {
      const e = { preventDefault: vi.fn() };
      contents.handlers.get(event)!(e, url);
      return e.preventDefault.mock.calls.length > 0;
    };
    expect(attempt('will-navigate', 'https://evil.example/')).toBe(true);
    expect(attempt('will-navigate', 'file:///home/me/')).toBe(true);
    expect(attempt('will-redirect', 'revive-app://other/index.html')).toBe(true);
    expect(attempt('will-navigate', `${APP_ORIGIN}/index.html#queue`)).toBe(false);
    const webview = { preventDefault: vi.fn() };
    contents.handlers.get('will-attach-webview')!(webview);
    expect(webview.preventDefault).toHaveBeenCalled();
    const answers: boolean[] = [];
    contents.permissionHandler!(null, 'media', (ok) => answers.push(ok));
    expect(answers).toEqual([false]);
  });
});

describe('IPC registration', () => {
  const ours = { id: 7, mainFrame: { url: `${APP_ORIGIN}/index.html` } };
  const trusted = { origin: APP_ORIGIN, webContentsId: () => 7 };

  function setup() {
    const handlers = new Map<string, (event: unknown, payload: unknown) => Promise<unknown>>();
    const ipcMain = {
      handle: (ch: string, fn: (event: never, payload: unknown) => Promise<never>) => handlers.set(ch, fn as never),
      removeHandler: (ch: string) => handlers.delete(ch),
    };
    const core = new FakeCore(os.tmpdir());
    const dispatch = createDispatcher(createHandlers(core, { name: 'Revive', platform: 'linux' }));
    const off = registerIpc(ipcMain, dispatch, trusted, { host: 'electron', imageUrl: imageUrlFor, downloadUrl: () => undefined });
    return { handlers, off, core };
  }

  it('registers exactly one handler per contract channel and removes them all', () => {
    const { handlers, off } = setup();
    expect([...handlers.keys()].sort()).toEqual([...CHANNEL_NAMES].sort());
    off();
    expect(handlers.size).toBe(0);
  });

  it('answers our window’s main frame and refuses other windows, subframes and foreign origins', async () => {
    const { handlers, core } = setup();
    const call = (event: unknown) => handlers.get('models:list')!(event, {});
    await expect(call({ sender: ours, senderFrame: ours.mainFrame })).resolves.toMatchObject({ ok: true });
    const refused = { ok: false, error: { code: 'FORBIDDEN_SENDER' } };
    await expect(call({ sender: { ...ours, id: 8 }, senderFrame: ours.mainFrame })).resolves.toMatchObject(refused);
    await expect(call({ sender: ours, senderFrame: { url: `${APP_ORIGIN}/index.html`, parent: ours.mainFrame } })).resolves.toMatchObject(refused);
    const evilFrame = { url: 'https://evil.example/' };
    await expect(call({ sender: { id: 7, mainFrame: evilFrame }, senderFrame: evilFrame })).resolves.toMatchObject(refused);
    await expect(call({ sender: ours, senderFrame: null })).resolves.toMatchObject(refused);
    const fileFrame = { url: 'file:///app/index.html' };
    await expect(call({ sender: { id: 7, mainFrame: fileFrame }, senderFrame: fileFrame })).resolves.toMatchObject(refused);
    expect(core.calls).toHaveLength(0);
    expect(isTrustedSender({ sender: ours, senderFrame: ours.mainFrame }, { origin: APP_ORIGIN, webContentsId: () => null })).toBe(false);
  });

  it('refuses unknown channels and bad payloads from our own window', async () => {
    const { handlers } = setup();
    expect(handlers.has('shell:openExternal')).toBe(false);
    await expect(handlers.get('jobs:start')!({ sender: ours, senderFrame: ours.mainFrame }, { paths: 'rm -rf /' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'INVALID_PAYLOAD' },
    });
  });
});

describe('revive-img: protocol', () => {
  it('serves allow-listed files and refuses everything else', async () => {
    const dir = tmp('revive-proto-');
    const photo = path.join(dir, 'mum.jpg');
    const secret = path.join(dir, 'passwords.txt');
    writeFileSync(photo, 'jpeg bytes');
    writeFileSync(secret, 'secret');
    const allow = new AllowList();
    allow.allowFile(photo);
    const handle = createImageHandler(allow);
    const ok = await handle(new Request(imageUrlFor(photo)));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/jpeg');
    expect(await ok.text()).toBe('jpeg bytes');
    expect((await handle(new Request(imageUrlFor(secret)))).status).toBe(403);
    expect((await handle(new Request(imageUrlFor(`${dir}/x/../passwords.txt`)))).status).toBe(403);
    expect((await handle(new Request(`revive-img://f/${encodeURIComponent('relative.jpg')}`))).status).toBe(403);
    expect((await handle(new Request('revive-img://other/%2Fetc%2Fpasswd'))).status).toBe(400);
  });

  it('serves the interface with its CSP and nothing outside its folder', async () => {
    const outer = tmp('revive-app-');
    const dir = path.join(outer, 'renderer');
    (await import('node:fs')).mkdirSync(dir);
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    writeFileSync(path.join(outer, 'secret.txt'), 'secret');
    const handle = createAppHandler(dir);
    const page = await handle(new Request(APP_URL));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    for (const url of ['revive-app://app/%2e%2e/secret.txt', 'revive-app://app/..%2fsecret.txt', 'revive-app://app/../secret.txt']) {
      const r = await handle(new Request(url));
      expect([400, 404]).toContain(r.status);
    }
    expect((await handle(new Request('revive-app://other/index.html'))).status).toBe(404);
  });
});

describe('menu and batch indicators', () => {
  it('has a Help item that opens the log file', () => {
    const openLogFile = vi.fn();
    const template = buildMenuTemplate('linux', { addPhotos: vi.fn(), show: vi.fn(), openLogFile, openDataFolder: vi.fn() });
    const help = template.find((m) => m.role === 'help')!;
    const item = (help.submenu as { label?: string; click?: () => void }[]).find((i) => i.label === 'Open Log File')!;
    item.click!();
    expect(openLogFile).toHaveBeenCalled();
    expect(buildMenuTemplate('darwin', { addPhotos: vi.fn(), show: vi.fn(), openLogFile, openDataFolder: vi.fn() })[0]).toEqual({ role: 'appMenu' });
  });

  it('shows taskbar progress and holds off sleep while a batch runs, then notifies once', () => {
    const calls: string[] = [];
    const ind = createBatchIndicators({
      setProgress: (f) => calls.push(`progress ${f}`),
      preventSleep: () => (calls.push('block'), 42),
      allowSleep: (id) => calls.push(`unblock ${id}`),
      notify: (t, b) => calls.push(`notify ${b}`),
    });
    const counts = { total: 2, queued: 1, running: 1, done: 0, failed: 0, cancelled: 0, skipped: 0 };
    const base = { kind: 'batch' as const, jobId: 1, paused: false, elapsedMs: 0, etaMs: null, megapixelsPerSecond: null };
    ind.onProgress({ ...base, counts, fraction: 0.25 });
    ind.onProgress({ ...base, counts, fraction: 0.5 });
    ind.onProgress({ ...base, counts: { ...counts, queued: 0, running: 0, done: 1, failed: 1 }, fraction: 1 });
    expect(calls).toEqual(['progress 0.25', 'block', 'progress 0.5', 'progress -1', 'unblock 42', 'notify 1 photo restored, 1 failed.']);
  });
});
