/** Issue 13 point 3: one catalogue gives every error code a photographer's sentence, with the technical text kept. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../src-preload/contract';
import { explain, explainLine, FALLBACK, MESSAGES, withoutUploadPaths } from '../../../src-preload/messages';
import { IMAGE_ERROR_CODES } from '../../../src-main/imaging/errors';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

/** Every code literal the core raises: `new XError('CODE'`, `code: 'CODE'`, and codes named in CodedError<'CODE'>. */
function codesInSources(): Set<string> {
  const codes = new Set<string>();
  const files = readdirSync(path.join(root, 'src-main'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.startsWith('cli'));
  for (const f of files) {
    const text = readFileSync(path.join(root, 'src-main', f), 'utf8');
    for (const m of text.matchAll(/(?:Error(?:<[^>]*>)?\(\s*|code:\s*|CodedError<)'([A-Z][A-Z_]+)'/g)) codes.add(m[1]!);
  }
  return codes;
}

describe('the message catalogue', () => {
  it('has a sentence for every contract, imaging and core error code', () => {
    const needed = new Set([...Object.values(ERROR_CODES), ...IMAGE_ERROR_CODES, ...codesInSources()]);
    expect(needed.size).toBeGreaterThan(20); // the scan found the codes, not nothing
    const missing = [...needed].filter((c) => !(c in MESSAGES));
    expect(missing).toEqual([]);
  });

  it('speaks plainly: no code names, library names or paths in the sentences', () => {
    for (const [code, m] of Object.entries(MESSAGES)) {
      const words = `${m.text} ${m.hint ?? ''}`;
      expect(words, code).not.toMatch(/[A-Z]{2,}_[A-Z]|vips|libvips|sharp|onnx|payload|\/\w+\//i);
      expect(m.text, code).toMatch(/^[A-Z"'].*\.$/);
    }
  });

  it('keeps the technical message as the detail, with upload folders removed', () => {
    const e = explain('CORRUPT', '/home/me/.local/share/revive/uploads/c-7f3a/scan 1.jpg: damaged JPEG header — Input file has corrupt header');
    expect(e).toEqual({
      text: 'This photo is damaged and cannot be opened.',
      hint: 'Try another copy of it.',
      detail: 'scan 1.jpg: damaged JPEG header — Input file has corrupt header',
      code: 'CORRUPT',
    });
    expect(withoutUploadPaths('C:\\Users\\me\\AppData\\revive\\uploads\\c1\\a.jpg failed')).toBe('a.jpg failed');
    expect(withoutUploadPaths('/photos/uploads-2024/a.jpg')).toBe('/photos/uploads-2024/a.jpg');
  });

  it('falls back for an unknown code and for none, and has a one-line form', () => {
    expect(explain('SOMETHING_NEW', 'x').text).toBe(FALLBACK.text);
    expect(explain(undefined, 'boom')).toMatchObject({ code: 'INTERNAL', text: MESSAGES.INTERNAL!.text });
    expect(explainLine('NOT_AN_IMAGE', 'notes.txt: text')).toBe('This file is not a photo. (NOT_AN_IMAGE: notes.txt: text)');
  });
});
