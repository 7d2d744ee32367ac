/**
 * What one entry of the stage table is: how a pack kind serves a position of the restoration chain. The chain
 * (enhance-image.ts) prepares every stage before decoding — so a bad pack or option fails before minutes of work —
 * then runs them in order, each taking the image planes and handing back new ones.
 *
 * Cancellation is shared by construction: the host kills the engine process (onnxruntime's session.run cannot be
 * interrupted), so no stage listens for it. Progress goes through the request's hooks under the stage names the
 * protocol documents.
 */
import type { FaceBox } from '../../../pipelines/faces/face-box';
import type { PixelBuffer } from '../../../pixels/types';
import type { ChainStage, ColorizeReport, EnhanceStage, ProviderChoice } from '../../protocol';
import type { EnhanceHooks } from '../hooks';
import type { LoadedPack } from '../pack';
import type { SessionCache } from '../session-cache';

/** What every stage of one request shares: the device, the session cache and the request's hooks. */
export interface StageContext {
  provider: ProviderChoice;
  threads?: number;
  sessions: SessionCache;
  hooks: EnhanceHooks;
}

export interface StageOutput {
  /** RGB at the stage's output size (input × the stage's scale), 8- or 16-bit as the stage made it. */
  rgb: PixelBuffer;
  /** The execution provider that ran the stage's model ('cpu', 'cuda', …). */
  provider: string;
  /** Faces stage: every face it found, boxes in output pixels, each restored or left alone as too small. */
  faces?: FaceBox[];
  /**
   * The stage's entry in the result's history (XMP, EXIF ProcessingSoftware) when what it did is known only after it
   * ran ("faces: 2 restored (pack); 1 too small"); absent = the prepared stage's `modelId`.
   */
  provenance?: string;
  /** Colour stage: what it did. */
  colorize?: ColorizeReport;
}

/** A stage checked against its pack and options, ready to run. */
export interface PreparedStage {
  /** The pack's id (the result's provenance names it). */
  modelId: string;
  /**
   * The enlargement the stage holds in memory (a feed-forward model makes its own scale, then is resized to the
   * request's); absent = the scale it was prepared for. The chain checks the photo fits at it before the model runs.
   */
  workingScale?: number;
  /** Image in (RGB, no alpha: the chain carries alpha around the stages) → image out. */
  run(rgb: PixelBuffer, ctx: StageContext): Promise<StageOutput>;
}

export interface StageKind<P extends LoadedPack = LoadedPack> {
  /** The chain position this pack kind serves; a request naming another position for the pack is refused. */
  serves: ChainStage;
  /**
   * What the stage takes: 'keep' runs on 16-bit planes as decoded (so 16-bit photos keep their depth), '8-bit'
   * needs 8-bit planes. The chain decodes at 16 bits only when every stage keeps depth.
   */
  depth: 'keep' | '8-bit';
  /** True for the kinds that make the request's scale (at most one per chain); the others keep the size. */
  enlarges: boolean;
  /**
   * Checks the options against the pack and the scale the stage must make (1 for kinds that do not enlarge), before
   * anything is decoded. Throws EngineError (BAD_PACK, BAD_REQUEST).
   */
  prepare(pack: P, options: EnhanceStage, scale: number): PreparedStage;
}
