/**
 * The face stage's pure maths case by case (pipelines/faces: blazeface.ts decoding, nms.ts, windows.ts, align.ts)
 * against direct computations, added after mutation testing (docs/mutation.md): boundaries (score threshold, IoU
 * threshold, window sizes), the alignment's least squares against a brute-force minimum, the bilinear warp against
 * a direct sampler. Tolerances are stated where floats are compared.
 */
import { describe, expect, it } from 'vitest';
import {
  alignedSpan,
  applySimilarity,
  FACE_SIZE,
  faceToTemplate,
  fitSimilarity,
  invertSimilarity,
  TEMPLATE_512,
  warpToTemplate,
  type Similarity,
} from '../../../../src-main/pipelines/faces/align';
import { anchorCentres, BLAZEFACE_GRIDS, BLAZEFACE_INPUT, decodeGrid, KEYPOINTS, type FaceDetection } from '../../../../src-main/pipelines/faces/blazeface';
import { iou, weightedNms } from '../../../../src-main/pipelines/faces/nms';
import { LEVEL_RATIO, levelMaxFraction, MIN_FACE_FRACTION, planWindows, windowSizes } from '../../../../src-main/pipelines/faces/windows';
import type { PixelBuffer } from '../../../../src-main/pixels/types';
import { rng } from '../../../support/random';

const box = (score: number, x: number, y: number, width: number, height = width, kp: [number, number][] = [[x, y]]): FaceDetection => ({
  score,
  x,
  y,
  width,
  height,
  keypoints: kp,
});

describe('BlazeFace decoding, case by case', () => {
  it('lays every anchor at its cell centre, for both grids', () => {
    for (const grid of BLAZEFACE_GRIDS) {
      const a = anchorCentres(grid);
      let i = 0;
      for (let y = 0; y < grid.cells; y++) {
        for (let x = 0; x < grid.cells; x++) {
          for (let k = 0; k < grid.perCell; k++, i++) expect([a[2 * i], a[2 * i + 1]]).toEqual([Math.fround((x + 0.5) / grid.cells), Math.fround((y + 0.5) / grid.cells)]);
        }
      }
      expect(i * 2).toBe(a.length);
    }
    expect(BLAZEFACE_INPUT).toBe(256);
    expect(KEYPOINTS).toEqual(['rightEye', 'leftEye', 'nose', 'mouth', 'rightEar', 'leftEar']);
  });

  /** One grid's outputs with every anchor far below any threshold, and `set` anchors given a logit and regressors. */
  function outputs(gridIndex: number, set: Array<[number, number, number[]]>): [Float32Array, Float32Array] {
    const g = BLAZEFACE_GRIDS[gridIndex]!;
    const n = g.cells * g.cells * g.perCell;
    const scores = new Float32Array(n).fill(-50);
    const regs = new Float32Array(n * 16);
    for (const [a, logit, r] of set) {
      scores[a] = logit;
      regs.set(r, a * 16);
    }
    return [scores, regs];
  }

  it('decodes every keypoint and both box sides of the first grid relative to the anchor, in anchor order', () => {
    const r = [1.5, -2, 30, 20, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6];
    // Anchor 0 (cell 0, 0) and anchor 2·(16·15 + 15) + 1 (the last cell's second anchor).
    const last = 2 * (16 * 15 + 15) + 1;
    const [scores, regs] = outputs(0, [[last, 3, r], [0, 1, r]]);
    const out = decodeGrid(BLAZEFACE_GRIDS[0]!, scores, regs, 0.5);
    expect(out).toHaveLength(2);
    for (const [d, cx, cy] of [[out[0]!, 8, 8], [out[1]!, 15.5 * 16, 15.5 * 16]] as const) {
      expect(d.x).toBeCloseTo(cx + 1.5 - 15, 4);
      expect(d.y).toBeCloseTo(cy - 2 - 10, 4);
      expect([d.width, d.height]).toEqual([30, 20]);
      expect(d.keypoints).toHaveLength(6);
      d.keypoints.forEach((k, i) => {
        expect(k[0]).toBeCloseTo(cx + i + 1, 4);
        expect(k[1]).toBeCloseTo(cy - i - 1, 4);
      });
    }
    expect(out[0]!.score).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
    expect(out[1]!.score).toBeCloseTo(1 / (1 + Math.exp(-3)), 6);
  });

  it('keeps a score equal to the threshold, drops boxes without a positive width and height', () => {
    const r = (w: number, h: number): number[] => [0, 0, w, h, ...new Array<number>(12).fill(0)];
    const [scores, regs] = outputs(1, [[0, 0, r(10, 10)], [1, 4, r(0, 10)], [2, 4, r(10, -1)], [3, 4, r(Number.NaN, 5)], [4, 4, r(10, 0)]]);
    const out = decodeGrid(BLAZEFACE_GRIDS[1]!, scores, regs, 0.5);
    expect(out.map((d) => d.score)).toEqual([0.5]);
    expect(decodeGrid(BLAZEFACE_GRIDS[1]!, scores, regs, 0.5000001)).toEqual([]);
  });

  it('clips logits to ±100 before the sigmoid, as MediaPipe does', () => {
    const r = [0, 0, 10, 10, ...new Array<number>(12).fill(0)];
    const [scores, regs] = outputs(1, [[0, 1e6, r], [1, -1e6, r]]);
    const out = decodeGrid(BLAZEFACE_GRIDS[1]!, scores, regs, 0);
    // sigmoid(-100) = 3.7e-44 ≠ 0: a clipped logit still gives a positive score; unclipped it would underflow to 0.
    const low = out.find((d) => d.score < 0.5)!;
    expect(low.score).toBeCloseTo(1 / (1 + Math.exp(100)), 50);
    expect(low.score).toBeGreaterThan(0);
    expect(out.find((d) => d.score > 0.5)!.score).toBe(1);
  });

  it('names both lengths when either output has the wrong size', () => {
    const g = BLAZEFACE_GRIDS[1]!;
    expect(() => decodeGrid(g, new Float32Array(384), new Float32Array(384 * 16 - 1), 0.5)).toThrow(
      'BlazeFace grid 8×8: expected 384 scores and 6144 regressors, got 384 and 6143',
    );
    expect(() => decodeGrid(g, new Float32Array(383), new Float32Array(384 * 16), 0.5)).toThrow('got 383 and 6144');
  });
});

