/**
 * The faces pipeline's maths without a model: BlazeFace anchors and decoding, weighted NMS, the similarity fit,
 * window coverage, and residual paste-back (identity invisible, a known change exactly where the mask says).
 */
import { describe, expect, it } from 'vitest';
import { applySimilarity, FACE_SIZE, fitSimilarity, invertSimilarity, warpToTemplate, type Similarity } from '../../../../src-main/pipelines/faces/align';
import { anchorCentres, BLAZEFACE_GRIDS, decodeGrid, type FaceDetection } from '../../../../src-main/pipelines/faces/blazeface';
import { weightedNms } from '../../../../src-main/pipelines/faces/nms';
import { maskAt, pasteFace } from '../../../../src-main/pipelines/faces/paste';
import { levelMaxFraction, MIN_FACE_FRACTION, planWindows } from '../../../../src-main/pipelines/faces/windows';
import type { PixelBuffer } from '../../../../src-main/pixels/types';

const det = (score: number, x: number, y: number, w: number): FaceDetection => ({ score, x, y, width: w, height: w, keypoints: [[x, y], [x + w, y]] });

describe('BlazeFace anchors and decoding', () => {
  it('lays 16×16×2 and 8×8×6 anchors at cell centres, anchors of a cell together', () => {
    const [g16, g8] = BLAZEFACE_GRIDS.map(anchorCentres);
    expect(g16!.length / 2).toBe(512);
    expect(g8!.length / 2).toBe(384);
    // Cell (x=3, y=5) of the 16 grid, its second anchor: index (5·16 + 3)·2 + 1.
    const i = (5 * 16 + 3) * 2 + 1;
    expect([g16![2 * i], g16![2 * i + 1]]).toEqual([3.5 / 16, 5.5 / 16]);
    expect([g8![g8!.length - 2], g8![g8!.length - 1]]).toEqual([7.5 / 8, 7.5 / 8]);
  });

  it('decodes box and keypoints relative to the anchor, in input pixels, above the score only', () => {
    const grid = BLAZEFACE_GRIDS[1]!;
    const scores = new Float32Array(384).fill(-10);
    const regs = new Float32Array(384 * 16);
    const a = (2 * 8 + 6) * 6 + 4; // cell x=6, y=2, anchor 4
    scores[a] = 2; // sigmoid(2) = 0.8808
    regs.set([4, -6, 40, 50, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], a * 16);
    const out = decodeGrid(grid, scores, regs, 0.5);
    expect(out).toHaveLength(1);
    const cx = 6.5 * 32 + 4;
    const cy = 2.5 * 32 - 6;
    expect(out[0]!.score).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(out[0]!.x).toBeCloseTo(cx - 20, 4);
    expect(out[0]!.y).toBeCloseTo(cy - 25, 4);
    expect([out[0]!.width, out[0]!.height]).toEqual([40, 50]);
    expect(out[0]!.keypoints[5]).toEqual([6.5 * 32 + 11, 2.5 * 32 + 12]);
    expect(decodeGrid(grid, scores, regs, 0.9)).toHaveLength(0);
  });

  it('refuses outputs of the wrong length, naming the grid', () => {
    expect(() => decodeGrid(BLAZEFACE_GRIDS[0]!, new Float32Array(10), new Float32Array(160), 0.5)).toThrow(/16×16.*512 scores/);
  });
});

describe('weighted NMS', () => {
  it('merges an overlapping group into its score-weighted mean, keeps the best score, and leaves others alone', () => {
    const out = weightedNms([det(0.6, 12, 10, 100), det(0.9, 10, 10, 100), det(0.8, 500, 500, 40)], 0.3);
    expect(out).toHaveLength(2);
    expect(out[0]!.score).toBe(0.9);
    expect(out[0]!.x).toBeCloseTo((0.9 * 10 + 0.6 * 12) / 1.5, 9);
    expect(out[0]!.keypoints[1]![0]).toBeCloseTo((0.9 * 110 + 0.6 * 112) / 1.5, 9);
    expect(out[1]!.x).toBe(500);
  });
});

