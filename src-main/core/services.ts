/**
 * The composition root: from one data folder, opens the store, takes the queue lock, starts the engine host, the
 * job runner, the library, the settings and the model registry, and presents them as the {@link ReviveCore} the
 * interface needs. Both the Electron main process and `revive serve` call {@link openReviveCore}; nothing here
 * imports Electron.
 *
 * Translation between the interface's contract and the core's own shapes happens here and only here (settings
 * sections, library rows, pack manifests), so either side can change its vocabulary without the other noticing.
 */
import { EventEmitter } from 'node:events';
import { mkdir, open, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AppSettings, BatchProgress, DeviceInfo, ModelInfo, RestoreSettings } from '../../src-preload/contract';
import { modelsDirIn } from '../store/data-dir';
import { expandInputs } from '../jobs/inputs';
import { bundledModelsDir, packRoots } from '../models/pack-roots';
import { EngineHost } from '../engine/host';
import { DEFAULT_MAX_INPUT_PIXELS, describeNonImage, type OutputFormat, sniffFormat } from '../imaging/formats';
import { engineFromHost } from '../jobs/engine';
import { enqueue } from '../jobs/enqueue';
import { findTooLarge, formatsForAll } from '../jobs/output-size';
import { probeImage } from '../imaging/probe';
import type { JobSettings } from '../settings/job-settings';
import type { BatchProgress as CoreBatch, JobProgress } from '../jobs/progress';
import type { ItemRecord } from '../jobs/queue-store';
import { JobRunner } from '../jobs/runner';
import { isTerminal } from '../jobs/state';
import { removeEntry, rerun } from '../jobs/library-actions';
import type { LibraryEntry as CoreLibraryRow } from '../library/library-store';
import { installPack, removePack } from '../models/install';
import { PackRegistry, verifyPackFiles, type InstalledPack } from '../models/registry';
import { SettingsStore, type Settings, type SettingsPatch as CoreSettingsPatch } from '../settings';
import { acquireLock, QUEUE_LOCK, type ProcessLock } from '../store/lock';
import { openStore, type Store } from '../store/database';
import { AllowList } from './allow-list';
import { previewRegion } from './region-preview';
import { allowFileAndTarget } from './allowed-file';
import { CodedError } from '../pixels/coded-error';
import type { CoreEvents, CoreItem, CoreLibraryEntry, LibraryQueryParsed, ModelSource, ReviveCore, SettingsPatch } from './port';

export interface OpenCoreOptions {
  /** The app's version, reported by `app:info`. */
  version?: string;
  /** Replaceable engine (tests). Default: the engine process. */
  engineHost?: EngineHost;
  /** Folders holding installed packs; default the bundled `models/` and `<dataDir>/models`. */
  packRoots?: string[];
}

const DEFAULT_QUALITY = 92;

/** Contract settings → the core's job settings snapshot. */
export function toJobSettings(s: RestoreSettings): JobSettings {
  return {
    model: s.modelId,
    scale: s.scale,
    format: s.format,
    quality: s.quality,
    suffix: s.suffix,
    outputDir: s.output.kind === 'folder' ? s.output.dir : null,
    overwrite: false,
    provider: s.device,
    threads: 0,
    promptMode: s.promptMode,
    prompt: s.prompt,
    colorFix: s.colorFix,
    strength: s.strength,
    // Left out at their defaults, so settings keys of results made before these options existed still match.
    ...(s.metadata !== 'all' ? { metadata: s.metadata } : {}),
    ...(s.keepFileTimes ? { keepFileTimes: true } : {}),
  };
}

/** The core's job settings → contract settings (fields the core leaves out get the interface's defaults). */
export function fromJobSettings(j: JobSettings): RestoreSettings {
  return {
    modelId: j.model,
    scale: (j.scale >= 1 && j.scale <= 4 ? j.scale : 4) as RestoreSettings['scale'],
    format: j.format,
    quality: j.quality ?? DEFAULT_QUALITY,
    output: j.outputDir ? { kind: 'folder', dir: j.outputDir } : { kind: 'beside' },
    suffix: j.suffix,
    promptMode: j.promptMode ?? 'tags',
    prompt: j.prompt ?? '',
    colorFix: j.colorFix ?? 'adain',
    strength: j.strength ?? 1,
    device: j.provider,
    metadata: j.metadata ?? 'all',
    keepFileTimes: j.keepFileTimes ?? false,
  };
}