/** Direct IoU by counting the unit cells of a fine grid covered by each box (boxes on integer coordinates). */
function countedIou(a: FaceDetection, b: FaceDetection): number {
  let inter = 0;
  let union = 0;
  for (let y = -5; y < 60; y++) {
    for (let x = -5; x < 60; x++) {
      const inA = x >= a.x && x < a.x + a.width && y >= a.y && y < a.y + a.height;
      const inB = x >= b.x && x < b.x + b.width && y >= b.y && y < b.y + b.height;
      if (inA && inB) inter++;
      if (inA || inB) union++;
    }
  }
  return union ? inter / union : 0;
}

describe('IoU and weighted NMS, case by case', () => {
  it('matches IoU counted cell by cell, in every relative position', () => {
    const a = box(1, 10, 10, 20, 14);
    for (const b of [box(1, 0, 0, 15, 15), box(1, 25, 20, 10, 10), box(1, 12, 0, 5, 40), box(1, 31, 10, 4, 4), box(1, 10, 10, 20, 14), box(1, 0, 15, 50, 3), box(1, 30, 24, 5, 5)]) {
      expect(iou(a, b)).toBeCloseTo(countedIou(a, b), 12);
      expect(iou(b, a)).toBeCloseTo(countedIou(a, b), 12);
    }
    expect(iou(box(1, 0, 0, 0, 0), box(1, 0, 0, 0, 0))).toBe(0);
  });

  it('merges only above the threshold: an IoU equal to it keeps two faces', () => {
    // IoU of [0, 10) and [5, 15) (height 10 both) = 50 / 150 = 1/3.
    const a = box(0.9, 0, 0, 10, 10);
    const b = box(0.8, 5, 0, 10, 10);
    expect(iou(a, b)).toBeCloseTo(1 / 3, 12);
    expect(weightedNms([a, b], iou(a, b))).toHaveLength(2);
    expect(weightedNms([a, b], iou(a, b) - 1e-9)).toHaveLength(1);
  });

  it('averages every coordinate and keypoint by score, keeps the best score, groups greedily by the best first', () => {
    const k = (x: number, y: number): [number, number][] => [[x, y], [x + 1, y + 2]];
    const dets = [
      box(0.5, 2, 4, 10, 12, k(1, 2)),
      box(0.3, 200, 200, 8, 8, k(200, 200)),
      box(0.9, 0, 0, 12, 10, k(3, 5)),
      box(0.2, 201, 199, 8, 9, k(210, 205)),
    ];
    const copy = structuredClone(dets);
    const out = weightedNms(dets, 0.3);
    expect(dets).toEqual(copy);
    expect(out).toHaveLength(2);
    const mean = (f: (d: FaceDetection) => number, g: FaceDetection[]): number => g.reduce((s, d) => s + d.score * f(d), 0) / g.reduce((s, d) => s + d.score, 0);
    for (const [o, g, best] of [[out[0]!, [dets[2]!, dets[0]!], 0.9], [out[1]!, [dets[1]!, dets[3]!], 0.3]] as const) {
      expect(o.score).toBe(best);
      expect(o.x).toBeCloseTo(mean((d) => d.x, [...g]), 12);
      expect(o.y).toBeCloseTo(mean((d) => d.y, [...g]), 12);
      expect(o.width).toBeCloseTo(mean((d) => d.width, [...g]), 12);
      expect(o.height).toBeCloseTo(mean((d) => d.height, [...g]), 12);
      for (let i = 0; i < 2; i++) {
        expect(o.keypoints[i]![0]).toBeCloseTo(mean((d) => d.keypoints[i]![0], [...g]), 12);
        expect(o.keypoints[i]![1]).toBeCloseTo(mean((d) => d.keypoints[i]![1], [...g]), 12);
      }
    }
    expect(weightedNms([], 0.3)).toEqual([]);
  });

  it('keeps every detection, even one without area, when nothing overlaps more than the threshold', () => {
    // A box of zero area has IoU 0 with itself: it must still form its own group (and the loop end).
    const dot = box(0.7, 5, 5, 0, 0);
    expect(weightedNms([dot], 0.3)).toEqual([dot]);
    // At threshold 1 no IoU is above it: two identical boxes stay two.
    const a = box(0.9, 0, 0, 10, 10);
    expect(weightedNms([a, { ...a, score: 0.8 }], 1)).toHaveLength(2);
  });

  it('does not chain: a box overlapping only a merged neighbour stays its own face', () => {
    // b overlaps a (IoU 0.6) and c overlaps b, but c does not overlap a enough: two faces, not one.
    const a = box(0.9, 0, 0, 10, 10);
    const b = box(0.8, 2.5, 0, 10, 10);
    const c = box(0.7, 6, 0, 10, 10);
    expect(iou(a, b)).toBeGreaterThan(0.5);
    expect(iou(a, c)).toBeLessThan(0.5);
    const out = weightedNms([c, b, a], 0.5);
    expect(out).toHaveLength(2);
    expect(out[1]!.x).toBeCloseTo(6, 12);
  });
});

