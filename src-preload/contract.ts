/**
 * The IPC contract between the interface (renderer, sandboxed) and the core (main process or `revive serve`).
 *
 * One map of request channels — `channel: [request schema, response schema]` — and one map of events pushed from the
 * core — `event: [payload schema]`. Main registers exactly one handler per request channel (src-main/ipc/register.ts),
 * the preload builds `window.revive` from the same map (src-preload/api.ts), and the web bridge serves the same map
 * over a WebSocket (src-main/bridge/server.ts). Every request payload is parsed with its schema before a handler sees
 * it; every failure crosses the boundary as `{ code, message }` ({@link WireError}).
 *
 * This module is bundled into the preload and the renderer: it imports zod and pure schema modules only — never
 * Node or Electron. Domain shapes owned by the core (colour-fix and prompt modes from the pack manifest, output
 * formats from imaging) are imported from there, not redefined.
 *
 * Paths cross as absolute strings; images never cross as bytes: responses carry a `url` the page can put in an
 * `<img>` (a `revive-img:` URL in Electron, a token-guarded `/img/…` URL through the bridge) which only serves files
 * on the allow-list (inputs the user added, their outputs, thumbnails, previews).
 */
import { z } from 'zod';
import { ColorFixSchema, PromptModeSchema } from '../src-main/models/manifest';
import { OUTPUT_FORMATS } from '../src-main/imaging/formats';
import { METADATA_MODES } from '../src-main/imaging/metadata-modes';
import { ITEM_STATES, type ItemState } from '../src-main/jobs/state';
import type { BatchCounts, BatchProgress, ItemProgress, JobProgress, TileProgress, WarningProgress } from '../src-main/jobs/progress';

/** Progress types are the core's own (src-main/jobs/progress.ts), re-exported so the page shares them. */
export type { BatchCounts, BatchProgress, ItemProgress, ItemState, JobProgress, TileProgress, WarningProgress };

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
  kind: z.enum(['pixel-sr', 'onestep-diffusion']),
  scale: z.number().int().min(1).max(8),
  speed: z.enum(['fast', 'balanced', 'slow']),
  sizeBytes: z.number().int().nonnegative(),
  licence: z.object({ id: z.string(), summary: z.string(), url: z.string().optional() }),
  source: z.string(),
  /** Shipped with the app (cannot be removed). */
  builtIn: z.boolean(),
  /** Seconds per megapixel of input measured on this device, when known (drives the picker's time estimate). */
  secondsPerMegapixel: z.number().nonnegative().nullable(),
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
});
export type AppSettings = z.infer<typeof AppSettingsSchema>;

const RectSchema = z.object({
  x: z.number().int().nonnegative(),
  y: z.number().int().nonnegative(),
  width: z.number().int().min(8).max(1024),
  height: z.number().int().min(8).max(1024),
});
export type Rect = z.infer<typeof RectSchema>;

const Empty = z.object({}).strict();
const Ok = z.object({ ok: z.literal(true) });

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

// ---------------------------------------------------------------------------------------------------------------
// Request channels

/**
 * Every request the interface can make, as `[request, response]` schemas. Requests are strict objects: unknown keys
 * are refused rather than ignored, so a typo in the page fails loudly.
 */
