/**
 * The messages between the engine host (parent) and the engine process (child).
 *
 * One request at a time: the host sends `enhance` (an ordered chain of stages over one photo), the child answers with any number of `progress` and `warning`
 * events and exactly one `done` or `failed` carrying the same `id`. `dispose` releases the cached model sessions
 * (end of a batch) and is answered by `disposed`. Both sides validate what they receive with these schemas: a
 * malformed message is a bug in the other side and is reported, never guessed at.
 */
import { z } from 'zod';
import { OUTPUT_FORMATS } from '../imaging/formats';
import { METADATA_MODES } from '../imaging/metadata-modes';
import { ColorFixSchema, PromptModeSchema } from '../pipelines/options';
import { RepairOptionsSchema } from '../pipelines/repair/options';
import { FaceBoxesSchema } from '../pipelines/faces/face-box';

/**
 * Execution-provider choices, defined on the host side of the boundary: process/providers.ts (which loads
 * onnxruntime's native binding) takes them from here, and the host (CLI, Electron main) never loads that module.
 */
export const PROVIDER_CHOICES = ['auto', 'cpu', 'cuda', 'dml', 'coreml'] as const;
export type ProviderChoice = (typeof PROVIDER_CHOICES)[number];

/** Longest prompt text accepted (CLIP reads 77 tokens; this only bounds the message). */
export const MAX_PROMPT_CHARS = 2000;

/** Request ids double as temp-file tags (imaging/atomic.ts atomicTempPath), hence the restricted alphabet. */
const RequestId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "_" or "-"; at most 64');

/** Output scales the engine produces: the model's native scale, or a Lanczos downscale of it (1× restores only). */
export const OUTPUT_SCALES = [1, 2, 3, 4] as const;
export type OutputScale = (typeof OUTPUT_SCALES)[number];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _scalesAgree: Same<OutputScale, 1 | 2 | 3 | 4> = true;

/**
 * The positions of the restoration chain, in the order a photo meets them: repair (dust, scratches, fading) →
 * enhance (super-resolution or one-step diffusion) → faces → colour. The engine's stage table says which pack kinds
 * serve which position; a position no pack kind serves yet is refused by the engine (BAD_PACK).
 */
export const CHAIN_STAGES = ['repair', 'enhance', 'faces', 'colour'] as const;
export type ChainStage = (typeof CHAIN_STAGES)[number];

/** One stage of a request's chain: the pack that runs it and the options that pack kind reads. */
export const EnhanceStageSchema = z.object({
  stage: z.enum(CHAIN_STAGES),
  /**
   * Folder of a model pack (holds revive-pack.json); its kind must serve `stage`. Only `repair` may leave it out: it
   * then runs the classical pipeline (detection, classical inpainting, colour restore) with no model.
   */
  modelDir: z.string().min(1).optional(),
  /**
   * Tile edge; default from the memory budget and the pack's defaults. pixel-sr: input pixels; onestep-diffusion:
   * the UNet's latent tile in latent pixels (the pack's `tile.size` unit).
   */
  tile: z.number().int().positive().optional(),
  /** Diffusion packs only: where the prompt comes from; default the pack's. */
  promptMode: PromptModeSchema.optional(),
  /** Diffusion packs only: the user's text (added after the tags, or the whole prompt in `custom` mode). */
  prompt: z.string().max(MAX_PROMPT_CHARS).optional(),
  /** Diffusion packs only: colour correction against the input; default the pack's. */
  colorFix: ColorFixSchema.optional(),
  /** Diffusion packs only: 0–1, the share of the model's result blended over the bicubic input; default 1. */
  strength: z.number().min(0).max(1).optional(),
  /** Repair only: what to detect and restore (defaults: the schema's). */
  repair: RepairOptionsSchema.partial().optional(),
  /** Repair only: a user's mask (white = repair) at the photo's upright size; replaces detection. */
  mask: z.string().min(1).optional(),
  /** Repair only: where to write the mask that was repaired (PNG, white = repaired), for the app's overlay. */
  maskOut: z.string().min(1).optional(),
  /** Faces stage only: folder of the face detector pack (the embedded BlazeFace) that finds the faces. */
  detectorDir: z.string().min(1).optional(),
  /** Faces stage only: 0–1, the share of the restoration kept per face; default 1. */
  faceFidelity: z.number().min(0).max(1).optional(),
  /** Faces stage only: faces narrower than this many output pixels are left alone; default 40. */
  minFace: z.number().int().positive().optional(),
  /** Colour stage only: 'auto' (default) colourises only a photo judged monochrome or toned; 'on' whatever it is. */
  colorize: z.enum(['auto', 'on']).optional(),
  /** Colour stage only: 0–1, the share of the model's chroma over the photo's own; default 1. */
  colorizeStrength: z.number().min(0).max(1).optional(),
});
export type EnhanceStage = z.infer<typeof EnhanceStageSchema>;

/**
 * A region preview: only this rectangle of the original (upright pixels, clamped to the photo) goes through the
 * chain, as 8-bit RGB without alpha, metadata or colour profile; the crop itself is written as a PNG to `before` so
 * the two can be compared.
 */
export const RegionSchema = z.object({
  x: z.number().int().nonnegative(),
  y: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Absolute path where the cropped original is written (PNG). */
  before: z.string().min(1),
});
export type Region = z.infer<typeof RegionSchema>;

