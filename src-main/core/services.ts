/**
 * The façade the interface calls: {@link openReviveCore} opens a data folder through the composition root
 * (./open.ts) and presents it as the {@link ReviveCore} the IPC handlers and the web bridge need. Both the Electron
 * main process and `revive serve` call it; nothing here imports Electron.
 *
 * Translation to and from the contract's vocabulary lives in ./contract-mapping.ts; which files the page may load is
 * decided with ./allow-list.ts and ./image-check.ts.
 */
import { EventEmitter } from 'node:events';
import { mkdir, realpath } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BatchProgress, DeviceInfo, MaskStroke, RestoreSettings } from '../../src-preload/contract';
import { expandInputs } from '../jobs/inputs';
import { earlierResultTest } from '../jobs/naming';
import { parseJobSettings, type JobSettings } from '../settings/job-settings';
import { resolveInpaintPack } from '../models/inpaint-choice';
import type { EngineSpawner } from '../engine/spawn';
import { EngineHost } from '../engine/host';
import { DEFAULT_MAX_INPUT_PIXELS, type OutputFormat } from '../imaging/formats';
import { enqueue } from '../jobs/enqueue';
import { findTooLarge, formatsForAll } from '../jobs/output-size';
import { probeImage } from '../imaging/probe';
import type { BatchProgress as CoreBatch, JobProgress } from '../jobs/progress';
import type { ItemRecord } from '../jobs/queue-store';
import { removeEntry, rerun } from '../jobs/library-actions';
import { checkMaskSetting, repairAgain } from './repair-again';
import { MASK_DIR } from '../store/paths';
import { SettingsStore } from '../settings';
import { AllowList } from './allow-list';
import { previewRegion } from './region-preview';
import { allowFileAndTarget } from './allowed-file';
import { fromSettings, toBatchProgress, toCoreItem, toJobSettings, toLibraryEntry, toSettingsPatch } from './contract-mapping';
import { describeDevice } from './device-info';
import { checkHeader, ImageAllower, notAnImage, refusedInput } from './image-check';
import { checkOutputFolder, resolveRoots } from './output-folder';
import { listFolders, type FolderListing } from './folder-browser';
import { isBelow, removeUploadFolder, sweepUploads } from './uploads';
import { ModelCatalog } from './models';
import { openRoot, type OpenRootOptions, type ReviveRoot } from './open';
import { CodedError } from '../pixels/coded-error';
import type { CoreEvents, CoreItem, CoreLibraryEntry, LibraryQueryParsed, ModelSource, ReviveCore, SettingsPatch } from './port';

export interface OpenCoreOptions extends OpenRootOptions {
  /** The app's version, reported by `app:info`. */
  version?: string;
  /**
   * Serve mode: output folders a request may name must lie below one of these (see ./output-folder.ts). Left out
   * (the desktop app), any existing, writable folder outside the data folder is taken.
   */
  outputRoots?: readonly string[];
}

/**
 * Opens everything a data folder holds and returns the core. Throws `QUEUE_LOCKED` when another Revive process
 * (the app, `revive serve`, a CLI batch) runs the queue of this folder.
 */
export async function openReviveCore(dataDir: string, options: OpenCoreOptions = {}): Promise<ReviveCore> {
  const core = new LocalCore(await openRoot(dataDir, options), options);
  try {
    await core.start();
  } catch (err) {
    await core.close();
    throw err;
  }
  return core;
}

class LocalCore implements ReviveCore {
  readonly allowList = new AllowList();
  readonly version: string;
  readonly uploadsDir: string;
  readonly #root: ReviveRoot;
  readonly #settings: SettingsStore;
  readonly #previewsDir: string;
  /** Repair masks: the runner keeps each result's there, "Repair again" its edited ones; the page may show them. */
  readonly #masksDir: string;
  readonly #events = new EventEmitter();
  readonly #batches = new Map<number, CoreBatch>();
  readonly #images = new ImageAllower(this.allowList);
  readonly #models: ModelCatalog;
  #previewHost: EngineHost | null = null;
  readonly #outputRoots: readonly string[] | undefined;
  #resolvedRoots: string[] | undefined;
  /** How engine processes start (the app: utilityProcess); the preview engine starts the same way. */
  readonly #spawner: EngineSpawner | undefined;
  #closed = false;