/** The core's settings → the contract's. */
export function fromSettings(s: Settings): AppSettings {
  return { defaults: fromJobSettings(s.enhance), recursive: s.queue.recursive, skipDone: s.queue.skipDone, theme: s.appearance.theme };
}

/** A contract settings patch → the core's sections. */
export function toSettingsPatch(p: SettingsPatch, current: Settings): CoreSettingsPatch {
  const out: CoreSettingsPatch = {};
  if (p.defaults) out.enhance = toJobSettings({ ...fromJobSettings(current.enhance), ...p.defaults });
  if (p.recursive !== undefined || p.skipDone !== undefined) {
    out.queue = { ...(p.recursive !== undefined ? { recursive: p.recursive } : {}), ...(p.skipDone !== undefined ? { skipDone: p.skipDone } : {}) };
  }
  if (p.theme !== undefined) out.appearance = { theme: p.theme };
  return out;
}

function toCoreItem(r: ItemRecord): CoreItem {
  const item: CoreItem = { id: r.id, jobId: r.jobId, source: r.sourcePath, state: r.state, progress: r.state === 'done' ? 1 : 0 };
  const output = r.outputPath ?? (r.state === 'done' ? r.plannedOutput : null);
  if (output) item.output = output;
  if (r.error) item.error = { code: r.state === 'cancelled' ? 'CANCELLED' : 'FAILED', message: r.error };
  return item;
}

function toLibraryEntry(e: CoreLibraryRow): CoreLibraryEntry {
  return {
    id: e.id,
    source: e.sourcePath,
    output: e.outputPath,
    status: e.status,
    error: e.error,
    modelId: e.model,
    settings: fromJobSettings(e.settings),
    inputWidth: e.sourceWidth,
    inputHeight: e.sourceHeight,
    outputWidth: e.outputWidth,
    outputHeight: e.outputHeight,
    ms: e.ms,
    device: e.device,
    camera: e.camera,
    dateTaken: e.dateTaken,
    createdAt: new Date(e.finishedAt).toISOString(),
    thumbPath: e.thumbAfter ?? e.thumbBefore,
  };
}

/**
 * Why a file is not a photo Revive reads, or null when its first bytes are a supported image. Only such files go on
 * the allow-list: a path typed into the browser must not turn `/etc/passwd` into something the page can load.
 */
export async function notAnImage(file: string): Promise<string | null> {
  const fh = await open(file, 'r');
  try {
    const head = new Uint8Array(64);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const sniffed = sniffFormat(head.subarray(0, bytesRead));
    if (sniffed.kind === 'supported') return null;
    return sniffed.kind === 'unsupported' ? `${sniffed.format} images are not supported` : describeNonImage(head.subarray(0, bytesRead), (await fh.stat()).size);
  } finally {
    await fh.close();
  }
}

/**
 * Opens everything a data folder holds and returns the core. Throws `QUEUE_LOCKED` when another Revive process
 * (the app, `revive serve`, a CLI batch) runs the queue of this folder.
 */
export async function openReviveCore(dataDir: string, options: OpenCoreOptions = {}): Promise<ReviveCore> {
  const dir = path.resolve(dataDir);
  const store = openStore(dir);
  let lock: ProcessLock;
  try {
    lock = acquireLock(store.db, QUEUE_LOCK);
  } catch (err) {
    store.close();
    throw new CodedError('QUEUE_LOCKED', `another Revive process runs the queue in ${dir}: ${(err as Error).message}`);
  }
  const core = new LocalCore(dir, store, lock, options);
  await core.start();
  return core;
}

class LocalCore implements ReviveCore {
  readonly allowList = new AllowList();
  readonly version: string;
  readonly uploadsDir: string;
  readonly #dir: string;
  readonly #store: Store;
  readonly #lock: ProcessLock;
  readonly #host: EngineHost;
  readonly #runner: JobRunner;
  readonly #settings: SettingsStore;
  readonly #registry: PackRegistry;
  readonly #previewsDir: string;
  readonly #events = new EventEmitter();
  readonly #batches = new Map<number, CoreBatch>();
  readonly #packDirs = new Map<string, string>();
  /** Files already checked for being images (path → is one), so listing 1,000 items does not reread them. */
  readonly #imageCheck = new Map<string, boolean>();
  #previewHost: EngineHost | null = null;
  #closed = false;

