/**
 * The faces pass over a whole photo (already at its final resolution): detect → per face: align to the template,
 * run the restoration model, paste the change back. Model-agnostic: the detector and the restorer are ModelRunners.
 */
import type { FloatTensor, ModelRunner, PixelBuffer } from '../../pixels/types';
import { alignedSpan, faceToTemplate, warpToTemplate } from './align';
import type { FaceDetection } from './blazeface';
import { detectFaces } from './detect';
import type { FaceBox, FaceStatus } from './face-box';
import { pasteFace, type FaceColorMatch } from './paste';

export interface RestoreFacesOptions {
  /** Faces narrower than this many photo pixels are left alone. */
  minFace: number;
  /** 0–1: share of the restoration kept. */
  fidelity: number;
  colorMatch: FaceColorMatch;
  /** Edge of the aligned face the model takes. */
  size: number;
  inputName: string;
  outputName: string;
  /** The model's scalar fidelity input, when it has one; it gets `fidelity`. */
  fidelityInput?: string;
  onProgress?: (stage: string, done: number, total: number) => void;
}

export type { FaceBox } from './face-box';

export interface RestoreFacesResult {
  image: PixelBuffer;
  /** Every face found, restored or not (then why), in the order restored. */
  faces: FaceBox[];
  /** Quarter turns clockwise under which the faces were found (a rotated print). */
  rotation: number;
  /** Milliseconds spent: detection, the model runs, and alignment + paste-back (the stage's own overhead). */
  ms: { detect: number; model: number; alignPaste: number };
}

/** NCHW [-1, 1] tensor from an HWC [0, 1] face. */
function toTensor(face: Float32Array, size: number): FloatTensor {
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[c * plane + i] = face[3 * i + c]! * 2 - 1;
  return { data: out, dims: [1, 3, size, size] };
}

/** HWC [0, 1] face from an NCHW [-1, 1] tensor. */
function fromTensor(t: FloatTensor, size: number): Float32Array {
  const plane = size * size;
  if (t.data.length !== 3 * plane) throw new Error(`face model output has ${t.data.length} values; expected [1, 3, ${size}, ${size}]`);
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[3 * i + c] = (t.data[c * plane + i]! + 1) / 2;
  return out;
}

const boxOf = (f: FaceDetection, status: FaceStatus): FaceBox => ({
  x: Math.round(f.x),
  y: Math.round(f.y),
  width: Math.round(f.width),
  height: Math.round(f.height),
  score: Math.round(f.score * 1000) / 1000,
  status,
});

/** Restores every face of at least `minFace` px; the input is not modified (the result is a copy when faces were found). */
export async function restoreFaces(input: PixelBuffer, detector: ModelRunner, restorer: ModelRunner, opts: RestoreFacesOptions): Promise<RestoreFacesResult> {
  let t = performance.now();
  opts.onProgress?.('detect-faces', 0, 1);
  const found = await detectFaces(input, detector, { minFace: opts.minFace });
  opts.onProgress?.('detect-faces', 1, 1);
  const ms = { detect: performance.now() - t, model: 0, alignPaste: 0 };
  const small = found.small.map((f) => boxOf(f, 'too-small'));
  if (found.faces.length === 0) return { image: input, faces: small, rotation: 0, ms };

  const image: PixelBuffer = { ...input, data: input.data.slice() };
  const faces: FaceBox[] = [];
  for (const [i, face] of found.faces.entries()) {
    opts.onProgress?.('restore-faces', i, found.faces.length);
    t = performance.now();
    const toTemplate = faceToTemplate(face, opts.size);
    // The box's size can be off for a profile; the template's span is what restoration actually sees.
    if (alignedSpan(toTemplate, opts.size) * 0.5 < opts.minFace) {
      small.push(boxOf(face, 'too-small'));
      continue;
    }
    const aligned = warpToTemplate(input, toTemplate, opts.size);
    ms.alignPaste += performance.now() - t;

    t = performance.now();
    const feeds: Record<string, FloatTensor> = { [opts.inputName]: toTensor(aligned, opts.size) };
    if (opts.fidelityInput) feeds[opts.fidelityInput] = { data: Float32Array.of(opts.fidelity), dims: [] };
    const out = await restorer.run(feeds);
    const tensor = out[opts.outputName];
    if (!tensor) throw new Error(`face model has no output "${opts.outputName}"`);
    const restored = fromTensor(tensor, opts.size);
    ms.model += performance.now() - t;

    t = performance.now();
    pasteFace(image, aligned, restored, toTemplate, opts.size, { fidelity: opts.fidelityInput ? 1 : opts.fidelity, colorMatch: opts.colorMatch });
    ms.alignPaste += performance.now() - t;
    faces.push(boxOf(face, 'restored'));
  }
  opts.onProgress?.('restore-faces', found.faces.length, found.faces.length);
  return { image, faces: [...faces, ...small], rotation: found.rotation, ms };
}
