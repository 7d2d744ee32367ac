import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { adminPromptArgs, installCliCommand, nodeFsOps, shQuote, uninstallCliCommand, type CliInstallDeps } from '../../../src-main/app/cli-command-install';

let tmp: string;
let launcher: string;
let link: string;

beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'revive-cli-link-'));
  launcher = path.join(tmp, 'Revive.app', 'Contents', 'Resources', 'bin', 'revive');
  mkdirSync(path.dirname(launcher), { recursive: true });
  writeFileSync(launcher, '#!/bin/sh\n');
  link = path.join(tmp, 'usr', 'local', 'bin', 'revive');
});
afterEach(() => {
  chmodSync(tmp, 0o755);
  rmSync(tmp, { recursive: true, force: true });
});

/** Real fs in the temp folder; the user's answer and the administrator step are fakes. */
function deps(over: Partial<CliInstallDeps> = {}): CliInstallDeps & { confirm: ReturnType<typeof vi.fn>; runAsAdmin: ReturnType<typeof vi.fn> } {
  return {
    ...nodeFsOps(),
    launcher,
    link,
    confirm: vi.fn(async () => true),
    runAsAdmin: vi.fn(async () => undefined),
    ...over,
  } as CliInstallDeps & { confirm: ReturnType<typeof vi.fn>; runAsAdmin: ReturnType<typeof vi.fn> };
}

describe("macOS: Install 'revive' Command", () => {
  it('asks first, then links the command to the launcher (creating the folder); a second time there is nothing to do', async () => {
    const d = deps();
    expect(await installCliCommand(d)).toEqual({ status: 'installed' });
    expect(d.confirm).toHaveBeenCalledTimes(1);
    expect(d.confirm.mock.calls[0]![1]).toContain(`${link} → ${launcher}`);
    expect(readlinkSync(link)).toBe(launcher);
    expect(await installCliCommand(d)).toEqual({ status: 'already' });
    expect(d.confirm).toHaveBeenCalledTimes(1);
    expect(d.runAsAdmin).not.toHaveBeenCalled();
  });

  it('does nothing when the user says no', async () => {
    const d = deps({ confirm: vi.fn(async () => false) });
    expect(await installCliCommand(d)).toEqual({ status: 'cancelled' });
    expect(() => lstatSync(link)).toThrow();
  });

  it('repoints a link to an older copy of the app after saying so, and never replaces a file that is not a link', async () => {
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync('/Volumes/Old/Revive.app/Contents/Resources/bin/revive', link);
    const d = deps();
    expect(await installCliCommand(d)).toEqual({ status: 'installed' });
    expect(d.confirm.mock.calls[0]![1]).toContain('It replaces the link there now, which points to /Volumes/Old/');
    expect(readlinkSync(link)).toBe(launcher);

    rmSync(link);
    writeFileSync(link, 'a script of the user');
    const r = await installCliCommand(deps());
    expect(r).toMatchObject({ status: 'failed', message: expect.stringContaining('is not a link') });
  });

  it('goes through the administrator prompt when the folder is not writable, with the paths quoted for the shell', async () => {
    mkdirSync(path.dirname(link), { recursive: true });
    chmodSync(path.dirname(link), 0o555);
    // Root ignores permissions: stand in for the refusal the user would meet.
    const refuse = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const d = deps({ symlink: vi.fn(async () => Promise.reject(refuse)) });
    expect(await installCliCommand(d)).toEqual({ status: 'installed' });
    expect(d.runAsAdmin).toHaveBeenCalledWith(`mkdir -p ${shQuote(path.dirname(link))} && ln -sfn ${shQuote(launcher)} ${shQuote(link)}`);

    const cancelled = deps({ symlink: vi.fn(async () => Promise.reject(refuse)), runAsAdmin: vi.fn(async () => Promise.reject(new Error('User canceled.'))) });
    expect(await installCliCommand(cancelled)).toEqual({ status: 'failed', message: 'the administrator step did not run: User canceled.' });
  });

  it('refuses outside the installed app (no launcher), and quotes awkward paths', async () => {
    rmSync(launcher);
    expect(await installCliCommand(deps())).toMatchObject({ status: 'failed', message: expect.stringContaining('comes with the installed app') });
    expect(shQuote("/Applications/Bob's Revive.app")).toBe(`'/Applications/Bob'\\''s Revive.app'`);
  });

  it('hands the command to osascript as one AppleScript string (quotes and backslashes escaped)', () => {
    expect(adminPromptArgs(`ln -sfn '/A "b"\\c' x`)).toEqual(['-e', `do shell script "ln -sfn '/A \\"b\\"\\\\c' x" with administrator privileges`]);
  });
});

describe("macOS: Uninstall 'revive' Command", () => {
  it('removes only a link to a Revive launcher, after asking', async () => {
    const d = deps();
    expect(await uninstallCliCommand(d)).toEqual({ status: 'not-installed' });
    await installCliCommand(d);
    expect(await uninstallCliCommand(d)).toEqual({ status: 'removed' });
    expect(() => lstatSync(link)).toThrow();

    symlinkSync('/opt/homebrew/bin/something-else', link);
    expect(await uninstallCliCommand(d)).toEqual({ status: 'not-installed' });
    expect(readlinkSync(link)).toBe('/opt/homebrew/bin/something-else');
  });
});

describe('the macOS app menu', () => {
  it("lists Install and Uninstall 'revive' Command when the shell wires them (menu.ts)", async () => {
    const { buildMenuTemplate } = await import('../../../src-main/app/menu');
    const installCliCommand = vi.fn();
    const uninstallCliCommand = vi.fn();
    const base = { addPhotos: vi.fn(), show: vi.fn(), openLogFile: vi.fn(), openDataFolder: vi.fn() };
    const [first] = buildMenuTemplate('darwin', { ...base, installCliCommand, uninstallCliCommand });
    expect(first!.role).toBe('appMenu');
    const items = first!.submenu as { label?: string; role?: string; click?: () => void }[];
    items.find((i) => i.label === "Install 'revive' Command…")!.click!();
    items.find((i) => i.label === "Uninstall 'revive' Command…")!.click!();
    expect(installCliCommand).toHaveBeenCalledTimes(1);
    expect(uninstallCliCommand).toHaveBeenCalledTimes(1);
    expect(items.map((i) => i.role).filter(Boolean)).toEqual(['about', 'services', 'hide', 'hideOthers', 'unhide', 'quit']);
    // Elsewhere nothing changes: no such entries on Linux or Windows.
    expect(JSON.stringify(buildMenuTemplate('linux', { ...base, installCliCommand, uninstallCliCommand }))).not.toContain('revive');
  });
});
