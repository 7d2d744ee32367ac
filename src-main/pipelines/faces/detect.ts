/**
 * Face detection over a whole photo of any size: windows from windows.ts, each read from the pyramid, shrunk to
 * 256 px, run through BlazeFace and decoded; everything merged by weighted NMS in photo coordinates.
 *
 * Rotated prints: when nothing is found upright, the photo is searched again turned by 90°, 180° and 270° (as a
 * change of coordinates while sampling, never a copy of the photo), and the first turn that finds faces wins.
 */
import type { FloatTensor, ModelRunner, PixelBuffer } from '../../pixels/types';
import { sampleBilinear3 } from './bilinear';
import { BLAZEFACE_GRIDS, BLAZEFACE_INPUT, decodeGrid, type FaceDetection } from './blazeface';
import { weightedNms } from './nms';
import { buildPyramid, levelFor, type PyramidLevel } from './pyramid';
import { levelMaxFraction, planWindows, type DetectWindow } from './windows';

export interface DetectOptions {
  /** Faces narrower than this (photo pixels) are neither searched for nor reported. */
  minFace: number;
  /** Sigmoid score a detection needs (MediaPipe uses 0.5–0.75 for this model). */
  minScore?: number;
  /** IoU above which two detections are one face. */
  nmsThreshold?: number;
  /** Search the other three orientations when none is found upright; default true. */
  tryRotations?: boolean;
}

export interface DetectResult {
  faces: FaceDetection[];
  /**
   * Faces the search met that are narrower than `minFace` (under the winning turn, or upright when none won): not
   * restored, but reported so the result can say why a face was left alone.
   */
  small: FaceDetection[];
  /** Quarter turns clockwise under which the faces were found (0 when upright or when none were found). */
  rotation: 0 | 1 | 2 | 3;
  /** Model runs made. */
  windows: number;
}

const DEFAULT_MIN_SCORE = 0.75;
const DEFAULT_NMS = 0.3;
/** Centre of the normalisation: the model takes RGB in [-1, 1]. */
const INPUT_SCALE = 2 / 255;

/** Maps a point of the turned frame back to the photo (continuous coordinates, origin at the top-left corner). */
function unturn(rotation: number, w: number, h: number, u: number, v: number): [number, number] {
  switch (rotation) {
    case 1: return [v, h - u];
    case 2: return [w - u, h - v];
    case 3: return [w - v, u];
    default: return [u, v];
  }
}

/**
 * The photo position of turned-frame point (u, v) as x = ux·u + vx·v + cx, y = uy·u + vy·v + cy: {@link unturn}
 * written as an affine map, so the sampling loop steps along a row instead of calling it per pixel.
 */
function unturnAffine(rotation: number, w: number, h: number): { ux: number; vx: number; cx: number; uy: number; vy: number; cy: number } {
  switch (rotation) {
    case 1: return { ux: 0, vx: 1, cx: 0, uy: -1, vy: 0, cy: h };
    case 2: return { ux: -1, vx: 0, cx: w, uy: 0, vy: -1, cy: h };
    case 3: return { ux: 0, vx: -1, cx: w, uy: 1, vy: 0, cy: 0 };
    default: return { ux: 1, vx: 0, cx: 0, uy: 0, vy: 1, cy: 0 };
  }
}

/** Fills `out` (NHWC, 256²×3) with the window, bilinear from the pyramid level, black outside the photo. */
function sampleWindow(levels: readonly PyramidLevel[], w: number, h: number, rotation: number, win: DetectWindow, out: Float32Array): void {
  const step = win.size / BLAZEFACE_INPUT;
  const lvl = levelFor(levels, step);
  const f = lvl.factor;
  const k = lvl.toByte * INPUT_SCALE;
  const t = unturnAffine(rotation, w, h);
  let o = 0;
  for (let j = 0; j < BLAZEFACE_INPUT; j++) {
    const u0 = win.x + 0.5 * step;
    const v = win.y + (j + 0.5) * step;
    let x = t.ux * u0 + t.vx * v + t.cx;
    let y = t.uy * u0 + t.vy * v + t.cy;
    const dx = t.ux * step;
    const dy = t.uy * step;
    for (let i = 0; i < BLAZEFACE_INPUT; i++, o += 3, x += dx, y += dy) {
      if (x < 0 || y < 0 || x >= w || y >= h) {
        out[o] = -1;
        out[o + 1] = -1;
        out[o + 2] = -1;
      } else {
        sampleBilinear3(lvl, x / f - 0.5, y / f - 0.5, out, o, k, -1);
      }
    }
  }
}

