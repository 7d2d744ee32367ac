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
  /** The model's input and output tensors when the restorer is a ModelRunner (the GAN layout). */
  inputName?: string;
  outputName?: string;
  /** The model's scalar fidelity input, when it has one; it gets `fidelity`. */
  fidelityInput?: string;
  onProgress?: (stage: string, done: number, total: number) => void;
}

/**
 * A restorer that is not one model run (the one-step diffusion layout): aligned face in, restored face out, both HWC
 * float32 in [0, 1] at `size`².
 */
export type FaceRestorer = (aligned: Float32Array, size: number) => Promise<Float32Array>;

/** A GAN-layout model (NCHW [-1, 1] in and out, optional scalar fidelity input) as a {@link FaceRestorer}. */
function ganRestorer(runner: ModelRunner, opts: RestoreFacesOptions): FaceRestorer {
  const { inputName, outputName } = opts;
  if (!inputName || !outputName) throw new Error('a face model runner needs inputName and outputName');
  return async (aligned, size) => {
    const feeds: Record<string, FloatTensor> = { [inputName]: toTensor(aligned, size) };
    if (opts.fidelityInput) feeds[opts.fidelityInput] = { data: Float32Array.of(opts.fidelity), dims: [] };
    const out = await runner.run(feeds);
    const tensor = out[outputName];
    if (!tensor) throw new Error(`face model has no output "${outputName}"`);
    return fromTensor(tensor, size);
  };
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
  /**
   * The same as CPU time of the whole process (the runtime's threads included; they sleep outside model runs), which a
   * busy machine distorts less than the clock.
   */
  cpuMs: { model: number; alignPaste: number };
}

/** CPU milliseconds of the process since `since` (process.cpuUsage). */
const cpuSince = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

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

/**
 * Restores every face of at least `minFace` px with `restorer` (a GAN-layout model, or any {@link FaceRestorer}); the
 * input is not modified (the result is a copy when faces were found).
 */
export async function restoreFaces(input: PixelBuffer, detector: ModelRunner, restorer: ModelRunner | FaceRestorer, opts: RestoreFacesOptions): Promise<RestoreFacesResult> {
  const restore = typeof restorer === 'function' ? restorer : ganRestorer(restorer, opts);
  let t = performance.now();
  opts.onProgress?.('detect-faces', 0, 1);
  const found = await detectFaces(input, detector, { minFace: opts.minFace });
  opts.onProgress?.('detect-faces', 1, 1);
  const ms = { detect: performance.now() - t, model: 0, alignPaste: 0 };
  const cpuMs = { model: 0, alignPaste: 0 };
  const small = found.small.map((f) => boxOf(f, 'too-small'));
  if (found.faces.length === 0) return { image: input, faces: small, rotation: 0, ms, cpuMs };

  const image: PixelBuffer = { ...input, data: input.data.slice() };
  const faces: FaceBox[] = [];
  for (const [i, face] of found.faces.entries()) {
    opts.onProgress?.('restore-faces', i, found.faces.length);
    t = performance.now();
    let c = process.cpuUsage();
    const toTemplate = faceToTemplate(face, opts.size);
    // The box's size can be off for a profile; the template's span is what restoration actually sees.
    if (alignedSpan(toTemplate, opts.size) * 0.5 < opts.minFace) {
      small.push(boxOf(face, 'too-small'));
      continue;
    }
    const aligned = warpToTemplate(input, toTemplate, opts.size);
    ms.alignPaste += performance.now() - t;
    cpuMs.alignPaste += cpuSince(c);

    t = performance.now();
    c = process.cpuUsage();
    const restored = await restore(aligned, opts.size);
    ms.model += performance.now() - t;
    cpuMs.model += cpuSince(c);

    t = performance.now();
    c = process.cpuUsage();
    pasteFace(image, aligned, restored, toTemplate, opts.size, { fidelity: opts.fidelityInput ? 1 : opts.fidelity, colorMatch: opts.colorMatch });
    ms.alignPaste += performance.now() - t;
    cpuMs.alignPaste += cpuSince(c);
    faces.push(boxOf(face, 'restored'));
  }
  opts.onProgress?.('restore-faces', found.faces.length, found.faces.length);
  return { image, faces: [...faces, ...small], rotation: found.rotation, ms, cpuMs };
}