  constructor(root: ReviveRoot, options: OpenCoreOptions) {
    this.#root = root;
    this.#spawner = options.spawner;
    this.#outputRoots = options.outputRoots;
    this.version = options.version ?? '0.1.0';
    this.uploadsDir = path.join(root.dir, 'uploads');
    this.#previewsDir = path.join(root.dir, 'previews');
    this.#masksDir = path.join(root.dir, MASK_DIR);
    this.#settings = new SettingsStore({ cwd: root.dir });
    this.#models = new ModelCatalog({
      dataDir: root.dir,
      packs: root.packs,
      queue: root.queue,
      defaultScale: () => this.#settings.get().enhance.scale,
      onInstallProgress: (p) => this.#emit('model-install', p),
    });
    root.runner.onProgress((p) => this.#onProgress(p));
  }

  async start(): Promise<void> {
    await mkdir(this.uploadsDir, { recursive: true });
    await mkdir(this.#previewsDir, { recursive: true });
    await mkdir(this.#root.thumbnails.dir, { recursive: true });
    await mkdir(this.#masksDir, { recursive: true });
    this.allowList.allowDir(this.#root.thumbnails.dir);
    this.allowList.allowDir(this.#previewsDir);
    this.allowList.allowDir(this.#masksDir);
    // The database, settings and model packs are never inputs nor served (opening revive.db with plain file calls
    // drops SQLite's locks); by their real paths too, so a symlink from elsewhere cannot reach them.
    const except = [this.#root.thumbnails.dir, this.#previewsDir, this.uploadsDir, this.#masksDir];
    this.allowList.denyDir(this.#root.dir, except);
    const real = await realpath(this.#root.dir);
    if (real !== this.#root.dir) this.allowList.denyDir(real, await Promise.all(except.map((d) => realpath(d))));
    if (this.#outputRoots) this.#resolvedRoots = await resolveRoots(this.#outputRoots);
    await this.#root.runner.recover();
    await sweepUploads(this.uploadsDir, (dir) => this.#uploadsInUse(dir));
    this.#kick();
  }

  // ---- events -------------------------------------------------------------------------------------------------

  on<E extends keyof CoreEvents>(event: E, listener: (payload: CoreEvents[E]) => void): () => void {
    this.#events.on(event, listener);
    return () => {
      this.#events.off(event, listener);
    };
  }

  #emit<E extends keyof CoreEvents>(event: E, payload: CoreEvents[E]): void {
    this.#events.emit(event, payload);
  }

  #onProgress(p: JobProgress): void {
    if (p.kind === 'batch') this.#batches.set(p.jobId, p);
    if (p.kind === 'item' && p.outputPath) this.allowList.allowFile(p.outputPath);
    this.#emit('progress', p);
  }

  /** Starts the runner when there is queued work and no run is in progress; reports a failed run as an error. */
  #kick(): void {
    const { runner, queue } = this.#root;
    if (this.#closed || runner.running) return;
    const hasWork = queue.jobs({ unfinished: true }).some((j) => !j.paused && queue.items(j.id).some((i) => i.state === 'queued'));
    if (!hasWork) return;
    runner.run().then(
      () => {
        this.#emit('queue', { reason: 'finished' });
        // Work added after the run looked at the queue for the last time starts a new run.
        setImmediate(() => this.#kick());
      },
      (err: unknown) => this.#emit('error', { code: (err as { code?: string }).code ?? 'RUN_FAILED', message: (err as Error).message, context: 'batch' }),
    );
  }

  // ---- inputs and jobs ----------------------------------------------------------------------------------------

  async addInputs(paths: string[], recursive: boolean) {
    const expanded = await expandInputs(paths, { recursive, cwd: os.homedir() });
    const added: { path: string; sizeBytes: number; width: number; height: number }[] = [];
    const rejected: { path: string; reason: string; code?: string }[] = expanded.problems.map((p) => ({ path: p.path, reason: p.reason }));
    const maxPixels = this.#settings.get().queue.maxInputMegapixels * 1e6;
    for (const file of expanded.files) {
      const why = (await refusedInput(this.allowList, file)) ?? (await notAnImage(file).catch((err: unknown) => (err as Error).message));
      if (why) {
        rejected.push({ path: file, reason: why, code: 'NOT_AN_IMAGE' });
        continue;
      }
      // The header and the size limit are checked now, so a damaged or oversized photo is refused when added rather
      // than failing minutes later in the queue.
      const checked = await checkHeader(file, maxPixels);
      if ('code' in checked) {
        rejected.push({ path: file, ...checked });
        continue;
      }
      await allowFileAndTarget(this.allowList, file);
      added.push({ path: file, ...checked });
    }
    return { added, rejected };
  }

  async checkJob(paths: string[], settings: RestoreSettings) {
    this.#requireAdded(paths);
    // The same expansion as jobs:start (enqueue): the page passes the files inputs:add returned.
    const { files } = await expandInputs(paths, { recursive: false, cwd: os.homedir(), isEarlierResult: earlierResultTest(parseJobSettings(toJobSettings(settings))) });
    // With the app-wide input limit startJob gives the job: a photo over it fails alone, it is not "too large" here.
    const { maxInputMegapixels } = this.#settings.get().queue;
    const tooLarge = await findTooLarge(files, { ...toJobSettings(settings), maxMegapixels: maxInputMegapixels }, probeImage);
    return { tooLarge, formats: formatsForAll(tooLarge) };
  }

  async startJob(paths: string[], settings: RestoreSettings, force: boolean, fallbackFormat?: OutputFormat) {
    const { packs, queue } = this.#root;
    if (!packs.has(settings.modelId)) await packs.refresh();
    if (!packs.has(settings.modelId)) throw new CodedError('MODEL_NOT_FOUND', `model "${settings.modelId}" is not installed`);
    this.#requireAdded(paths);
    await this.#checkOutput(settings);
    checkMaskSetting(settings, this.#masksDir);
    const { skipDone, maxInputMegapixels } = this.#settings.get().queue;
    const jobSettings = {
      ...(await this.#withInpaintPack(toJobSettings(settings))),
      ...(fallbackFormat ? { fallbackFormat } : {}),
      // The app-wide input limit travels with the job (a resumed batch keeps the limit it was started with).
      ...(maxInputMegapixels * 1e6 !== DEFAULT_MAX_INPUT_PIXELS ? { maxMegapixels: maxInputMegapixels } : {}),
    };
    const r = await enqueue(queue, jobSettings, paths, { force: force || !skipDone, cwd: os.homedir(), probe: probeImage });
    if (r.tooLarge.length) {
      const first = r.tooLarge[0]!;
      const more = r.tooLarge.length > 1 ? ` (and ${r.tooLarge.length - 1} more)` : '';
      throw new CodedError('OUTPUT_TOO_LARGE', `nothing was queued: ${first.message}${more}`);
    }
    if (!r.job) {
      throw new CodedError('NOTHING_TO_DO', `no photos to restore in ${paths.join(', ')}${r.problems.length ? `: ${r.problems.map((p) => p.reason).join('; ')}` : ''}`);
    }
    // Only real images become loadable by the page; a non-image still gets its item (and fails with a reason).
    for (const file of r.added) if (!(await notAnImage(file).catch(() => 'unreadable'))) await allowFileAndTarget(this.allowList, file);
    const itemIds = queue.items(r.job.id).map((i) => i.id);
    this.#emit('queue', { reason: 'added' });
    this.#kick();
    return { jobId: r.job.id, itemIds, skipped: r.problems.map((p) => ({ path: p.path, reason: p.reason })) };
  }

  /** Sources reach a job only through `inputs:add` (or an upload) of this session: nothing else is on the allow-list. */
  #requireAdded(paths: readonly string[]): void {
    const stray = paths.filter((p) => !path.isAbsolute(p) || !this.allowList.isAllowed(p));
    if (stray.length) {
      const more = stray.length > 1 ? ` (and ${stray.length - 1} more)` : '';
      throw new CodedError('NOT_ALLOWED', `nothing was queued: ${JSON.stringify(stray[0])}${more} was not added as an input; add photos first`);
    }
  }

  async #checkOutput(settings: RestoreSettings): Promise<void> {
    if (settings.output.kind !== 'folder') return;
    await checkOutputFolder(settings.output.dir, { dataDir: this.#root.dir, ...(this.#resolvedRoots ? { roots: this.#resolvedRoots } : {}) });
  }

  /** Whether an unfinished item still reads its photo from the upload folder `dir`. */
  #uploadsInUse(dir: string): boolean {
    const { queue } = this.#root;
    return queue.jobs({ unfinished: true }).some((j) => queue.items(j.id).some((i) => (i.state === 'queued' || i.state === 'running') && isBelow(i.sourcePath, dir)));
  }

  async releaseUploads(dir: string) {
    if (!isBelow(path.resolve(dir), this.uploadsDir)) throw new CodedError('NOT_ALLOWED', `${dir} is not an upload folder`);
    if (await removeUploadFolder(dir, (d) => this.#uploadsInUse(d))) this.allowList.forgetDir(dir);
  }

  async queue() {
    const { queue: q, library } = this.#root;
    const items: CoreItem[] = [];
    const jobs: BatchProgress[] = [];
    for (const job of q.jobs()) {
      const records = q.items(job.id);
      if (!records.length) continue;
      for (const r of records) {
        const item = toCoreItem(r);
        item.modelId = job.settings.model;
        item.scale = job.settings.scale;
        const entry = r.state === 'done' || r.state === 'failed' ? library.forItem(r.id) : null;
        if (entry) item.libraryId = entry.id;
        await this.#images.allowIfImage(item.source);
        if (item.output && item.state === 'done') this.allowList.allowFile(item.output);
        items.push(item);
      }
      jobs.push(toBatchProgress(job.id, q.counts(job.id), job.paused, records, this.#batches.get(job.id)));
    }
    return { items, jobs };
  }

  async pause(now: boolean) {
    for (const job of this.#root.queue.jobs({ unfinished: true })) this.#root.runner.pause(job.id, { now });
    this.#emit('queue', { reason: 'paused' });
  }

  async resume() {
    for (const job of this.#root.queue.jobs({ unfinished: true })) if (job.paused) this.#root.runner.resume(job.id);
    this.#emit('queue', { reason: 'resumed' });
    this.#kick();
  }

  async cancel(itemId?: number, waitingOnly = false) {
    const { runner, queue } = this.#root;
    if (itemId === undefined) {
      for (const job of queue.jobs({ unfinished: true })) runner.cancel(job.id, waitingOnly);
    } else {
      this.#item(itemId);
      runner.cancelItem(itemId);
    }
    this.#emit('queue', { reason: 'cancelled' });
  }

  async remove(itemIds: number[]) {
    const { runner } = this.#root;
    for (const id of itemIds) {
      const item = this.#item(id);
      if (item.state === 'queued' || item.state === 'running') {
        runner.cancelItem(id);
        // A running item is stopped by killing the engine; until that is recorded it is still running and the
        // queue refuses to remove it.
        await runner.whenSettled(id);
      }
      runner.remove(id);
    }
    this.#emit('queue', { reason: 'removed' });
  }

  #item(id: number): ItemRecord {
    try {
      return this.#root.queue.item(id);
    } catch (err) {
      throw new CodedError('NOT_FOUND', (err as Error).message);
    }
  }

  // ---- library ------------------------------------------------------------------------------------------------

  async libraryList(q: LibraryQueryParsed) {
    const rows = this.#root.library.search({
      ...(q.text ? { name: q.text } : {}),
      ...(q.modelId ? { model: q.modelId } : {}),
      ...(q.camera ? { camera: q.camera } : {}),
      failedOnly: q.status === 'failed',
      limit: 10_000,
    });
    const matching = q.status === 'done' ? rows.filter((r) => r.status === 'done') : rows;
    const page = matching.slice(q.offset, q.offset + q.limit).map(toLibraryEntry);
    for (const e of page) await this.#allowEntry(e);
    return { entries: page, total: matching.length };
  }

  async #allowEntry(e: CoreLibraryEntry): Promise<void> {
    await this.#images.allowIfImage(e.source);
    if (e.output && e.status === 'done') this.allowList.allowFile(e.output);
  }

  async libraryGet(id: number) {
    try {
      const e = toLibraryEntry(this.#root.library.get(id));
      await this.#allowEntry(e);
      return e;
    } catch (err) {
      throw new CodedError('NOT_FOUND', (err as Error).message);
    }
  }

  /** A repair job records its inpainting pack: the one named, or for 'auto' the installed one (if any), else 'none'. */
  async #withInpaintPack(s: JobSettings): Promise<JobSettings> {
    if (!s.repair) return s;
    return { ...s, repair: { ...s.repair, inpaintPack: resolveInpaintPack(s.repair.inpaintPack, await this.#root.packs.refresh()) } };
  }

  async libraryRerun(id: number, settings: RestoreSettings) {
    const { packs, library, queue } = this.#root;
    const entry = await this.libraryGet(id);
    // libraryGet put the source on the list when it is a readable photo outside the data folder; nothing else reruns.
    this.#requireAdded([entry.source]);
    await this.#checkOutput(settings);
    checkMaskSetting(settings, this.#masksDir);
    if (!packs.has(settings.modelId)) await packs.refresh();
    const job = rerun(library, queue, id, await this.#withInpaintPack(toJobSettings(settings)));
    const itemIds = queue.items(job.id).map((i) => i.id);
    this.#emit('queue', { reason: 'added' });
    this.#kick();
    return { jobId: job.id, itemIds };
  }

  async libraryRepairAgain(id: number, strokes: MaskStroke[]) {
    const { library, queue } = this.#root;
    const entry = await this.libraryGet(id);
    // libraryGet put the source on the list when it is a readable photo outside the data folder; nothing else reruns.
    this.#requireAdded([entry.source]);
    const job = await repairAgain(library, queue, this.#masksDir, id, strokes);
    const itemIds = queue.items(job.id).map((i) => i.id);
    this.#emit('queue', { reason: 'added' });
    this.#kick();
    return { jobId: job.id, itemIds };
  }

  async libraryRemove(id: number, deleteOutput: boolean) {
    const entry = await this.libraryGet(id);
    await removeEntry(this.#root.library, this.#root.thumbnails, id, { deleteOutput });
    if (deleteOutput && entry.output) this.allowList.forgetFile(entry.output);
  }

  // ---- models -------------------------------------------------------------------------------------------------

  async models() {
    return this.#models.list();
  }

  async addModel(source: ModelSource, installId: string) {
    return this.#models.add(source, installId);
  }

  async verifyModel(id: string) {
    return this.#models.verify(id);
  }

  async removeModel(id: string) {
    return this.#models.remove(id);
  }

  // ---- settings, preview, device ------------------------------------------------------------------------------

  async getSettings() {
    return fromSettings(this.#settings.get());
  }

  async setSettings(patch: SettingsPatch) {
    if (patch.defaults?.output) await this.#checkOutput({ ...fromSettings(this.#settings.get()).defaults, ...patch.defaults });
    try {
      return fromSettings(this.#settings.set(toSettingsPatch(patch, this.#settings.get())));
    } catch (err) {
      throw new CodedError('INVALID_SETTINGS', (err as Error).message);
    }
  }

  async previewRegion(source: string, rect: { x: number; y: number; width: number; height: number }, settings: RestoreSettings) {
    if (!this.allowList.isAllowed(source)) throw new CodedError('NOT_ALLOWED', `${source} was not added as an input`);
    const pack = await this.#models.pack(settings.modelId);
    // A second engine process: the batch's engine may be busy with a long photo, and a preview must not wait for it.
    this.#previewHost ??= new EngineHost(this.#spawner ? { spawner: this.#spawner } : {});
    return previewRegion(this.#previewHost, this.#previewsDir, source, rect, pack.dir, settings);
  }

  /** Serve mode browses the output roots; the desktop app (no roots configured) browses the user's home folder. */
  async listFolders(dir: string | undefined): Promise<FolderListing> {
    const roots = this.#resolvedRoots ?? [await realpath(os.homedir())];
    const dataDir = await realpath(this.#root.dir).catch(() => this.#root.dir);
    return listFolders(dir, roots, dataDir);
  }

  async deviceInfo(): Promise<DeviceInfo> {
    return describeDevice(this.#root.library.recent(1)[0]?.device ?? null);
  }

  async close() {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#root.close(), this.#previewHost?.close()]);
    this.#events.removeAllListeners();
  }
}
