/**
 * The faces stage's words in a result's history: counts by status, the pack named, and nothing that would break
 * ExifTool's flattened XMP structure (commas and braces separate its fields), checked through the real argument
 * builder.
 */
import { describe, expect, it } from 'vitest';
import { describeFaces, FaceBoxesSchema, type FaceBox } from '../../../../src-main/pipelines/faces/face-box';
import { copyArguments } from '../../../../src-main/imaging/metadata';

const box = (status: FaceBox['status'], x = 10): FaceBox => ({ x, y: 20, width: 60, height: 64, score: 0.9, status });

describe('describeFaces', () => {
  it('counts restored faces and those too small, naming the pack', () => {
    const faces = [box('restored'), box('too-small'), box('restored', 200), box('restored', 300)];
    expect(describeFaces('gfpgan-v1.4', faces)).toBe('faces: 3 restored (gfpgan-v1.4); 1 too small');
  });

  it('leaves out "too small" when every face was restored', () => {
    expect(describeFaces('test-face', [box('restored')])).toBe('faces: 1 restored (test-face)');
  });

  it('says "none restored" when every face was too small, and "none found" for an empty photo', () => {
    expect(describeFaces('p', [box('too-small'), box('too-small')])).toBe('faces: none restored (p); 2 too small');
    expect(describeFaces('p', [])).toBe('faces: none found (p)');
  });

  it('becomes the Parameters field of the XMP history without a comma or brace of its own', () => {
    const model = `realesrgan-x4fast + ${describeFaces('gfpgan-v1.4', [box('restored'), box('too-small')])}`;
    const args = copyArguments({ source: '/p/a.jpg', width: 8, height: 8, format: 'jpg', provenance: { model, scale: 4 } }, new Set(), 'm');
    const history = args.find((a) => a.startsWith('-XMP-xmpMM:History+='))!;
    const parameters = /Parameters=(.*)\}$/.exec(history)![1]!;
    expect(parameters).toBe('enhanced 4x with model realesrgan-x4fast + faces: 1 restored (gfpgan-v1.4); 1 too small');
    expect(parameters).not.toMatch(/[,{}|]/);
  });
});

describe('FaceBoxesSchema', () => {
  it('refuses a box without a status or with a score outside 0–1', () => {
    expect(FaceBoxesSchema.safeParse([box('restored')]).success).toBe(true);
    const { status: _, ...noStatus } = box('restored');
    expect(FaceBoxesSchema.safeParse([noStatus]).success).toBe(false);
    expect(FaceBoxesSchema.safeParse([{ ...box('restored'), score: 1.5 }]).success).toBe(false);
    expect(FaceBoxesSchema.safeParse([{ ...box('restored'), status: 'blurry' }]).success).toBe(false);
  });
});
