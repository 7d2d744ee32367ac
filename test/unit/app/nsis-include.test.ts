/**
 * Compiles resources/windows/installer.nsh with Debian's makensis inside a minimal wrapper that gives it what
 * electron-builder's installer gives it (Unicode, APP_EXECUTABLE_FILENAME, LogicLib, an `isUpdated` test, an install and
 * an uninstall section), with warnings as errors, then reads the registry operations and questions makensis reports at
 * verbosity 4 (LogicLib's own verbosity raised so the instructions inside its blocks are listed too). The installer
 * cannot run here (no Windows): what runs on the user's machine is checked as compiled instructions.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool, runTool } from '../../support/system-tools';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const includeFile = path.join(repoRoot, 'resources/windows/installer.nsh');
const KEY = 'HKCU\\Software\\Classes\\SystemFileAssociations\\image\\shell\\ReviveEnhance';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'revive-nsis-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function wrapper(include: string, sections: { install: boolean } = { install: true }): string {
  return [
    'Unicode true',
    '!define LOGICLIB_VERBOSITY 4',
    '!include LogicLib.nsh',
    // Stands in for electron-builder's ${isUpdated} (a LogicLib test, true while an update replaces the app).
    '!macro _ReviveTestUpdated _a _b _t _f',
    '  IfFileExists "$EXEDIR\\updated.flag" `${_t}` `${_f}`',
    '!macroend',
    '!define isUpdated `"" ReviveTestUpdated ""`',
    '!define PRODUCT_NAME "Revive"',
    '!define APP_EXECUTABLE_FILENAME "Revive.exe"',
    'Name "Revive"',
    `OutFile "${path.join(dir, 'installer.exe')}"`,
    'RequestExecutionLevel user',
    'InstallDir "$LOCALAPPDATA\\Programs\\Revive"',
    `!include "${include}"`,
    'Section "Install"',
    '  SetOutPath "$INSTDIR"',
    '  WriteUninstaller "$INSTDIR\\Uninstall Revive.exe"',
    ...(sections.install ? ['  !insertmacro customInstall'] : []),
    'SectionEnd',
    'Section "Uninstall"',
    '  !insertmacro customUnInstall',
    'SectionEnd',
    '',
  ].join('\n');
}

function compile(include: string, sections?: { install: boolean }) {
  requireTool('makensis', 'nsis');
  const script = path.join(dir, 'wrapper.nsi');
  writeFileSync(script, wrapper(include, sections));
  return runTool('makensis', ['-WX', '-V4', '-NOCD', script]);
}

describe('resources/windows/installer.nsh', () => {
  it('compiles with makensis (warnings as errors) and writes exactly the Enhance verb under HKCU', () => {
    const r = compile(includeFile);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const writes = r.stdout.split('\n').filter((l) => l.startsWith('WriteRegStr: ')).map((l) => l.slice('WriteRegStr: '.length));
    expect(writes).toEqual([
      `${KEY}\\MUIVerb=Enhance with Revive`,
      `${KEY}\\Icon="$INSTDIR\\Revive.exe",0`,
      `${KEY}\\MultiSelectModel=Player`,
      `${KEY}\\command\\="$INSTDIR\\Revive.exe" --enhance "%1"`,
    ]);
    const deletes = r.stdout.split('\n').filter((l) => l.startsWith('DeleteReg'));
    expect(deletes).toEqual([`DeleteRegKey: ${KEY}`]);
    // Nothing machine-wide: a per-user install cannot write HKLM.
    expect(r.stdout).not.toMatch(/HKLM|HKCR/);
  });

  it('offers to put resources\\bin (revive.cmd) on the user PATH, and takes it off on uninstall, never during an update', () => {
    const r = compile(includeFile);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    // One write when installing (the user said yes), one when uninstalling (the entry taken out): both HKCU, REG_EXPAND_SZ.
    expect(lines.filter((l) => l.startsWith('WriteRegExpandStr: '))).toEqual(['WriteRegExpandStr: HKCU\\Environment\\Path=$R1', 'WriteRegExpandStr: HKCU\\Environment\\Path=$R1']);
    expect(lines.filter((l) => l.startsWith('SendMessage: ')).length).toBe(2);
    // MB_YESNO|MB_ICONQUESTION (36): a question, answered "no" by a silent install.
    const question = r.stdout.split('MessageBox: 36: ')[1] ?? '';
    expect(question).toMatch(/^"Add the revive command to your PATH\?/);
    const text = readFileSync(includeFile, 'utf8');
    expect(text).toMatch(/MessageBox MB_YESNO\|MB_ICONQUESTION "Add the revive command[^\n]*\/SD IDNO IDYES/);
    // Both PATH edits sit inside an ${IfNot} ${isUpdated} block: an update neither asks nor removes.
    for (const macro of ['customInstall', 'customUnInstall']) {
      const body = text.split(`!macro ${macro}\n`)[1]!.split('!macroend')[0]!;
      expect(body.indexOf('${IfNot} ${isUpdated}'), macro).toBeGreaterThan(-1);
      expect(body.indexOf('${IfNot} ${isUpdated}'), macro).toBeLessThan(body.indexOf('ReadRegStr $R0 HKCU "Environment" "Path"'));
    }
    // The folder is where electron-builder.yml puts revive.cmd.
    expect(text).toContain('!define REVIVE_CLI_DIR "$INSTDIR\\resources\\bin"');
    expect(r.stdout).not.toMatch(/HKLM|HKCR/);
  });

  it('compiles for the uninstaller alone too (electron-builder builds it in a pass without customInstall)', () => {
    const r = compile(includeFile, { install: false });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('fails to compile when the include is broken (the check can fail)', () => {
    const broken = path.join(dir, 'broken.nsh');
    writeFileSync(broken, readFileSync(includeFile, 'utf8').replace('WriteRegStr HKCU', 'WriteRegStr HKCU_TYPO'));
    expect(compile(broken).status).not.toBe(0);
  });
});