describe('similarity alignment', () => {
  it('recovers a known rotation, scale and shift from four points, and inverts exactly', () => {
    const t: Similarity = { a: 1.7 * Math.cos(0.3), b: 1.7 * Math.sin(0.3), tx: -40, ty: 12.5 };
    const src = [[10, 20], [60, 25], [35, 50], [36, 70]] as const;
    const fit = fitSimilarity(src, src.map(([x, y]) => applySimilarity(t, x, y)));
    for (const k of ['a', 'b', 'tx', 'ty'] as const) expect(fit[k]).toBeCloseTo(t[k], 9);
    const back = applySimilarity(invertSimilarity(fit), ...applySimilarity(fit, 3, 4));
    expect(back[0]).toBeCloseTo(3, 9);
    expect(back[1]).toBeCloseTo(4, 9);
  });
});

describe('windows', () => {
  it('puts every face of the trusted size wholly inside a window of a level that suits it', () => {
    const W = 3000;
    const H = 2000;
    const wins = planWindows(W, H, 40);
    for (const face of [40, 90, 300, 800]) {
      for (const [fx, fy] of [[0, 0], [W - face, H - face], [1234, 777], [W / 2, 3]] as [number, number][]) {
        const ok = wins.some((w) => fx >= w.x && fy >= w.y && fx + face <= w.x + w.size && fy + face <= w.y + w.size
          && face >= w.size * MIN_FACE_FRACTION * 0.99 && (face <= w.size * levelMaxFraction() || w.size >= Math.max(W, H)));
        expect(ok, `face ${face} px at ${fx},${fy}`).toBe(true);
      }
    }
  });
});

function gradient(w: number, h: number): PixelBuffer {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([(x * 7 + y) % 256, (y * 5) % 256, (x * 3 + y * 2) % 256], (y * w + x) * 3);
  return { data, width: w, height: h, channels: 3 };
}

describe('residual paste-back', () => {
  const toTemplate = fitSimilarity([[100, 90], [140, 92], [120, 115], [121, 135]], [[192.98, 239.95], [318.9, 240.19], [256.63, 314.02], [257.18, 371.28]]);

  it('leaves the photo bit-identical when the model changes nothing', () => {
    const img = gradient(260, 240);
    const before = img.data.slice();
    const aligned = warpToTemplate(img, toTemplate);
    pasteFace(img, aligned, aligned.slice(), toTemplate, FACE_SIZE, { fidelity: 1, colorMatch: 'adain' });
    expect(Buffer.compare(Buffer.from(img.data), Buffer.from(before))).toBe(0);
  });

  it('adds a known brightening times the mask (and the fidelity), nothing where the mask is 0', () => {
    const img = gradient(260, 240);
    const before = img.data.slice();
    const aligned = warpToTemplate(img, toTemplate);
    const brighter = aligned.map((v) => v + 0.1);
    pasteFace(img, aligned, brighter, toTemplate, FACE_SIZE, { fidelity: 0.5, colorMatch: 'none' });
    let checked = 0;
    let worst = 0;
    let touchedOutside = 0;
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        const [u, v] = applySimilarity(toTemplate, x + 0.5, y + 0.5);
        const m = maskAt(u, v, FACE_SIZE);
        for (let c = 0; c < 3; c++) {
          const i = (y * img.width + x) * 3 + c;
          const expected = Math.min(255, Math.round(before[i]! + 0.5 * m * 0.1 * 255));
          worst = Math.max(worst, Math.abs(img.data[i]! - expected));
          if (m === 0 && img.data[i] !== before[i]) touchedOutside++;
          if (m === 1) checked++;
        }
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(touchedOutside).toBe(0);
    expect(checked).toBeGreaterThan(1000);
  });

  it('colour matching removes a model\'s colour cast', () => {
    const img = gradient(260, 240);
    const before = img.data.slice();
    const aligned = warpToTemplate(img, toTemplate);
    const cast = aligned.map((v, i) => v + (i % 3 === 0 ? 0.2 : i % 3 === 2 ? -0.2 : 0));
    pasteFace(img, aligned, cast, toTemplate, FACE_SIZE, { fidelity: 1, colorMatch: 'adain' });
    let maxDiff = 0;
    for (let i = 0; i < before.length; i++) maxDiff = Math.max(maxDiff, Math.abs(img.data[i]! - before[i]!));
    expect(maxDiff).toBeLessThanOrEqual(1);
  });
});
