/**
 * The IPC contract between the interface (renderer, sandboxed) and the core (main process or `revive serve`).
 *
 * One map of request channels — `channel: [request schema, response schema]` — and one map of events pushed from the
 * core — `event: [payload schema]`. Main registers exactly one handler per request channel (src-main/ipc/register.ts),
 * the preload builds `window.revive` from the same map (src-preload/api.ts), and the web bridge serves the same map
 * over a WebSocket (src-main/bridge/server.ts). Every request payload is parsed with its schema before a handler sees
 * it; every failure crosses the boundary as `{ code, message }` ({@link WireError}).
 *
 * The payload schemas live in payloads.ts and are re-exported here, so callers import one module.
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
import { OUTPUT_FORMATS } from '../src-main/imaging/formats';
import {
  PathSchema,
  IdSchema,
  RowIdSchema,
  ImageUrlSchema,
  WireErrorSchema,
  type WireError,
  RestoreSettingsSchema,
  JobProgressSchema,
  QueueSnapshotSchema,
  LibraryEntrySchema,
  LibraryQuerySchema,
  ModelInfoSchema,
  DeviceInfoSchema,
  AppSettingsSchema,
  RectSchema,
  Empty,
  Ok,
  ModelSourceSchema,
  MaskStrokeSchema,
} from './payloads';

export * from './payloads';
/** The one message catalogue (error codes in a photographer's words), for the renderer through this module. */
export * from './messages';
/** Result sizes and time estimates before a run (the start screen and the hand-off sheet). */
export * from './estimate';

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
      added: z.array(
        z.object({
          path: PathSchema,
          name: z.string(),
          url: ImageUrlSchema,
          sizeBytes: z.number().int().nonnegative(),
          /** Upright size from the header, read when the photo was added. */
          width: z.number().int().positive().optional(),
          height: z.number().int().positive().optional(),
        }),
      ),
      /** Refused when added (not an image, damaged header, over the pixel limit), with the catalogue's code. */
      rejected: z.array(z.object({ path: z.string(), reason: z.string(), code: z.string().optional() })),
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
  /**
   * Cancel one item, or every queued and running item when `itemId` is omitted (with `waiting`, only the items not yet
   * started: the running photo finishes). No partial output is left.
   */
  'jobs:cancel': [z.object({ itemId: RowIdSchema.optional(), waiting: z.boolean().optional() }).strict(), Ok],
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
  /**
   * Browse the host's folders to choose where results go (the browser's folder picker): the sub-folders of `dir`, or
   * the roots when `dir` is left out. Only folders below the roots results may be written to are ever listed.
   */
  'folders:list': [
    z.object({ dir: PathSchema.optional() }).strict(),
    z.object({ dir: z.string().nullable(), parent: z.string().nullable(), folders: z.array(z.object({ name: z.string(), path: z.string() })) }),
  ],
  /** Electron only: the native "choose a folder" dialog for results; null when cancelled. */
  'folders:pick': [z.object({ title: z.string().max(200).optional() }).strict(), z.object({ dir: PathSchema.nullable() })],
  /**
   * Electron only: "Enhance with Revive" in this computer's file manager. Without `enabled` it reports the state;
   * with it, installs or removes the entries and remembers the choice. `available` is false where the app cannot
   * change it per user (Windows: the installer adds it), and `reason` then says why in one line.
   */
  'shell:integration': [
    z.object({ enabled: z.boolean().optional() }).strict(),
    z.object({ available: z.boolean(), enabled: z.boolean(), where: z.string().max(200), reason: z.string().max(400).nullable() }),
  ],
  /**
   * "Repair again" from the compare view: the entry's repair mask (or an empty one) with these strokes painted over
   * it is kept in the data folder, and the entry's original is queued again with its settings and that mask. The new
   * result's row keeps the mask, so running it again reproduces it.
   */
  'library:repair-again': [
    z.object({ id: RowIdSchema, strokes: z.array(MaskStrokeSchema).min(1).max(200) }).strict(),
    z.object({ jobId: RowIdSchema, itemIds: z.array(RowIdSchema) }),
  ],
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