describe('detector windows, case by case', () => {
  it('grows sizes by the level ratio from the smallest that sees minFace (at least 64) to the whole photo', () => {
    expect(MIN_FACE_FRACTION).toBe(0.075);
    expect(LEVEL_RATIO).toBe(3);
    expect(levelMaxFraction()).toBeCloseTo(0.075 * 3 * 1.25, 15);
    // 40 px faces: 40 / 0.075 = 533.3…; ×3 = 1600; ×3 = 4800 ≥ 0.8 · 6000 stops; the whole 6000 ends the list.
    expect(windowSizes(6000, 40)).toEqual([40 / 0.075, 1600, 6000]);
    // Tiny faces: the 64 px floor.
    expect(windowSizes(1000, 3)).toEqual([64, 192, 576, 1000]);
    // A level within 20 % of the photo is the photo's own: 0.8 · 720 = 576 is not below 576.
    expect(windowSizes(720, 3)).toEqual([64, 192, 720]);
    expect(windowSizes(721, 3)).toEqual([64, 192, 576, 721]);
    expect(windowSizes(50, 40)).toEqual([50]);
  });

  it('centres a window larger than the image, and spreads the others evenly from edge to edge, largest level first', () => {
    const wins = planWindows(900, 300, 30);
    const sizes = [...new Set(wins.map((w) => w.size))];
    expect(sizes).toEqual([...windowSizes(900, 30)].reverse());
    // The whole-photo window: 900 px over a 300 px height is centred vertically.
    expect(wins[0]).toEqual({ x: 0, y: -300, size: 900 });
    for (const size of sizes.slice(1)) {
      const level = wins.filter((w) => w.size === size);
      const xs = [...new Set(level.map((w) => w.x))];
      const ys = [...new Set(level.map((w) => w.y))];
      const step = size * (1 - levelMaxFraction());
      for (const [pos, length] of [[xs, 900], [ys, 300]] as const) {
        if (length <= size) {
          expect(pos).toEqual([(length - size) / 2]);
          continue;
        }
        expect(pos[0]).toBe(0);
        expect(pos.at(-1)).toBe(length - size);
        // As few windows as keep every step within the largest trusted face's margin.
        expect(pos.length).toBe(Math.ceil((length - size) / step) + 1);
        for (let i = 1; i < pos.length; i++) {
          expect(pos[i]! - pos[i - 1]!).toBeLessThanOrEqual(Math.ceil(step));
          expect(pos[i]).toBe(Math.round(((length - size) * i) / (pos.length - 1)));
        }
      }
      expect(level).toHaveLength(xs.length * ys.length);
    }
  });

  it('puts a window exactly the image size at the origin once', () => {
    expect(planWindows(64, 64, 1)).toEqual([{ x: 0, y: 0, size: 64 }]);
  });
});

