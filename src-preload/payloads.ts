/**
 * The payload schemas of the IPC contract (src-preload/contract.ts): building blocks, settings, queue, library,
 * models and device shapes. Kept apart from the channel and event maps so each file reads in one sitting; import
 * them through contract.ts, which re-exports everything here.
 *
 * Bundled into the preload and the renderer: zod and pure schema modules only — never Node or Electron.
 */
import { z } from 'zod';
import { ColorFixSchema, PromptModeSchema } from '../src-main/models/manifest';
import { OUTPUT_FORMATS } from '../src-main/imaging/formats';
import { METADATA_MODES } from '../src-main/imaging/metadata-modes';
import { RepairOptionsSchema } from '../src-main/pipelines/repair/options';
import { FaceBoxesSchema, type FaceBox } from '../src-main/pipelines/faces/face-box';
import { ITEM_STATES, type ItemState } from '../src-main/jobs/state';
import type { BatchCounts, BatchProgress, ItemProgress, JobProgress, TileProgress, WarningProgress } from '../src-main/jobs/progress';

/** Progress types are the core's own (src-main/jobs/progress.ts), re-exported so the page shares them. */
export type { BatchCounts, BatchProgress, ItemProgress, ItemState, JobProgress, TileProgress, WarningProgress };
/** A face box of a result (src-main/pipelines/faces/face-box.ts), re-exported for the compare view's overlay. */
export type { FaceBox };

// ---------------------------------------------------------------------------------------------------------------
// Building blocks

/** An absolute or user-typed file path. NUL bytes are refused (they truncate paths in native code). */
export const PathSchema = z
  .string()
  .min(1, 'path is empty')
  .max(4096, 'path is longer than 4096 characters')
  .refine((p) => !p.includes('\0'), 'path contains a NUL byte');

/** Identifier of a model pack or an install. */
export const IdSchema = z.string().min(1).max(128);
/** Row id of a job, queue item or library entry (SQLite integer keys). */
export const RowIdSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** A URL the page may load an image from (only ever produced by the core). */
export const ImageUrlSchema = z.string().min(1).max(8192);

/** The error shape every failure crosses the boundary as. `code` is stable and machine-readable. */
export const WireErrorSchema = z.object({
  code: z.string().min(1).max(64),
  message: z.string().max(4000),
});
export type WireError = z.infer<typeof WireErrorSchema>;

/** Error codes produced by the dispatcher itself (handlers add domain codes such as `NOT_FOUND`). */
export const ERROR_CODES = {
  unknownChannel: 'UNKNOWN_CHANNEL',
  invalidPayload: 'INVALID_PAYLOAD',
  forbiddenSender: 'FORBIDDEN_SENDER',
  invalidResponse: 'INVALID_RESPONSE',
  notFound: 'NOT_FOUND',
  notAllowed: 'NOT_ALLOWED',
  unsupported: 'UNSUPPORTED',
  internal: 'INTERNAL',
} as const;

export const OutputFormatSchema = z.enum(['same', ...OUTPUT_FORMATS]);
export type OutputFormatChoice = z.infer<typeof OutputFormatSchema>;
export const ScaleSchema = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);
export const DeviceChoiceSchema = z.enum(['auto', 'cpu', 'cuda', 'dml', 'coreml']);
export { ColorFixSchema, PromptModeSchema };

/** Where results are written: next to each original, or into one folder. */
export const OutputPlaceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('beside') }),
  z.object({ kind: z.literal('folder'), dir: PathSchema }),
]);

