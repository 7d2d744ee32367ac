/**
 * macOS: Revive → "Install 'revive' Command…" (and its Uninstall twin), as VS Code's "Install 'code' command in PATH":
 * after the user agrees, a symbolic link /usr/local/bin/revive → the app's launcher,
 * `Revive.app/Contents/Resources/bin/revive` (resources/macos/revive: runs the app's Electron as Node on the bundled
 * CLI). /usr/local/bin belongs to root on a fresh Mac, so when the plain link is refused the same command runs through
 * macOS's administrator prompt. The links point into the app bundle, so moving the app breaks them: installing again
 * replaces a link to an older place, and a file that is not a link is never touched.
 *
 * Pure logic over injected operations (tested with fakes in test/unit/app/cli-command-install.test.ts); app/main.ts wires
 * Node's fs, Electron's dialog and osascript.
 */
import { existsSync } from 'node:fs';
import { lstat, mkdir, readlink, symlink, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Where the command goes: on every Mac's default PATH. */
export const CLI_LINK = '/usr/local/bin/revive';

/** What is at a path, without following a link there. */
export type PathState = { kind: 'missing' } | { kind: 'link'; target: string } | { kind: 'other' };

export interface CliInstallDeps {
  /** The launcher inside this app (must exist: only an installed app has one). */
  launcher: string;
  link?: string;
  inspect(p: string): Promise<PathState>;
  exists(p: string): Promise<boolean>;
  mkdirp(dir: string): Promise<void>;
  symlink(target: string, p: string): Promise<void>;
  unlink(p: string): Promise<void>;
  /** Runs a shell command as administrator (macOS asks for the password); rejects when refused or cancelled. */
  runAsAdmin(command: string): Promise<void>;
  /** Asks the user; resolves true for the first (confirming) button. */
  confirm(message: string, detail: string, button: string): Promise<boolean>;
}

export type CliInstallResult =
  | { status: 'installed' | 'removed' | 'already' | 'cancelled' | 'not-installed' }
  | { status: 'failed'; message: string };

/** The file-system half of {@link CliInstallDeps} on Node's fs. */
export function nodeFsOps(): Pick<CliInstallDeps, 'inspect' | 'exists' | 'mkdirp' | 'symlink' | 'unlink'> {
  return {
    async inspect(p) {
      try {
        const st = await lstat(p);
        return st.isSymbolicLink() ? { kind: 'link', target: await readlink(p) } : { kind: 'other' };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
        throw err;
      }
    },
    exists: async (p) => existsSync(p),
    mkdirp: async (dir) => void (await mkdir(dir, { recursive: true })),
    symlink: (target, p) => symlink(target, p),
    unlink: (p) => unlink(p),
  };
}

/** Single-quotes a path for /bin/sh. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** osascript's arguments that run `command` as administrator (macOS shows its password prompt). */
export function adminPromptArgs(command: string): string[] {
  const quoted = `"${command.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return ['-e', `do shell script ${quoted} with administrator privileges`];
}

const isPermission = (err: unknown): boolean => ['EACCES', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '');

/** Whether a link target is a Revive launcher (this app's or one left by a copy of the app elsewhere). */
function isReviveLauncher(target: string, launcher: string): boolean {
  return target === launcher || target.endsWith('.app/Contents/Resources/bin/revive');
}

/** Does `plain`; when the file system refuses for lack of permission, runs `asAdmin` through the administrator prompt. */
async function withAdminFallback(deps: CliInstallDeps, plain: () => Promise<void>, asAdmin: string): Promise<CliInstallResult | null> {
  try {
    await plain();
    return null;
  } catch (err) {
    if (!isPermission(err)) return { status: 'failed', message: (err as Error).message };
  }
  try {
    await deps.runAsAdmin(asAdmin);
    return null;
  } catch (err) {
    return { status: 'failed', message: `the administrator step did not run: ${(err as Error).message}` };
  }
}

/** Installs (or repoints) the `revive` link after the user agrees. */
export async function installCliCommand(deps: CliInstallDeps): Promise<CliInstallResult> {
  const link = deps.link ?? CLI_LINK;
  if (!(await deps.exists(deps.launcher))) {
    return { status: 'failed', message: `the command comes with the installed app; ${deps.launcher} is missing` };
  }
  const state = await deps.inspect(link);
  if (state.kind === 'link' && state.target === deps.launcher) return { status: 'already' };
  if (state.kind === 'other') return { status: 'failed', message: `${link} exists and is not a link: remove it yourself first, Revive does not replace it` };
  const replacing = state.kind === 'link' ? `\n\nIt replaces the link there now, which points to ${state.target}.` : '';
  const agreed = await deps.confirm(
    "Install the 'revive' command?",
    `Revive will create a symbolic link ${link} → ${deps.launcher}, so that Terminal can run "revive enhance photo.jpg". macOS may ask for an administrator password.${replacing}`,
    'Install',
  );
  if (!agreed) return { status: 'cancelled' };
  const failed = await withAdminFallback(
    deps,
    async () => {
      await deps.mkdirp(path.dirname(link));
      if (state.kind === 'link') await deps.unlink(link);
      await deps.symlink(deps.launcher, link);
    },
    `mkdir -p ${shQuote(path.dirname(link))} && ln -sfn ${shQuote(deps.launcher)} ${shQuote(link)}`,
  );
  return failed ?? { status: 'installed' };
}

/** Removes the link, if it is a Revive launcher link, after the user agrees. */
export async function uninstallCliCommand(deps: CliInstallDeps): Promise<CliInstallResult> {
  const link = deps.link ?? CLI_LINK;
  const state = await deps.inspect(link);
  if (state.kind !== 'link' || !isReviveLauncher(state.target, deps.launcher)) return { status: 'not-installed' };
  const agreed = await deps.confirm("Uninstall the 'revive' command?", `Revive will remove the link ${link} → ${state.target}.`, 'Uninstall');
  if (!agreed) return { status: 'cancelled' };
  const failed = await withAdminFallback(deps, () => deps.unlink(link), `rm -f ${shQuote(link)}`);
  return failed ?? { status: 'removed' };
}
