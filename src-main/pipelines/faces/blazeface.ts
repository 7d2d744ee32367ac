/**
 * BlazeFace (MediaPipe's "back camera" / full-range 256×256 model): anchors and decoding of its raw outputs.
 *
 * The anchor layout follows MediaPipe's published SSD anchor configuration for this model: 4 layers with strides
 * 16, 32, 32, 32 on a 256 px input, anchor offset 0.5, fixed anchor size (every anchor is the whole input, so the
 * regressors are in input pixels). Layers with the same stride share one feature map: a 16×16 grid with 2 anchors
 * per cell and an 8×8 grid with 6. The model returns each grid as its own pair of outputs (scores, regressors).
 * Regressors per anchor: box centre offset x, y, box width, height, then x, y of 6 keypoints, all in input pixels
 * relative to the anchor's centre.
 */

/** The model's input edge in pixels. */
export const BLAZEFACE_INPUT = 256;
/** The 6 keypoints, in the model's order; "right"/"left" are the subject's, so the right eye is on the image's left. */
export const KEYPOINTS = ['rightEye', 'leftEye', 'nose', 'mouth', 'rightEar', 'leftEar'] as const;
const VALUES_PER_ANCHOR = 4 + 2 * KEYPOINTS.length;
/** MediaPipe clips raw scores to ±100 before the sigmoid. */
const SCORE_CLIP = 100;

/** One feature map of the model: a square grid with `perCell` anchors in each cell. */
export interface AnchorGrid {
  cells: number;
  perCell: number;
}

/** The two grids in output order (strides 16 and 32 on 256 px). */
export const BLAZEFACE_GRIDS: readonly AnchorGrid[] = [
  { cells: 16, perCell: 2 },
  { cells: 8, perCell: 6 },
];

/** Anchor centres in [0, 1] (x, y interleaved), cell by cell in row-major order, anchors of a cell consecutive. */
export function anchorCentres(grid: AnchorGrid): Float32Array {
  const out = new Float32Array(grid.cells * grid.cells * grid.perCell * 2);
  let i = 0;
  for (let y = 0; y < grid.cells; y++) {
    for (let x = 0; x < grid.cells; x++) {
      for (let a = 0; a < grid.perCell; a++) {
        out[i++] = (x + 0.5) / grid.cells;
        out[i++] = (y + 0.5) / grid.cells;
      }
    }
  }
  return out;
}

/** A face in some frame's pixel coordinates. */
export interface FaceDetection {
  /** Sigmoid confidence in [0, 1]. */
  score: number;
  /** Axis-aligned box: left, top, width, height. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** The 6 keypoints as [x, y] pairs, in {@link KEYPOINTS} order. */
  keypoints: [number, number][];
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-Math.max(-SCORE_CLIP, Math.min(SCORE_CLIP, v))));

/**
 * Decodes one grid's outputs into detections above `minScore`, in the 256 px input's pixel coordinates.
 * `scores` has one raw logit per anchor, `regressors` {@link VALUES_PER_ANCHOR} values per anchor.
 */
export function decodeGrid(grid: AnchorGrid, scores: Float32Array, regressors: Float32Array, minScore: number): FaceDetection[] {
  const anchors = anchorCentres(grid);
  const count = anchors.length / 2;
  if (scores.length !== count || regressors.length !== count * VALUES_PER_ANCHOR) {
    throw new Error(`BlazeFace grid ${grid.cells}×${grid.cells}: expected ${count} scores and ${count * VALUES_PER_ANCHOR} regressors, got ${scores.length} and ${regressors.length}`);
  }
  const out: FaceDetection[] = [];
  for (let a = 0; a < count; a++) {
    const score = sigmoid(scores[a]!);
    if (score < minScore) continue;
    const ax = anchors[2 * a]! * BLAZEFACE_INPUT;
    const ay = anchors[2 * a + 1]! * BLAZEFACE_INPUT;
    const r = a * VALUES_PER_ANCHOR;
    const cx = ax + regressors[r]!;
    const cy = ay + regressors[r + 1]!;
    const w = regressors[r + 2]!;
    const h = regressors[r + 3]!;
    if (!(w > 0 && h > 0)) continue;
    const keypoints: [number, number][] = [];
    for (let k = 0; k < KEYPOINTS.length; k++) keypoints.push([ax + regressors[r + 4 + 2 * k]!, ay + regressors[r + 5 + 2 * k]!]);
    out.push({ score, x: cx - w / 2, y: cy - h / 2, width: w, height: h, keypoints });
  }
  return out;
}