/** The settings one restoration runs with; a job keeps a snapshot of them. */
export const RestoreSettingsSchema = z.object({
  modelId: IdSchema,
  /** Output size relative to the input; 1 restores without enlarging. */
  scale: ScaleSchema,
  format: OutputFormatSchema,
  /** Encoder quality for lossy formats, 1–100. */
  quality: z.number().int().min(1).max(100),
  output: OutputPlaceSchema,
  /** Appended to the file name of each result, e.g. "-revive". */
  suffix: z.string().max(64).regex(/^[^/\\:*?"<>|\0]*$/, 'suffix must not contain path separators or reserved characters'),
  /**
   * The file name of each result with tokens: {name} (required), {model}, {scale}, {date}, e.g. "{name}_{model}_{scale}x"
   * (checked by the core, src-main/settings/name-pattern.ts). Absent: the name, then `suffix`.
   */
  namePattern: z.string().min(1).max(100).optional(),
  /** Diffusion models only: how the text prompt is made. */
  promptMode: PromptModeSchema,
  /** Diffusion models only, with promptMode "custom". */
  prompt: z.string().max(1000),
  /** Diffusion models only: colour correction against the input. */
  colorFix: ColorFixSchema,
  /** Diffusion models only: 0 keeps the input, 1 is the full restoration. */
  strength: z.number().min(0).max(1),
  device: DeviceChoiceSchema,
  /** The original's metadata in each result: all of it, all but the GPS position (for sharing), or none. */
  metadata: z.enum(METADATA_MODES).default('all'),
  /** Give each result its original's file dates (modified/accessed), so it sorts next to it by date. */
  keepFileTimes: z.boolean().default(false),
  /**
   * Old-photo repair before the model (on in the "Old photo" preset): detection, inpainting, colour restore, or the
   * user's edited mask (a PNG path, white = repair). Absent = no repair.
   */
  repair: RepairOptionsSchema.extend({
    mask: z.string().min(1).optional(),
    /** The inpainting pack for large holes: an id, 'none', or 'auto' (absent: the installed one, if any). */
    inpaintPack: IdSchema.optional(),
  }).optional(),
  /** Restore faces after upscaling with `facePack` ('auto'); absent = off. Offered only with a face pack installed. */
  faces: z.enum(['off', 'auto']).optional(),
  /** Id of the face-restore pack. */
  facePack: IdSchema.optional(),
  /** 0–1: share of each face's restoration kept; absent = 1. */
  faceFidelity: z.number().min(0).max(1).optional(),
  /**
   * Colourise with `colorizePack`, last: 'auto' only photos found black-and-white or toned, 'on' every photo; absent =
   * off. Offered only with a colorize pack installed.
   */
  colorize: z.enum(['off', 'auto', 'on']).optional(),
  /** Id of the colorize pack. */
  colorizePack: IdSchema.optional(),
  /** 0–1: share of the model's colour over the photo's own; absent = 1. */
  colorizeStrength: z.number().min(0).max(1).optional(),
  /** Engine threads; 0 or absent = chosen from the cores. */
  threads: z.number().int().min(0).max(256).optional(),
  /** Tile edge in input pixels; 0 or absent = from the model and the memory budget (the result is the same). */
  tile: z.number().int().min(0).max(4096).optional(),
});
export type RestoreSettings = z.infer<typeof RestoreSettingsSchema>;

export const ItemStateSchema = z.enum(ITEM_STATES);

/** One photo in the queue. */
export const QueueItemSchema = z.object({
  id: RowIdSchema,
  jobId: RowIdSchema,
  source: PathSchema,
  name: z.string(),
  sourceUrl: ImageUrlSchema,
  state: ItemStateSchema,
  /** 0–1 within this photo. */
  progress: z.number().min(0).max(1),
  /** Stage being run ("decode", "upscale", "encode" …). */
  stage: z.string().optional(),
  output: PathSchema.optional(),
  outputUrl: ImageUrlSchema.optional(),
  /** When the output may be downloaded (browser uploads), the URL to do so. */
  downloadUrl: ImageUrlSchema.optional(),
  error: WireErrorSchema.optional(),
  libraryId: RowIdSchema.optional(),
  /** The job's model and scale (re-runs of one photo differ by these). */
  modelId: z.string().optional(),
  scale: z.number().int().positive().optional(),
});
export type QueueItem = z.infer<typeof QueueItemSchema>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isFraction = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v <= 1;
const isEta = (v: unknown): boolean => v === null || (typeof v === 'number' && v >= 0);

/** The core's per-job {@link BatchProgress}, checked structurally (its type is defined in src-main/jobs/progress.ts). */
export const BatchProgressSchema = z.custom<BatchProgress>(
  (v) =>
    isRecord(v) &&
    v.kind === 'batch' &&
    isCount(v.jobId) &&
    isRecord(v.counts) &&
    ['total', 'queued', 'running', 'done', 'failed', 'cancelled', 'skipped'].every((k) => isCount((v.counts as Record<string, unknown>)[k])) &&
    typeof v.paused === 'boolean' &&
    isFraction(v.fraction) &&
    isEta(v.etaMs),
  'not a batch progress record',
);

/** The core's {@link JobProgress} (tile | item | batch | warning), checked structurally. */
export const JobProgressSchema = z.custom<JobProgress>((v) => {
  if (!isRecord(v) || !isCount(v.jobId)) return false;
  if (v.kind === 'tile') return isCount(v.itemId) && typeof v.stage === 'string' && isCount(v.done) && isCount(v.total);
  if (v.kind === 'warning') return isCount(v.itemId) && typeof v.message === 'string';
  if (v.kind === 'item') return isCount(v.itemId) && (ITEM_STATES as readonly unknown[]).includes(v.state) && isFraction(v.fraction) && isEta(v.etaMs);
  return BatchProgressSchema.safeParse(v).success;
}, 'not a job progress record');

/** The queue: every item of unfinished and recent jobs, and each job's batch progress (with its ETA). */
export const QueueSnapshotSchema = z.object({ items: z.array(QueueItemSchema), jobs: z.array(BatchProgressSchema) });
export type QueueSnapshot = z.infer<typeof QueueSnapshotSchema>;

/** A finished (or failed) restoration in the history library. */
export const LibraryEntrySchema = z.object({
  id: RowIdSchema,
  source: PathSchema,
  name: z.string(),
  output: PathSchema.nullable(),
  sourceUrl: ImageUrlSchema.nullable(),
  outputUrl: ImageUrlSchema.nullable(),
  thumbUrl: ImageUrlSchema.nullable(),
  downloadUrl: ImageUrlSchema.optional(),
  status: z.enum(['done', 'failed']),
  error: z.string().nullable(),
  modelId: z.string(),
  settings: RestoreSettingsSchema,
  inputWidth: z.number().int().nonnegative().nullable(),
  inputHeight: z.number().int().nonnegative().nullable(),
  outputWidth: z.number().int().nonnegative().nullable(),
  outputHeight: z.number().int().nonnegative().nullable(),
  ms: z.number().nonnegative().nullable(),
  device: z.string().nullable(),
  camera: z.string().nullable(),
  dateTaken: z.string().nullable(),
  createdAt: z.string(),
  /** The faces stage's boxes in the result's pixels (restored, or left alone as too small); absent when none ran. */
  faces: FaceBoxesSchema.optional(),
  /** The repair mask the result used (white = repaired), for the compare view's overlay; absent without repair. */
  repairMaskUrl: ImageUrlSchema.nullable().optional(),
});
export type LibraryEntry = z.infer<typeof LibraryEntrySchema>;

export const LibraryQuerySchema = z.object({
  /** Matches file name and folder. */
  text: z.string().max(200).default(''),
  modelId: IdSchema.optional(),
  status: z.enum(['all', 'done', 'failed']).default('all'),
  camera: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(500).default(100),
  offset: z.number().int().min(0).default(0),
});
export type LibraryQuery = z.input<typeof LibraryQuerySchema>;

/** An installed model pack as the picker and the models screen show it. */
export const ModelInfoSchema = z.object({
  id: IdSchema,
  name: z.string(),
  version: z.string(),
  description: z.string(),
  kind: z.enum(['pixel-sr', 'onestep-diffusion', 'face-detect', 'face-restore', 'inpaint', 'colorize']),
  scale: z.number().int().min(1).max(8),
  speed: z.enum(['fast', 'balanced', 'slow']),
  sizeBytes: z.number().int().nonnegative(),
  licence: z.object({ id: z.string(), summary: z.string(), url: z.string().optional() }),
  source: z.string(),
  /** Shipped with the app (cannot be removed). */
  builtIn: z.boolean(),
  /** Seconds per megapixel of input measured on this device, when known (drives the picker's time estimate). */
  secondsPerMegapixel: z.number().nonnegative().nullable(),
  /** The network's cost (multiply-accumulates per input pixel, from the manifest): estimates before a first run. */
  macsPerInputPixel: z.number().nonnegative().optional(),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;

export const DeviceInfoSchema = z.object({
  /** The provider a job will run on with device "auto", in words ("CPU", "CUDA"). */
  label: z.string(),
  provider: DeviceChoiceSchema.exclude(['auto']),
  available: z.array(DeviceChoiceSchema.exclude(['auto'])),
  cpuModel: z.string(),
  cpuCores: z.number().int().positive(),
  memoryBytes: z.number().nonnegative(),
  warnings: z.array(z.string()),
});
export type DeviceInfo = z.infer<typeof DeviceInfoSchema>;

/** User settings: the defaults for new jobs plus interface preferences. */
export const AppSettingsSchema = z.object({
  defaults: RestoreSettingsSchema,
  /** Adding a folder includes its subfolders. */
  recursive: z.boolean(),
  /** Skip photos that already have a result with the same settings. */
  skipDone: z.boolean(),
  theme: z.enum(['system', 'light', 'dark']),
  /** Photos with more pixels than this (megapixels) are refused when added: a guard against memory exhaustion. */
  maxInputMegapixels: z.number().positive().max(10_000).optional(),
});
export type AppSettings = z.infer<typeof AppSettingsSchema>;

export const RectSchema = z.object({
  x: z.number().int().nonnegative(),
  y: z.number().int().nonnegative(),
  width: z.number().int().min(8).max(1024),
  height: z.number().int().min(8).max(1024),
});
export type Rect = z.infer<typeof RectSchema>;

export const Empty = z.object({}).strict();
export const Ok = z.object({ ok: z.literal(true) });

/**
 * One brush or eraser stroke over a result's repair mask, in the original photo's upright pixels. Strokes, not a file
 * or its bytes, cross the boundary: the core paints them and keeps the mask itself.
 */
export const MaskStrokeSchema = z
  .object({
    /** 'paint' marks pixels for repair, 'erase' clears them. */
    tool: z.enum(['paint', 'erase']),
    /** Brush radius in the photo's pixels. */
    radius: z.number().min(0.5).max(2000),
    /** The path as x0, y0, x1, y1, …; one point is a dot. At most 4000 numbers a stroke. */
    points: z
      .array(z.number().min(-1e6).max(1e6))
      .min(2)
      .max(4000)
      .refine((p) => p.length % 2 === 0, 'points come in x, y pairs'),
  })
  .strict();
export type MaskStroke = z.infer<typeof MaskStrokeSchema>;

/** Where a model pack is installed from. */
export const ModelSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('folder'), path: PathSchema }),
  z.object({
    kind: z.literal('url'),
    url: z
      .string()
      .max(2048)
      .refine((u) => /^https?:\/\//i.test(u), 'only http(s) URLs can be installed from'),
  }),
]);
