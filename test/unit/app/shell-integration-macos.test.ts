import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import plist, { type PlistObject, type PlistValue } from 'plist';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bundledQuickActionPath,
  installQuickAction,
  installedQuickActionPath,
  quickActionInstalled,
  QUICK_ACTION_ID,
  removeQuickAction,
} from '../../../src-main/app/shell-integration/macos';
import { runTool } from '../../support/system-tools';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const workflow = bundledQuickActionPath(path.join(repoRoot, 'resources'));

function readPlist(file: string): PlistObject {
  const value = plist.parse(readFileSync(file, 'utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date || Buffer.isBuffer(value)) {
    throw new Error(`${file}: top level is not a dictionary`);
  }
  return value as PlistObject;
}

/** Walks a plist value by keys / indices, failing with the path when something is missing. */
function at(value: PlistValue, ...keys: (string | number)[]): PlistValue {
  let v: PlistValue = value;
  for (const k of keys) {
    const next = (v as Record<string | number, PlistValue> | undefined)?.[k];
    if (next === undefined) throw new Error(`missing ${keys.join('.')} (at ${k})`);
    v = next;
  }
  return v;
}

describe('the Quick Action bundle', () => {
  it('Info.plist declares a Finder service for images named "Enhance with Revive"', () => {
    const info = readPlist(path.join(workflow, 'Contents/Info.plist'));
    expect(at(info, 'CFBundleIdentifier')).toBe(QUICK_ACTION_ID);
    const services = at(info, 'NSServices') as PlistValue[];
    expect(services).toHaveLength(1);
    expect(at(services, 0, 'NSMenuItem', 'default')).toBe('Enhance with Revive');
    expect(at(services, 0, 'NSMessage')).toBe('runWorkflowAsService');
    expect(at(services, 0, 'NSRequiredContext', 'NSApplicationIdentifier')).toBe('com.apple.finder');
    expect(at(services, 0, 'NSSendFileTypes')).toEqual(['public.image']);
  });

  it('document.wflow is a services-menu workflow taking image files and running open -a Revive "$@" with them as arguments', () => {
    const doc = readPlist(path.join(workflow, 'Contents/document.wflow'));
    expect(at(doc, 'workflowMetaData', 'workflowTypeIdentifier')).toBe('com.apple.Automator.servicesMenu');
    expect(at(doc, 'workflowMetaData', 'serviceInputTypeIdentifier')).toBe('com.apple.Automator.fileSystemObject.image');
    expect(at(doc, 'workflowMetaData', 'serviceApplicationBundleID')).toBe('com.apple.finder');
    const actions = at(doc, 'actions') as PlistValue[];
    expect(actions).toHaveLength(1);
    expect(at(actions, 0, 'action', 'BundleIdentifier')).toBe('com.apple.RunShellScript');
    expect(at(actions, 0, 'action', 'ActionBundlePath')).toBe('/System/Library/Automator/Run Shell Script.action');
    const params = at(actions, 0, 'action', 'ActionParameters');
    expect(at(params, 'COMMAND_STRING')).toBe('open -a Revive "$@"');
    expect(at(params, 'inputMethod')).toBe(1); // 1 = "as arguments", not stdin
    expect(at(params, 'shell')).toBe('/bin/sh');
  });

  it('the script hands every selected path to `open` intact', () => {
    const doc = readPlist(path.join(workflow, 'Contents/document.wflow'));
    const script = at(doc, 'actions', 0, 'action', 'ActionParameters', 'COMMAND_STRING') as string;
    const dir = mkdtempSync(path.join(tmpdir(), 'revive-open-'));
    try {
      // A stand-in for /usr/bin/open that records its arguments.
      const out = path.join(dir, 'args.txt');
      writeFileSync(path.join(dir, 'open'), `#!/bin/sh\nfor a in "$@"; do printf '[%s]\\n' "$a"; done > '${out}'\n`);
      chmodSync(path.join(dir, 'open'), 0o755);
      const r = runTool('sh', ['-c', script, 'sh', '/Users/ann/My Photos/a.jpg', "/Users/ann/it's.png"], {
        env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
      });
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe("[-a]\n[Revive]\n[/Users/ann/My Photos/a.jpg]\n[/Users/ann/it's.png]\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('installQuickAction / removeQuickAction', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'revive-mac-home-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('copies the bundle into ~/Library/Services and removes it again, leaving other services alone', async () => {
    const other = path.join(home, 'Library/Services/Other.workflow/Contents');
    mkdirSync(other, { recursive: true });
    writeFileSync(path.join(other, 'Info.plist'), '<plist/>');

    const dest = await installQuickAction({ home, source: workflow, userConsented: true });
    expect(dest).toBe(installedQuickActionPath(home));
    expect(readdirSync(path.join(dest, 'Contents')).sort()).toEqual(['Info.plist', 'document.wflow']);
    expect(readFileSync(path.join(dest, 'Contents/document.wflow'))).toEqual(readFileSync(path.join(workflow, 'Contents/document.wflow')));
    expect(await quickActionInstalled(home)).toBe(true);
    expect(readdirSync(path.join(home, 'Library/Services')).sort()).toEqual(['Enhance with Revive.workflow', 'Other.workflow']);

    // Installing again (an update) replaces it in place.
    await installQuickAction({ home, source: workflow, userConsented: true });
    expect(readdirSync(path.join(home, 'Library/Services')).sort()).toEqual(['Enhance with Revive.workflow', 'Other.workflow']);

    expect(await removeQuickAction(home)).toBe(true);
    expect(existsSync(dest)).toBe(false);
    expect(await quickActionInstalled(home)).toBe(false);
    expect(readdirSync(path.join(home, 'Library/Services'))).toEqual(['Other.workflow']);
    expect(await removeQuickAction(home)).toBe(false);
  });

  it('refuses to replace or remove a same-named workflow that is not ours', async () => {
    const foreign = path.join(installedQuickActionPath(home), 'Contents');
    mkdirSync(foreign, { recursive: true });
    writeFileSync(path.join(foreign, 'Info.plist'), '<plist><dict/></plist>');
    await expect(installQuickAction({ home, source: workflow, userConsented: true })).rejects.toThrow(/refusing to replace/);
    await expect(removeQuickAction(home)).rejects.toThrow(/refusing to remove/);
    expect(readFileSync(path.join(foreign, 'Info.plist'), 'utf8')).toBe('<plist><dict/></plist>');
  });

  it('refuses a source that is not the Revive workflow, naming it', async () => {
    await expect(installQuickAction({ home, source: path.join(home, 'nope'), userConsented: true })).rejects.toThrow(
      `${path.join(home, 'nope')} is not the Revive Quick Action`,
    );
  });
});