/** The model's two (scores, regressors) output pairs, found by their shapes so output names do not matter. */
function gridOutputs(result: Record<string, FloatTensor>): [Float32Array, Float32Array][] {
  const tensors = Object.values(result);
  return BLAZEFACE_GRIDS.map((g) => {
    const n = g.cells * g.cells * g.perCell;
    const scores = tensors.find((t) => t.data.length === n);
    const regs = tensors.find((t) => t.data.length === n * 16);
    if (!scores || !regs) throw new Error(`BlazeFace model: no outputs for the ${g.cells}×${g.cells} grid (${n} scores, ${n * 16} regressors)`);
    return [scores.data, regs.data];
  });
}

/**
 * True when the box reaches a window edge that is not the photo's edge: a face cut there is seen whole by an
 * overlapping window, and the cut one would only be a smaller duplicate.
 */
function cutByEdge(d: FaceDetection, win: DetectWindow, ctx: { w: number; h: number; rotation: number }): boolean {
  const [rw, rh] = ctx.rotation % 2 ? [ctx.h, ctx.w] : [ctx.w, ctx.h];
  const m = 2;
  const step = win.size / BLAZEFACE_INPUT;
  return (d.x < m && win.x > 0) || (d.y < m && win.y > 0)
    || (d.x + d.width > BLAZEFACE_INPUT - m && win.x + win.size < rw - step)
    || (d.y + d.height > BLAZEFACE_INPUT - m && win.y + win.size < rh - step);
}

/** Detections of one window, mapped to the photo; faces too big for the window's level are left to larger ones. */
async function detectWindow(runner: ModelRunner, input: Float32Array, win: DetectWindow, ctx: { w: number; h: number; rotation: number; minScore: number; top: boolean }): Promise<FaceDetection[]> {
  const feeds = { [runner.inputNames[0]!]: { data: input, dims: [1, BLAZEFACE_INPUT, BLAZEFACE_INPUT, 3] } };
  const outputs = gridOutputs(await runner.run(feeds));
  const step = win.size / BLAZEFACE_INPUT;
  const found: FaceDetection[] = [];
  BLAZEFACE_GRIDS.forEach((g, i) => {
    for (const d of decodeGrid(g, outputs[i]![0], outputs[i]![1], ctx.minScore)) {
      if (!ctx.top && (d.width > BLAZEFACE_INPUT * levelMaxFraction() || cutByEdge(d, win, ctx))) continue;
      const map = (px: number, py: number): [number, number] => unturn(ctx.rotation, ctx.w, ctx.h, win.x + px * step, win.y + py * step);
      const corners = [map(d.x, d.y), map(d.x + d.width, d.y + d.height)];
      const xs = corners.map((p) => p[0]);
      const ys = corners.map((p) => p[1]);
      found.push({
        score: d.score,
        x: Math.min(...xs),
        y: Math.min(...ys),
        width: Math.abs(xs[1]! - xs[0]!),
        height: Math.abs(ys[1]! - ys[0]!),
        keypoints: d.keypoints.map(([kx, ky]) => map(kx, ky)),
      });
    }
  });
  return found;
}

/** Finds the faces of at least `minFace` px in `image` (8- or 16-bit RGB/RGBA). */
export async function detectFaces(image: PixelBuffer, runner: ModelRunner, opts: DetectOptions): Promise<DetectResult> {
  const { width: w, height: h } = image;
  const minScore = opts.minScore ?? DEFAULT_MIN_SCORE;
  const levels = buildPyramid(image, BLAZEFACE_INPUT);
  const input = new Float32Array(BLAZEFACE_INPUT * BLAZEFACE_INPUT * 3);
  let runs = 0;
  const rotations = opts.tryRotations === false ? [0] : [0, 1, 2, 3];
  let uprightSmall: FaceDetection[] = [];
  const big = (f: FaceDetection): boolean => Math.max(f.width, f.height) >= opts.minFace;
  for (const rotation of rotations) {
    const [rw, rh] = rotation % 2 ? [h, w] : [w, h];
    const windows = planWindows(rw, rh, opts.minFace);
    const top = windows[0]!.size;
    const all: FaceDetection[] = [];
    for (const win of windows) {
      sampleWindow(levels, w, h, rotation, win, input);
      all.push(...(await detectWindow(runner, input, win, { w, h, rotation, minScore, top: win.size === top })));
      runs++;
    }
    const merged = weightedNms(all, opts.nmsThreshold ?? DEFAULT_NMS);
    const faces = merged.filter(big);
    const small = merged.filter((f) => !big(f));
    if (faces.length > 0) return { faces, small, rotation: rotation as DetectResult['rotation'], windows: runs };
    if (rotation === 0) uprightSmall = small;
  }
  return { faces: [], small: uprightSmall, rotation: 0, windows: runs };
}
