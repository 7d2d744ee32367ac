/**
 * What the interface needs from the core, in domain terms (paths, not URLs). `core/services.ts` implements it over
 * the real store, jobs, library, models, settings and engine modules; tests implement it with fakes. The IPC
 * handlers (src-main/ipc/handlers.ts) translate between this and the contract, adding the host's image URLs.
 */
import type {
  AppSettings,
  BatchProgress,
  DeviceInfo,
  EventPayload,
  ItemState,
  JobProgress,
  LibraryEntry,
  MaskStroke,
  ModelInfo,
  ParsedReq,
  RestoreSettings,
  WireError,
} from '../../src-preload/contract';
import type { OutputFormat } from '../imaging/formats';
import type { TooLargeResult } from '../jobs/output-size';
import type { AllowList } from './allow-list';
import type { FolderListing } from './folder-browser';

export interface CoreItem {
  id: number;
  jobId: number;
  source: string;
  state: ItemState;
  progress: number;
  stage?: string;
  output?: string;
  error?: WireError;
  libraryId?: number;
  /** The job's model and scale, so re-runs of one photo can be told apart. */
  modelId?: string;
  scale?: number;
}

export type CoreLibraryEntry = Omit<LibraryEntry, 'name' | 'sourceUrl' | 'outputUrl' | 'thumbUrl' | 'downloadUrl' | 'repairMaskUrl'> & {
  /** The before/after thumbnail file, when one was made. */
  thumbPath: string | null;
  /** The repair mask the result used (in the data folder), when it had a repair stage. */
  repairMaskPath?: string | null;
};

export interface CoreEvents {
  progress: JobProgress;
  queue: EventPayload<'queue:changed'>;
  error: EventPayload<'app:error'>;
  'model-install': EventPayload<'model:install-progress'>;
}

export type SettingsPatch = ParsedReq<'settings:set'>['patch'];
export type LibraryQueryParsed = ParsedReq<'library:list'>;
export type ModelSource = ParsedReq<'models:add'>['source'];

export interface ReviveCore {
  /** Files the interface may load; the core adds inputs, outputs, thumbnails and previews as they appear. */
  readonly allowList: AllowList;
  readonly version: string;
  /** Where per-connection uploads of the bridge go (inside the data folder). */
  readonly uploadsDir: string;
  /**
   * A connection's upload folder is done with (its socket closed): removed with its files, and they leave the
   * allow-list — unless queued work still reads from it, then it is swept at a later start.
   */
  releaseUploads(dir: string): Promise<void>;

  /** Adds inputs whose header reads and whose size is within the limit; the rest come back refused, with a code. */
  addInputs(
    paths: string[],
    recursive: boolean,
  ): Promise<{ added: { path: string; sizeBytes: number; width?: number; height?: number }[]; rejected: { path: string; reason: string; code?: string }[] }>;
  /** The photos among `paths` whose result `settings.format` cannot hold, and the formats that hold them all. */
  checkJob(paths: string[], settings: RestoreSettings): Promise<{ tooLarge: TooLargeResult[]; formats: OutputFormat[] }>;
  /** Queues a job; results too large for the format are written as `fallbackFormat` (without one: OUTPUT_TOO_LARGE). */
  startJob(
    paths: string[],
    settings: RestoreSettings,
    force: boolean,
    fallbackFormat?: OutputFormat,
  ): Promise<{ jobId: number; itemIds: number[]; skipped: { path: string; reason: string }[] }>;
  queue(): Promise<{ items: CoreItem[]; jobs: BatchProgress[] }>;
  pause(now: boolean): Promise<void>;
  resume(): Promise<void>;
  /** Cancels one item, or all unfinished ones; `waitingOnly` spares the running photo. */
  cancel(itemId?: number, waitingOnly?: boolean): Promise<void>;
  remove(itemIds: number[]): Promise<void>;

  libraryList(query: LibraryQueryParsed): Promise<{ entries: CoreLibraryEntry[]; total: number }>;
  libraryGet(id: number): Promise<CoreLibraryEntry>;
  libraryRerun(id: number, settings: RestoreSettings): Promise<{ jobId: number; itemIds: number[] }>;
  libraryRemove(id: number, deleteOutput: boolean): Promise<void>;
  /** Paints `strokes` over the entry's repair mask, keeps it in the data folder and queues the original again with it. */
  libraryRepairAgain(id: number, strokes: MaskStroke[]): Promise<{ jobId: number; itemIds: number[] }>;

  models(): Promise<ModelInfo[]>;
  /** Installs a pack; progress is emitted as 'model-install' events tagged with `installId`. */
  addModel(source: ModelSource, installId: string): Promise<ModelInfo | null>;
  verifyModel(id: string): Promise<{ ok: boolean; problems: string[] }>;
  removeModel(id: string): Promise<void>;

  getSettings(): Promise<AppSettings>;
  setSettings(patch: SettingsPatch): Promise<AppSettings>;

  previewRegion(
    path: string,
    rect: { x: number; y: number; width: number; height: number },
    settings: RestoreSettings,
  ): Promise<{ before: string; after: string; width: number; height: number; ms: number }>;
  deviceInfo(): Promise<DeviceInfo>;
  /** Sub-folders of `dir` (or the roots when undefined), only below the folders results may be written to. */
  listFolders(dir: string | undefined): Promise<FolderListing>;

  on<E extends keyof CoreEvents>(event: E, listener: (payload: CoreEvents[E]) => void): () => void;
  close(): Promise<void>;
}
