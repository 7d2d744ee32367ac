import { describe, expect, it } from 'vitest';
import { commandLineOfSecondInstance, launchDataOf, readLaunchData } from '../../../src-main/app/launch-data';

const self = { defaultApp: false, platform: 'win32' as const };

describe('launch data forwarded to the running instance', () => {
  it('survives a JSON round trip (Electron serialises additionalData)', () => {
    const data = launchDataOf(['C:\\Revive\\Revive.exe', '--enhance', 'C:\\a b.jpg'], 'C:\\Users\\Ann', false);
    expect(readLaunchData(JSON.parse(JSON.stringify(data)))).toEqual(data);
  });

  it('rejects data that is not ours or is malformed', () => {
    for (const bad of [
      undefined,
      null,
      'x',
      {},
      { kind: 'other', argv: ['a'], cwd: '/', defaultApp: false },
      { kind: 'revive-launch', argv: [], cwd: '/', defaultApp: false },
      { kind: 'revive-launch', argv: ['a', 3], cwd: '/', defaultApp: false },
      { kind: 'revive-launch', argv: ['a'], cwd: '', defaultApp: false },
      { kind: 'revive-launch', argv: ['a'], cwd: '/', defaultApp: 'no' },
    ]) {
      expect(readLaunchData(bad), JSON.stringify(bad)).toBeNull();
    }
  });

  it("prefers the second launch's own argv over Chromium's rebuilt one", () => {
    const cmd = commandLineOfSecondInstance(
      {
        // Chromium's version lost the file (as happens when another user launches) and added switches.
        argv: ['C:\\Revive\\Revive.exe', '--original-process-start-time=1'],
        workingDirectory: 'C:\\Windows\\System32',
        additionalData: launchDataOf(['C:\\Revive\\Revive.exe', '--enhance', 'scan 1.tif'], 'D:\\Scans', false),
      },
      self,
    );
    expect(cmd.enhance).toEqual(['D:\\Scans\\scan 1.tif']);
  });

  it("honours the second launch's own defaultApp (an unpacked dev launch drops the app folder)", () => {
    const cmd = commandLineOfSecondInstance(
      { argv: [], workingDirectory: '/', additionalData: launchDataOf(['/e/electron', '.', '--enhance', 'a.jpg'], '/repo', true) },
      { defaultApp: false, platform: 'linux' },
    );
    expect(cmd.enhance).toEqual(['/repo/a.jpg']);
  });

  it("falls back to the event's argv and working directory without launch data", () => {
    const cmd = commandLineOfSecondInstance(
      { argv: ['C:\\Revive\\Revive.exe', '--enhance', '--allow-file-access-from-files', 'a.png'], workingDirectory: 'E:\\', additionalData: {} },
      self,
    );
    expect(cmd.enhance).toEqual(['E:\\a.png']);
  });

  it('returns an empty command line for an argument-less event (another user)', () => {
    expect(commandLineOfSecondInstance({ argv: [], workingDirectory: '', additionalData: undefined }, self)).toEqual({
      enhance: [],
      open: [],
      switches: {},
      rejected: [],
    });
  });
});