/** Least-squares residual of a similarity over point pairs. */
function residual(t: Similarity, src: readonly (readonly [number, number])[], dst: readonly (readonly [number, number])[]): number {
  return src.reduce((s, [x, y], i) => {
    const [u, v] = applySimilarity(t, x, y);
    return s + (u - dst[i]![0]) ** 2 + (v - dst[i]![1]) ** 2;
  }, 0);
}

describe('alignment, case by case', () => {
  it('puts the template\'s mouth point at the midpoint of the FFHQ 512 template\'s mouth corners', () => {
    // FFHQ's 5-point template at 512 px: mouth corners (201.26117, 371.41043) and (313.08905, 371.15118).
    expect(TEMPLATE_512[3]![0]).toBeCloseTo((201.26117 + 313.08905) / 2, 9);
    expect(TEMPLATE_512[3]![1]).toBeCloseTo((371.41043 + 371.15118) / 2, 9);
  });

  it('fits noisy points with the least residual: nudging any parameter makes it worse', () => {
    const r = rng(5);
    const truth: Similarity = { a: 0.8, b: -0.35, tx: 12, ty: -7 };
    const src: [number, number][] = [[30, 40], [80, 38], [55, 70], [57, 95], [20, 90]];
    const dst = src.map(([x, y]) => {
      const [u, v] = applySimilarity(truth, x, y);
      return [u + (r() - 0.5) * 4, v + (r() - 0.5) * 4] as [number, number];
    });
    const fit = fitSimilarity(src, dst);
    const best = residual(fit, src, dst);
    for (const k of ['a', 'b', 'tx', 'ty'] as const) {
      for (const d of [1e-3, -1e-3]) expect(residual({ ...fit, [k]: fit[k] + d }, src, dst)).toBeGreaterThan(best);
    }
  });

  it('refuses keypoints that all coincide', () => {
    expect(() => fitSimilarity([[3, 4], [3, 4]], [[0, 0], [1, 1]])).toThrow('cannot align a face whose keypoints coincide');
  });

  it('inverts: the inverse after the transform is the identity', () => {
    const t: Similarity = { a: 1.3, b: 0.4, tx: -20, ty: 33 };
    const inv = invertSimilarity(t);
    for (const [x, y] of [[0, 0], [10, -4], [250, 600]] as const) {
      const [u, v] = applySimilarity(t, x, y);
      const [bx, by] = applySimilarity(inv, u, v);
      expect(bx).toBeCloseTo(x, 9);
      expect(by).toBeCloseTo(y, 9);
    }
  });

  it('maps a face onto the template from its first four keypoints, at any template size', () => {
    // A face placed by the inverse of a known transform lands exactly on the template.
    const toTemplate: Similarity = { a: 2, b: 0.5, tx: -100, ty: 40 };
    const inv = invertSimilarity(toTemplate);
    const kps = TEMPLATE_512.map(([u, v]) => applySimilarity(inv, u, v));
    const face = box(1, 0, 0, 10, 10, [...kps, [999, 999], [-999, 5]]);
    const t = faceToTemplate(face);
    for (const k of ['a', 'b', 'tx', 'ty'] as const) expect(t[k]).toBeCloseTo(toTemplate[k], 9);
    const half = faceToTemplate(face, 256);
    for (const k of ['a', 'b', 'tx', 'ty'] as const) expect(half[k]).toBeCloseTo(toTemplate[k] / 2, 9);
    expect(alignedSpan(toTemplate)).toBeCloseTo(FACE_SIZE / Math.hypot(2, 0.5), 12);
    expect(alignedSpan(toTemplate, 256)).toBeCloseTo(256 / Math.hypot(2, 0.5), 12);
  });
});