export const EnhanceRequestSchema = z.object({
  type: z.literal('enhance'),
  id: RequestId,
  /** Absolute path of the original photo (only read). */
  input: z.string().min(1),
  /** Absolute path of the result; written atomically (temp file in the same folder, then rename). */
  output: z.string().min(1),
  /** The restoration chain, run in this order over the decoded image (today one stage: enhance). */
  stages: z.array(EnhanceStageSchema).min(1).max(CHAIN_STAGES.length),
  /** Output size relative to the input (made by the chain's one enlarging stage; 1 when none enlarges). */
  scale: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
  format: z.enum(OUTPUT_FORMATS),
  /** 1–100; default per format. */
  quality: z.number().int().min(1).max(100).optional(),
  provider: z.enum(PROVIDER_CHOICES),
  /** Intra-op threads; default from the core count. */
  threads: z.number().int().positive().optional(),
  /** Input pixel limit (decompression-bomb guard); default imaging's. */
  maxPixels: z.number().int().positive().optional(),
  /** The original's metadata in the result: 'all' (default), 'no-gps' (for sharing) or 'none'. */
  metadata: z.enum(METADATA_MODES).optional(),
  /** Give the result the original's file times (modified, accessed); default false. */
  keepFileTimes: z.boolean().optional(),
  /** Preview only this part of the photo (see {@link RegionSchema}). */
  region: RegionSchema.optional(),
});
export type EnhanceRequest = z.infer<typeof EnhanceRequestSchema>;

export const DisposeRequestSchema = z.object({ type: z.literal('dispose'), id: RequestId });
export type DisposeRequest = z.infer<typeof DisposeRequestSchema>;

export const HostMessageSchema = z.discriminatedUnion('type', [EnhanceRequestSchema, DisposeRequestSchema]);
export type HostMessage = z.infer<typeof HostMessageSchema>;

export const ProgressEventSchema = z.object({
  type: z.literal('progress'),
  id: RequestId,
  /**
   * decode | load-model | upscale | resize | encode | write; diffusion: vae-encode | prompt | unet | vae-decode | color-fix;
   * repair: detect | inpaint-holes (an inpainting pack, per hole) | inpaint | colour-restore.
   */
  stage: z.string(),
  done: z.number().int().nonnegative(),
  total: z.number().int().positive(),
});
export const WarningEventSchema = z.object({ type: z.literal('warning'), id: RequestId, message: z.string() });
/**
 * A time estimate for the model stages still to run (diffusion on the CPU): sent after the first tile of each model
 * stage, each one refining the last.
 */
export const EstimateEventSchema = z.object({
  type: z.literal('estimate'),
  id: RequestId,
  /** Milliseconds still to go for the model stages. */
  ms: z.number().nonnegative(),
  /** How it was made, in words (tiles × first-tile times; extrapolated stages). */
  basis: z.string(),
});
/** What the colour stage did: colourised, or left a colour photo alone in 'auto' mode (a report, not an error). */
export const ColorizeReportSchema = z.object({
  pack: z.string(),
  mode: z.enum(['auto', 'on']),
  applied: z.boolean(),
  /** The photo's verdict: greyscale, toned (sepia, cyanotype) or colour. */
  photo: z.enum(['greyscale', 'toned', 'colour']),
  strength: z.number().min(0).max(1),
});
export type ColorizeReport = z.infer<typeof ColorizeReportSchema>;

export const DoneEventSchema = z.object({
  type: z.literal('done'),
  id: RequestId,
  /** Size of the written image. */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Wall time in the engine for this image, decode to rename. */
  ms: z.number().nonnegative(),
  /** Execution provider that ran the model ('cpu', 'cuda', …). */
  provider: z.string(),
  /**
   * Faces stage: every face found, as boxes in the written image, each restored or left alone as too small (absent
   * when the chain has no faces stage).
   */
  faces: FaceBoxesSchema.optional(),
  /** Colour stage: what it did (absent when the chain has no colour stage). */
  colorize: ColorizeReportSchema.optional(),
});
export const FailedEventSchema = z.object({ type: z.literal('failed'), id: RequestId, code: z.string(), message: z.string() });
export const DisposedEventSchema = z.object({ type: z.literal('disposed'), id: RequestId });

export const EngineEventSchema = z.discriminatedUnion('type', [
  ProgressEventSchema,
  WarningEventSchema,
  EstimateEventSchema,
  DoneEventSchema,
  FailedEventSchema,
  DisposedEventSchema,
]);
export type EngineEvent = z.infer<typeof EngineEventSchema>;
export type ProgressEvent = z.infer<typeof ProgressEventSchema>;
export type EstimateEvent = z.infer<typeof EstimateEventSchema>;
export type DoneEvent = z.infer<typeof DoneEventSchema>;
export type FailedEvent = z.infer<typeof FailedEventSchema>;

/** Error codes the engine reports besides imaging's (ImageErrorCode). */
export const ENGINE_ERROR_CODES = {
  /** The model pack is missing, invalid or of a kind this request cannot use. */
  BAD_PACK: 'BAD_PACK',
  /** The runtime ran out of memory even at the smallest tile. */
  OUT_OF_MEMORY: 'OUT_OF_MEMORY',
  /** The model failed to load or run. */
  MODEL_ERROR: 'MODEL_ERROR',
  /** The engine process died (crash, killed by the OS) while working on the item. */
  ENGINE_CRASHED: 'ENGINE_CRASHED',
  /** A region preview's rectangle starts outside the photo. */
  INVALID_REGION: 'INVALID_REGION',
  /** A message broke the protocol (a bug). */
  PROTOCOL: 'PROTOCOL',
  /** Anything else. */
  INTERNAL: 'INTERNAL',
} as const;
