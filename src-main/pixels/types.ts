/**
 * Shapes shared by the pipelines, the engine process and imaging.
 *
 * Pixels travel as interleaved (HWC) integer buffers: 8-bit in `Uint8Array`, 16-bit in `Uint16Array`. Models see
 * planar float32 NCHW in [0, 1]; conversion happens per tile (pixels/tensor.ts), never for the whole image.
 */
import { CodedError } from './coded-error';

/** An interleaved RGB or RGBA image. `channels` counts alpha when present. */
export interface PixelBuffer {
  data: Uint8Array | Uint16Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

/**
 * An image's alpha channel as its own plane, one sample per pixel: 8-bit, or 16-bit alongside 16-bit colour (a 16-bit
 * PNG/TIFF keeps its alpha's full precision).
 */
export type AlphaPlane = Uint8Array | Uint16Array;

/** Progress inside one image: `done` of `total` units of the named stage (tiles for model stages). */
export interface StageProgress {
  stage: string;
  done: number;
  total: number;
}

export type ProgressFn = (p: StageProgress) => void;

/** A float32 NCHW tensor crossing the model boundary. */
export interface FloatTensor {
  data: Float32Array;
  dims: readonly number[];
}

/** A model input or output as declared in the graph: dimensions are numbers when fixed, names when symbolic. */
export interface TensorMetadata {
  name: string;
  /** Element type as onnxruntime names it: 'float32', 'int64', … */
  type: string;
  shape: readonly (number | string)[];
}

/**
 * One loaded model. The pipelines depend on this, not on onnxruntime, so they can be tested with any runner.
 * `run` takes and returns named float32 tensors (integer inputs are built by the engine from the session's metadata).
 */
export interface ModelRunner {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /**
   * Declared element type and shape of each input / output, when the runner knows them (onnxruntime does; test fakes
   * may not). Pipelines use them to refuse a model that disagrees with its pack before running anything.
   */
  readonly inputMetadata?: readonly TensorMetadata[];
  readonly outputMetadata?: readonly TensorMetadata[];
  run(feeds: Record<string, FloatTensor>): Promise<Record<string, FloatTensor>>;
  dispose(): Promise<void>;
}

export class AbortedError extends CodedError<'ABORTED'> {
  constructor(message = 'cancelled') {
    super('ABORTED', message);
    this.name = 'AbortedError';
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AbortedError();
}