  constructor(dir: string, store: Store, lock: ProcessLock, options: OpenCoreOptions) {
    this.#dir = dir;
    this.#store = store;
    this.#lock = lock;
    this.version = options.version ?? '0.1.0';
    this.uploadsDir = path.join(dir, 'uploads');
    this.#previewsDir = path.join(dir, 'previews');
    this.#host = options.engineHost ?? new EngineHost();
    this.#registry = new PackRegistry(options.packRoots ?? packRoots(dir));
    this.#settings = new SettingsStore({ cwd: dir });
    this.#runner = new JobRunner({
      store,
      engine: engineFromHost(this.#host),
      lock,
      resolveModelDir: (id) => {
        const found = this.#packDirs.get(id);
        if (!found) throw new CodedError('MODEL_NOT_FOUND', `model "${id}" is not installed (installed: ${[...this.#packDirs.keys()].join(', ') || 'none'})`);
        return found;
      },
    });
    this.#runner.onProgress((p) => this.#onProgress(p));
  }

  async start(): Promise<void> {
    await mkdir(this.uploadsDir, { recursive: true });
    await mkdir(this.#previewsDir, { recursive: true });
    await mkdir(this.#runner.thumbnails.dir, { recursive: true });
    this.allowList.allowDir(this.#runner.thumbnails.dir);
    this.allowList.allowDir(this.#previewsDir);
    await this.#refreshPacks();
    await this.#runner.recover();
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
    if (this.#closed || this.#runner.running) return;
    const hasWork = this.#runner.queue.jobs({ unfinished: true }).some((j) => !j.paused && this.#runner.queue.items(j.id).some((i) => i.state === 'queued'));
    if (!hasWork) return;
    this.#runner.run().then(
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
    const added: { path: string; sizeBytes: number }[] = [];
    const rejected = expanded.problems.map((p) => ({ path: p.path, reason: p.reason }));
    for (const file of expanded.files) {
      const why = await notAnImage(file).catch((err: unknown) => (err as Error).message);
      if (why) {
        rejected.push({ path: file, reason: why });
        continue;
      }
      const info = await stat(file);
      await allowFileAndTarget(this.allowList, file);
      added.push({ path: file, sizeBytes: info.size });
    }
    return { added, rejected };
  }

  async checkJob(paths: string[], settings: RestoreSettings) {
    // The same expansion as jobs:start (enqueue): the page passes the files inputs:add returned.
    const { files } = await expandInputs(paths, { recursive: false, cwd: os.homedir(), skipSuffix: settings.suffix });
    const tooLarge = await findTooLarge(files, toJobSettings(settings), probeImage);
    return { tooLarge, formats: formatsForAll(tooLarge) };
  }

  async startJob(paths: string[], settings: RestoreSettings, force: boolean, fallbackFormat?: OutputFormat) {
    if (!this.#packDirs.has(settings.modelId)) await this.#refreshPacks();
    if (!this.#packDirs.has(settings.modelId)) throw new CodedError('MODEL_NOT_FOUND', `model "${settings.modelId}" is not installed`);
    const skipDone = this.#settings.get().queue.skipDone;
    const { maxInputMegapixels } = this.#settings.get().queue;
    const jobSettings = {
      ...toJobSettings(settings),
      ...(fallbackFormat ? { fallbackFormat } : {}),
      // The app-wide input limit travels with the job (a resumed batch keeps the limit it was started with).
      ...(maxInputMegapixels * 1e6 !== DEFAULT_MAX_INPUT_PIXELS ? { maxMegapixels: maxInputMegapixels } : {}),
    };
    const r = await enqueue(this.#runner.queue, jobSettings, paths, { force: force || !skipDone, cwd: os.homedir(), probe: probeImage });
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
    const itemIds = this.#runner.queue.items(r.job.id).map((i) => i.id);
    this.#emit('queue', { reason: 'added' });
    this.#kick();
    return { jobId: r.job.id, itemIds, skipped: r.problems.map((p) => ({ path: p.path, reason: p.reason })) };
  }

  async queue() {
    const q = this.#runner.queue;
    const items: CoreItem[] = [];
    const jobs: BatchProgress[] = [];
    for (const job of q.jobs()) {
      const records = q.items(job.id);
      if (!records.length) continue;
      for (const r of records) {
        const item = toCoreItem(r);
        const entry = r.state === 'done' || r.state === 'failed' ? this.#runner.library.forItem(r.id) : null;
        if (entry) item.libraryId = entry.id;
        await this.#allowIfImage(item.source);
        if (item.output && item.state === 'done') this.allowList.allowFile(item.output);
        items.push(item);
      }
      jobs.push(this.#batchOf(job.id, job.paused, records));
    }
    return { items, jobs };
  }

  /** The job's batch progress: the runner's latest report (it has the ETA), corrected by the current counts. */
  #batchOf(jobId: number, paused: boolean, records: ItemRecord[]): BatchProgress {
    const counts = this.#runner.queue.counts(jobId);
    const last = this.#batches.get(jobId);
    const finished = records.filter((r) => isTerminal(r.state)).length;
    const unfinished = counts.queued + counts.running > 0;
    return {
      kind: 'batch',
      jobId,
      counts,
      paused,
      fraction: counts.total ? Math.max(finished / counts.total, unfinished ? (last?.fraction ?? 0) : 1) : 0,
      elapsedMs: last?.elapsedMs ?? 0,
      etaMs: unfinished ? (last?.etaMs ?? null) : 0,
      megapixelsPerSecond: last?.megapixelsPerSecond ?? null,
    };
  }

  async pause(now: boolean) {
    for (const job of this.#runner.queue.jobs({ unfinished: true })) this.#runner.pause(job.id, { now });
    this.#emit('queue', { reason: 'paused' });
  }

  async resume() {
    for (const job of this.#runner.queue.jobs({ unfinished: true })) if (job.paused) this.#runner.resume(job.id);
    this.#emit('queue', { reason: 'resumed' });
    this.#kick();
  }

  async cancel(itemId?: number) {
    if (itemId === undefined) {
      for (const job of this.#runner.queue.jobs({ unfinished: true })) this.#runner.cancel(job.id);
    } else {
      this.#item(itemId);
      this.#runner.cancelItem(itemId);
    }
    this.#emit('queue', { reason: 'cancelled' });
  }

  async remove(itemIds: number[]) {
    for (const id of itemIds) {
      const item = this.#item(id);
      if (item.state === 'queued' || item.state === 'running') {
        this.#runner.cancelItem(id);
        // A running item is stopped by killing the engine; until that is recorded it is still running and the
        // queue refuses to remove it.
        await this.#runner.whenSettled(id);
      }
      this.#runner.remove(id);
    }
    this.#emit('queue', { reason: 'removed' });
  }

  #item(id: number): ItemRecord {
    try {
      return this.#runner.queue.item(id);
    } catch (err) {
      throw new CodedError('NOT_FOUND', (err as Error).message);
    }
  }

  // ---- library ------------------------------------------------------------------------------------------------

  async libraryList(q: LibraryQueryParsed) {
    const rows = this.#runner.library.search({
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
    await this.#allowIfImage(e.source);
    if (e.output && e.status === 'done') this.allowList.allowFile(e.output);
  }

  /** Puts a source on the allow-list if it is an image (queue and library rows may name anything the user typed). */
  async #allowIfImage(file: string): Promise<void> {
    let ok = this.#imageCheck.get(file);
    if (ok === undefined) {
      ok = (await notAnImage(file).catch(() => 'unreadable')) === null;
      this.#imageCheck.set(file, ok);
    }
    if (ok) this.allowList.allowFile(file);
  }

  async libraryGet(id: number) {
    try {
      const e = toLibraryEntry(this.#runner.library.get(id));
      await this.#allowEntry(e);
      return e;
    } catch (err) {
      throw new CodedError('NOT_FOUND', (err as Error).message);
    }
  }

  async libraryRerun(id: number, settings: RestoreSettings) {
    await this.libraryGet(id);
    if (!this.#packDirs.has(settings.modelId)) await this.#refreshPacks();
    const job = rerun(this.#runner.library, this.#runner.queue, id, toJobSettings(settings));
    const itemIds = this.#runner.queue.items(job.id).map((i) => i.id);
    this.#emit('queue', { reason: 'added' });
    this.#kick();
    return { jobId: job.id, itemIds };
  }

  async libraryRemove(id: number, deleteOutput: boolean) {
    const entry = await this.libraryGet(id);
    await removeEntry(this.#runner.library, this.#runner.thumbnails, id, { deleteOutput });
    if (deleteOutput && entry.output) this.allowList.forgetFile(entry.output);
  }

  // ---- models -------------------------------------------------------------------------------------------------

  async #refreshPacks(): Promise<InstalledPack[]> {
    const { packs } = await this.#registry.list();
    this.#packDirs.clear();
    for (const p of packs) if (!this.#packDirs.has(p.id)) this.#packDirs.set(p.id, p.dir);
    return packs;
  }

  #modelInfo(p: InstalledPack): ModelInfo {
    const m = p.manifest;
    const defaults = this.#settings.get().enhance;
    const pxPerMs = this.#runner.queue.throughput(m.id, defaults.scale, null) ?? this.#runner.queue.throughput(m.id, m.scale, null);
    return {
      id: m.id,
      name: m.name,
      version: m.version,
      description: m.description,
      kind: m.kind,
      scale: m.scale,
      speed: m.speed,
      sizeBytes: m.files.reduce((a, f) => a + f.size, 0),
      licence: { id: m.licence.id, summary: m.licence.summary, ...(m.licence.url ? { url: m.licence.url } : {}) },
      source: m.provenance.source,
      builtIn: path.resolve(p.root) === path.resolve(bundledModelsDir()),
      // px/ms → seconds per megapixel: 1e6 px / (px/ms) / 1000 ms/s.
      secondsPerMegapixel: pxPerMs && pxPerMs > 0 ? 1000 / pxPerMs : null,
    };
  }

  async models() {
    return (await this.#refreshPacks()).map((p) => this.#modelInfo(p));
  }

  async addModel(source: ModelSource, installId: string) {
    const from = source.kind === 'folder' ? source.path : source.url;
    try {
      const r = await installPack(from, modelsDirIn(this.#dir), {
        onProgress: (p) => this.#emit('model-install', { installId, phase: p.phase, receivedBytes: p.done, totalBytes: p.total }),
      });
      this.#emit('model-install', { installId, phase: 'done', receivedBytes: 0, totalBytes: null });
      const packs = await this.#refreshPacks();
      const pack = packs.find((p) => p.id === r.id);
      return pack ? this.#modelInfo(pack) : null;
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'INSTALL_FAILED';
      this.#emit('model-install', { installId, phase: 'failed', receivedBytes: 0, totalBytes: null, error: { code, message: (err as Error).message } });
      throw err;
    }
  }

  async #pack(id: string): Promise<InstalledPack> {
    const pack = (await this.#refreshPacks()).find((p) => p.id === id);
    if (!pack) throw new CodedError('NOT_FOUND', `model "${id}" is not installed`);
    return pack;
  }

  async verifyModel(id: string) {
    const pack = await this.#pack(id);
    const r = await verifyPackFiles(pack.dir, pack.manifest);
    return { ok: r.ok, problems: r.problems.map((p) => `${p.path}: ${p.reason}`) };
  }

  async removeModel(id: string) {
    const pack = await this.#pack(id);
    if (this.#modelInfo(pack).builtIn) throw new CodedError('NOT_ALLOWED', `"${id}" ships with Revive and cannot be removed`);
    await removePack(id, modelsDirIn(this.#dir));
    await this.#refreshPacks();
  }

  // ---- settings, preview, device ------------------------------------------------------------------------------

  async getSettings() {
    return fromSettings(this.#settings.get());
  }

  async setSettings(patch: SettingsPatch) {
    try {
      return fromSettings(this.#settings.set(toSettingsPatch(patch, this.#settings.get())));
    } catch (err) {
      throw new CodedError('INVALID_SETTINGS', (err as Error).message);
    }
  }

  async previewRegion(source: string, rect: { x: number; y: number; width: number; height: number }, settings: RestoreSettings) {
    if (!this.allowList.isAllowed(source)) throw new CodedError('NOT_ALLOWED', `${source} was not added as an input`);
    const pack = await this.#pack(settings.modelId);
    // A second engine process: the batch's engine may be busy with a long photo, and a preview must not wait for it.
    this.#previewHost ??= new EngineHost();
    return previewRegion(this.#previewHost, this.#previewsDir, source, rect, pack.dir, settings);
  }

  async deviceInfo(): Promise<DeviceInfo> {
    const cpus = os.cpus();
    // The host process does not load onnxruntime (only the engine does); the provider that last ran tells the truth.
    const last = this.#runner.library.recent(1)[0]?.device ?? null;
    const provider = last === 'cuda' || last === 'dml' || last === 'coreml' ? last : 'cpu';
    const labels = { cpu: 'CPU', cuda: 'CUDA GPU', dml: 'DirectML GPU', coreml: 'Core ML' } as const;
    return {
      label: labels[provider],
      provider,
      available: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
      cpuModel: cpus[0]?.model.trim() ?? 'unknown CPU',
      cpuCores: Math.max(1, cpus.length),
      memoryBytes: os.totalmem(),
      warnings: last === null ? ['The device is confirmed when the first photo runs.'] : [],
    };
  }

  async close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#runner.stop();
    await Promise.all([this.#host.close(), this.#previewHost?.close()]);
    await this.#runner.idle();
    this.#events.removeAllListeners();
    this.#lock.release();
    this.#store.close();
  }
}