export const channels = {
  /** Name, version and which host serves the page (the desktop shell or the browser bridge). */
  'app:info': [
    Empty,
    z.object({
      name: z.string(),
      version: z.string(),
      host: z.enum(['electron', 'bridge']),
      platform: z.string(),
      /** Browser only: where uploads of this connection go. */
      uploadUrl: z.string().nullable(),
    }),
  ],
  /**
   * Add photos (files or folders; folders are expanded to the images inside, recursively when asked) to the list of
   * inputs the page may show. Nothing runs yet: `jobs:start` does that. Unreadable or non-image paths come back in
   * `rejected` with the reason.
   */
  'inputs:add': [
    z.object({ paths: z.array(PathSchema).min(1).max(10_000), recursive: z.boolean().default(false) }).strict(),
    z.object({
      added: z.array(z.object({ path: PathSchema, name: z.string(), url: ImageUrlSchema, sizeBytes: z.number().int().nonnegative() })),
      rejected: z.array(z.object({ path: z.string(), reason: z.string() })),
    }),
  ],
  /** Electron only: the native "Add photos…" dialog; resolves with the chosen paths (empty when cancelled). */
  'inputs:pick': [
    z.object({ folders: z.boolean().default(false) }).strict(),
    z.object({ paths: z.array(PathSchema) }),
  ],
  /**
   * Before `jobs:start`: the photos whose result the chosen format cannot hold (a WebP side is at most 16 383 pixels,
   * a JPEG side 65 535), from their headers, and the formats that would hold all of them (best first), so the page
   * can offer one before any work is done. Empty `tooLarge`: everything fits.
   */
  'jobs:check': [
    z.object({ paths: z.array(PathSchema).min(1).max(10_000), settings: RestoreSettingsSchema }).strict(),
    z.object({
      tooLarge: z.array(
        z.object({
          path: PathSchema,
          name: z.string(),
          outWidth: z.number().int().positive(),
          outHeight: z.number().int().positive(),
          format: z.enum(OUTPUT_FORMATS),
          maxSide: z.number().int().positive(),
        }),
      ),
      formats: z.array(z.enum(OUTPUT_FORMATS)),
    }),
  ],
  /**
   * Queue the given inputs with these settings (a snapshot) and start the queue unless paused. Results too large for
   * `settings.format` are written as `fallbackFormat`; without one, such a batch fails with `OUTPUT_TOO_LARGE` and
   * nothing is queued (`jobs:check` first).
   */
  'jobs:start': [
    z
      .object({
        paths: z.array(PathSchema).min(1).max(10_000),
        settings: RestoreSettingsSchema,
        force: z.boolean().default(false),
        fallbackFormat: z.enum(OUTPUT_FORMATS).optional(),
      })
      .strict(),
    z.object({ jobId: RowIdSchema, itemIds: z.array(RowIdSchema), skipped: z.array(z.object({ path: z.string(), reason: z.string() })) }),
  ],
  /** The queue as it is now (for a page that opens mid-batch; afterwards `job:progress` events keep it current). */
  'jobs:list': [Empty, QueueSnapshotSchema],
  /** Pause the queue: the running photo finishes (or, with `now`, is abandoned and requeued); nothing new starts. */
  'jobs:pause': [z.object({ now: z.boolean().default(false) }).strict(), Ok],
  /** Resume a paused queue. */
  'jobs:resume': [Empty, Ok],
  /** Cancel one item, or every queued and running item when `itemId` is omitted. No partial output is left. */
  'jobs:cancel': [z.object({ itemId: RowIdSchema.optional() }).strict(), Ok],
  /** Remove finished, failed or cancelled items from the queue view (a queued item is cancelled first). */
  'jobs:remove': [z.object({ itemIds: z.array(RowIdSchema).min(1).max(10_000) }).strict(), Ok],
  /** Search the history library. */
  'library:list': [LibraryQuerySchema.strict(), z.object({ entries: z.array(LibraryEntrySchema), total: z.number().int().nonnegative() })],
  /** Queue an entry's source again with other settings. */
  'library:rerun': [
    z.object({ id: RowIdSchema, settings: RestoreSettingsSchema }).strict(),
    z.object({ jobId: RowIdSchema, itemIds: z.array(RowIdSchema) }),
  ],
  /** Show the entry's output (or source) in the system file manager. Electron only. */
  'library:reveal': [z.object({ id: RowIdSchema, which: z.enum(['output', 'source']).default('output') }).strict(), Ok],
  /** Remove an entry from the library; never deletes the original, deletes the output only with `deleteOutput`. */
  'library:remove': [z.object({ id: RowIdSchema, deleteOutput: z.boolean().default(false) }).strict(), Ok],
  /** Installed model packs. */
  'models:list': [Empty, z.object({ models: z.array(ModelInfoSchema) })],
  /** Install a pack from a folder or an http(s) URL; progress arrives as `model:install-progress` events. */
  'models:add': [z.object({ source: ModelSourceSchema }).strict(), z.object({ installId: IdSchema, model: ModelInfoSchema.nullable() })],
  /** Check every file of a pack against its recorded size and sha256. */
  'models:verify': [
    z.object({ id: IdSchema }).strict(),
    z.object({ ok: z.boolean(), problems: z.array(z.string()) }),
  ],
  /** Remove an installed pack (built-in packs cannot be removed). */
  'models:remove': [z.object({ id: IdSchema }).strict(), Ok],
  /** Current settings. */
  'settings:get': [Empty, AppSettingsSchema],
  /** Change some settings; returns the whole result after validation. */
  'settings:set': [
    z.object({ patch: AppSettingsSchema.extend({ defaults: RestoreSettingsSchema.partial() }).partial().strict() }).strict(),
    AppSettingsSchema,
  ],
  /**
   * Restore only a region of one input with the given settings, to try them before a long run. The rectangle is in
   * source pixels; the result is the restored crop and the same crop of the source scaled to match.
   */
  'preview:region': [
    z.object({ path: PathSchema, rect: RectSchema, settings: RestoreSettingsSchema }).strict(),
    z.object({ beforeUrl: ImageUrlSchema, afterUrl: ImageUrlSchema, width: z.number().int().positive(), height: z.number().int().positive(), ms: z.number().nonnegative() }),
  ],
  /** The device inference will use and what else is available. */
  'device:info': [Empty, DeviceInfoSchema],
} as const satisfies Record<string, readonly [z.ZodType, z.ZodType]>;

