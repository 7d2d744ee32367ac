/**
 * The XMP history entry through real ExifTool: a model id holding every character of ExifTool's structure syntax
 * (`,` `{` `}` `|` `[` `]`, a leading space, an attempt to start a second entry) is written by copyMetadata (the
 * bundled ExifTool) and read back by Debian's exiftool, an independent reader, exactly as given.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeMetadataTool, copyMetadata, reviveVersion } from '../../src-main/imaging/metadata';
import { readTags } from '../fixtures/metadata-photos';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'revive-xmp-escape-'));
});

afterAll(async () => {
  await closeMetadataTool();
  await rm(dir, { recursive: true, force: true });
});

async function photo(name: string): Promise<string> {
  const file = path.join(dir, name);
  await sharp({ create: { width: 16, height: 12, channels: 3, background: { r: 90, g: 120, b: 150 } } }).jpeg().toFile(file);
  return file;
}

describe('XMP history entry', () => {
  it.each([
    ['every special character', 'pack,a}b{c|d[e]f (sensitivity 50, colour restore 100 %)'],
    ['a second entry smuggled in', 'x},{Action=deleted,SoftwareAgent=evil'],
    ['leading space and bracket', ' [draft] model'],
    ['a trailing escape character', 'model|'],
  ])('round-trips a model id with %s', async (_what, model) => {
    const source = await photo('source.jpg');
    const target = await photo('target.jpg');
    await copyMetadata(target, { source, format: 'jpg', width: 16, height: 12, provenance: { model, scale: 2 } });
    const tags = readTags(target);
    expect(tags['XMP-xmpMM:History']).toEqual([
      expect.objectContaining({ Action: 'derived', SoftwareAgent: `Revive ${reviveVersion()}`, Parameters: `enhanced 2x with model ${model}` }),
    ]);
    expect(tags['IFD0:ProcessingSoftware']).toBe(`Revive ${reviveVersion()} (enhanced 2x with model ${model})`);
  });

  it('writes a control character as text instead of breaking the argument line', async () => {
    const source = await photo('source.jpg');
    const target = await photo('target.jpg');
    await copyMetadata(target, { source, format: 'jpg', width: 16, height: 12, provenance: { model: 'a\nb', scale: 2 } });
    const history = readTags(target)['XMP-xmpMM:History'] as { Parameters: string }[];
    expect(history.map((h) => h.Parameters)).toEqual(['enhanced 2x with model a\\nb']);
  });
});