/** Direct bilinear sample of channel ch at (x, y) with edge replication. */
function bilinear(img: PixelBuffer, x: number, y: number, ch: number, max: number): number {
  const cx = Math.min(Math.max(x, 0), img.width - 1);
  const cy = Math.min(Math.max(y, 0), img.height - 1);
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const at = (xx: number, yy: number): number => img.data[(Math.min(yy, img.height - 1) * img.width + Math.min(xx, img.width - 1)) * img.channels + ch]! / max;
  const fx = cx - x0;
  const fy = cy - y0;
  return (1 - fx) * (1 - fy) * at(x0, y0) + fx * (1 - fy) * at(x0 + 1, y0) + (1 - fx) * fy * at(x0, y0 + 1) + fx * fy * at(x0 + 1, y0 + 1);
}

describe('warpToTemplate', () => {
  for (const [name, channels, Arr, max] of [['8-bit RGB', 3, Uint8Array, 255], ['16-bit RGBA', 4, Uint16Array, 65535]] as const) {
    it(`samples ${name} bilinearly at the inverse transform of each pixel centre, edges replicated (tolerance 1e-5)`, () => {
      const r = rng(channels);
      const [w, h] = [23, 17];
      const data = new Arr(w * h * channels);
      for (let i = 0; i < data.length; i++) data[i] = Math.floor(r() * max);
      const img: PixelBuffer = { data, width: w, height: h, channels } as PixelBuffer;
      // Rotated and scaled so the template reaches past every edge of the image.
      const t: Similarity = { a: 0.9 * Math.cos(0.4), b: 0.9 * Math.sin(0.4), tx: 3, ty: -6 };
      const size = 32;
      const out = warpToTemplate(img, t, size);
      expect(out).toHaveLength(size * size * 3);
      const inv = invertSimilarity(t);
      let worst = 0;
      for (let v = 0; v < size; v++) {
        for (let u = 0; u < size; u++) {
          const [x, y] = applySimilarity(inv, u + 0.5, v + 0.5);
          for (let ch = 0; ch < 3; ch++) worst = Math.max(worst, Math.abs(out[(v * size + u) * 3 + ch]! - bilinear(img, x - 0.5, y - 0.5, ch, max)));
        }
      }
      expect(worst).toBeLessThan(1e-5);
    });
  }
});
