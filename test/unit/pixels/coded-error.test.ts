import { describe, expect, it } from 'vitest';
import { CodedError, errorCode } from '../../../src-main/pixels/coded-error';
import { AbortedError } from '../../../src-main/pixels/types';
import { ImageError } from '../../../src-main/imaging/errors';
import { NamingError } from '../../../src-main/jobs/naming';
import { InsufficientSpaceError } from '../../../src-main/jobs/disk-space';
import { InvalidTransitionError } from '../../../src-main/jobs/state';
import { DownloadError } from '../../../src-main/models/download';
import { PackInstallError } from '../../../src-main/models/install';
import { LockHeldError } from '../../../src-main/store/lock';
import { UsageError } from '../../../src-main/cli/options';

describe('CodedError', () => {
  it('carries code, message and cause', () => {
    const cause = new Error('disk');
    const err = new CodedError('NOT_FOUND', 'no such entry', { cause });
    expect(err).toBeInstanceOf(Error);
    expect([err.name, err.code, err.message, err.cause]).toEqual(['CodedError', 'NOT_FOUND', 'no such entry', cause]);
  });

  it('is the base of every coded error class, which keeps its own name, code and message', () => {
    const cases: [CodedError, string, string][] = [
      [new AbortedError(), 'AbortedError', 'ABORTED'],
      [new ImageError('CORRUPT', 'x'), 'ImageError', 'CORRUPT'],
      [new NamingError('x'), 'NamingError', 'OUTPUT_IS_INPUT'],
      [new InsufficientSpaceError([{ dir: '/o', neededBytes: 2, freeBytes: 1, fits: false }]), 'InsufficientSpaceError', 'INSUFFICIENT_SPACE'],
      [new InvalidTransitionError(7, 'done', 'queued'), 'InvalidTransitionError', 'INVALID_TRANSITION'],
      [new DownloadError('x'), 'DownloadError', 'DOWNLOAD_FAILED'],
      [new PackInstallError('x'), 'PackInstallError', 'PACK_REFUSED'],
      [new LockHeldError('queue', { pid: 1, host: 'h', acquiredAt: 0, heartbeatAt: 0 }), 'LockHeldError', 'LOCK_HELD'],
      [new UsageError('x'), 'UsageError', 'INVALID_USAGE'],
    ];
    for (const [err, name, code] of cases) {
      expect(err).toBeInstanceOf(CodedError);
      expect([err.name, err.code, errorCode(err)]).toEqual([name, code, code]);
    }
    expect(new AbortedError().message).toBe('cancelled');
    expect(new InvalidTransitionError(7, 'done', 'queued').message).toBe('item 7 cannot go from done to queued (allowed from done: nothing, it is final)');
  });
});

describe('errorCode', () => {
  it('reads a well-formed code from any object and ignores the rest', () => {
    expect(errorCode(Object.assign(new Error('x'), { code: 'QUEUE_LOCKED' }))).toBe('QUEUE_LOCKED');
    expect(errorCode(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe('ENOENT');
    expect(errorCode(Object.assign(new Error('x'), { code: 'lower-case' }))).toBeUndefined();
    expect(errorCode('NOT_AN_OBJECT')).toBeUndefined();
  });
});