// ---------------------------------------------------------------------------------------------------------------
// Events (core → interface)

/** Events pushed by the core. Subscriptions return an unsubscribe function. */
export const events = {
  /**
   * Progress of a running batch, exactly as the core reports it: per tile, per item (state, fraction, ETA) and per
   * batch (counts, fraction, ETA). Finished items carry their output path; the page refetches `jobs:list` for URLs.
   */
  'job:progress': [JobProgressSchema],
  /** Items were added to or removed from the queue: the page refetches `jobs:list`. */
  'queue:changed': [z.object({ reason: z.enum(['added', 'removed', 'paused', 'resumed', 'cancelled', 'finished']) })],
  /** A failure that no request is waiting for (an engine crash, a disk full while writing). */
  'app:error': [WireErrorSchema.extend({ context: z.string().optional() })],
  /** Progress of a model pack installation. */
  'model:install-progress': [
    z.object({
      installId: IdSchema,
      phase: z.enum(['download', 'verify', 'copy', 'done', 'failed']),
      receivedBytes: z.number().nonnegative(),
      totalBytes: z.number().nonnegative().nullable(),
      error: WireErrorSchema.optional(),
    }),
  ],
} as const satisfies Record<string, readonly [z.ZodType]>;

// ---------------------------------------------------------------------------------------------------------------
// Types derived from the maps

export type Channels = typeof channels;
export type Channel = keyof Channels;
export type Events = typeof events;
export type EventName = keyof Events;
/** What the caller passes (defaults not yet applied). */
export type Req<C extends Channel> = z.input<Channels[C][0]>;
/** What the handler receives (after parsing, defaults applied). */
export type ParsedReq<C extends Channel> = z.output<Channels[C][0]>;
export type Res<C extends Channel> = z.output<Channels[C][1]>;
export type EventPayload<E extends EventName> = z.output<Events[E][0]>;

export const CHANNEL_NAMES = Object.keys(channels) as Channel[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** The envelope every response crosses in: a value or a {@link WireError}, never a thrown exception. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: WireError };

/**
 * The method name `window.revive` exposes for each channel: `'jobs:start'` → `jobsStart`. Derived, not hand-written,
 * so the preload and the bridge client cannot drift from the contract.
 */
export type MethodName<C extends string> = C extends `${infer A}:${infer B}` ? `${A}${Capitalize<CamelTail<B>>}` : never;
type CamelTail<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<CamelTail<T>>}` : S;

export function methodName<C extends Channel>(channel: C): MethodName<C> {
  const [a, b = ''] = channel.split(':');
  const tail = b.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
  return `${a}${tail.charAt(0).toUpperCase()}${tail.slice(1)}` as MethodName<C>;
}

/** Channels whose request is all-optional can be called without an argument. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{}` here means "an object with no required keys"
export type ArgsOf<C extends Channel> = {} extends Req<C> ? [req?: Req<C>] : [req: Req<C>];

/** The API object the page sees as `window.revive`. */
export type ReviveApi = {
  [C in Channel as MethodName<C>]: (...args: ArgsOf<C>) => Promise<Res<C>>;
} & {
  /** Subscribe to an event; returns the function that unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** The error thrown in the page when a request fails; carries the wire `code`. */
export class ReviveError extends Error {
  readonly code: string;
  constructor(error: WireError) {
    super(error.message);
    this.name = 'ReviveError';
    this.code = error.code;
  }
}
