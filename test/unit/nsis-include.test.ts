/**
 * Compiles resources/windows/installer.nsh with Debian's makensis inside a minimal wrapper that gives it what
 * electron-builder's installer gives it (Unicode, APP_EXECUTABLE_FILENAME, an install and an uninstall section),
 * with warnings as errors, then reads the registry operations makensis reports at verbosity 4.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool, runTool } from '../support/system-tools';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const includeFile = path.join(repoRoot, 'resources/windows/installer.nsh');
const KEY = 'HKCU\\Software\\Classes\\SystemFileAssociations\\image\\shell\\ReviveEnhance';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'revive-nsis-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function wrapper(include: string): string {
  return [
    'Unicode true',
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
    '  !insertmacro customInstall',
    'SectionEnd',
    'Section "Uninstall"',
    '  !insertmacro customUnInstall',
    'SectionEnd',
    '',
  ].join('\n');
}

function compile(include: string) {
  requireTool('makensis', 'nsis');
  const script = path.join(dir, 'wrapper.nsi');
  writeFileSync(script, wrapper(include));
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

  it('fails to compile when the include is broken (the check can fail)', () => {
    const broken = path.join(dir, 'broken.nsh');
    writeFileSync(broken, readFileSync(includeFile, 'utf8').replace('WriteRegStr HKCU', 'WriteRegStr HKCU_TYPO'));
    expect(compile(broken).status).not.toBe(0);
  });
});
