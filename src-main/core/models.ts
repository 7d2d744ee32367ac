/**
 * The model packs as the interface sees them: listed with their facts and measured speed, installed from a folder or
 * a URL into the data folder (with progress events), verified, removed (never one that ships with the app).
 */
import path from 'node:path';
import type { EventPayload, ModelInfo } from '../../src-preload/contract';
import type { QueueStore } from '../jobs/queue-store';
import { installPack, removePack } from '../models/install';
import { bundledModelsDir } from '../models/pack-roots';
import { verifyPackFiles, type InstalledPack } from '../models/registry';
import { CodedError } from '../pixels/coded-error';
import { modelsDirIn } from '../store/data-dir';
import type { InstalledPacks } from './open';
import type { ModelSource } from './port';

/**
 * The pack's entry. `pxPerMs` is the throughput the queue measured for it (input pixels per millisecond), or null
 * before it has run here.
 */
export function toModelInfo(p: InstalledPack, pxPerMs: number | null): ModelInfo {
  const m = p.manifest;
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
    builtIn: isBuiltIn(p),
    // px/ms → seconds per megapixel: 1e6 px / (px/ms) / 1000 ms/s.
    secondsPerMegapixel: pxPerMs && pxPerMs > 0 ? 1000 / pxPerMs : null,
    ...(m.kind === 'pixel-sr' && m.model.macsPerInputPixel ? { macsPerInputPixel: m.model.macsPerInputPixel } : {}),
  };
}

/** Whether the pack ships with the app (it cannot be removed). */
export function isBuiltIn(p: InstalledPack): boolean {
  return path.resolve(p.root) === path.resolve(bundledModelsDir());
}

export interface ModelCatalogOptions {
  dataDir: string;
  packs: InstalledPacks;
  /** Where measured speeds are remembered. */
  queue: QueueStore;
  /** The scale new jobs use by default (the speed shown is the one measured at it, when there is one). */
  defaultScale: () => number;
  onInstallProgress: (p: EventPayload<'model:install-progress'>) => void;
}

export class ModelCatalog {
  readonly #o: ModelCatalogOptions;

  constructor(options: ModelCatalogOptions) {
    this.#o = options;
  }

  #info(p: InstalledPack): ModelInfo {
    const { queue } = this.#o;
    const m = p.manifest;
    return toModelInfo(p, queue.throughput(m.id, this.#o.defaultScale(), null) ?? queue.throughput(m.id, m.scale, null));
  }

  async list(): Promise<ModelInfo[]> {
    return (await this.#o.packs.refresh()).map((p) => this.#info(p));
  }

  /** Installs a pack; progress goes to `onInstallProgress` tagged with `installId`. Resolves with the installed pack's entry. */
  async add(source: ModelSource, installId: string): Promise<ModelInfo | null> {
    const from = source.kind === 'folder' ? source.path : source.url;
    const report = this.#o.onInstallProgress;
    try {
      const r = await installPack(from, modelsDirIn(this.#o.dataDir), {
        onProgress: (p) => report({ installId, phase: p.phase, receivedBytes: p.done, totalBytes: p.total }),
      });
      report({ installId, phase: 'done', receivedBytes: 0, totalBytes: null });
      const pack = (await this.#o.packs.refresh()).find((p) => p.id === r.id);
      return pack ? this.#info(pack) : null;
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'INSTALL_FAILED';
      report({ installId, phase: 'failed', receivedBytes: 0, totalBytes: null, error: { code, message: (err as Error).message } });
      throw err;
    }
  }

  /** The installed pack with this id, listed afresh. @throws NOT_FOUND */
  async pack(id: string): Promise<InstalledPack> {
    const pack = (await this.#o.packs.refresh()).find((p) => p.id === id);
    if (!pack) throw new CodedError('NOT_FOUND', `model "${id}" is not installed`);
    return pack;
  }

  async verify(id: string): Promise<{ ok: boolean; problems: string[] }> {
    const pack = await this.pack(id);
    const r = await verifyPackFiles(pack.dir, pack.manifest);
    return { ok: r.ok, problems: r.problems.map((p) => `${p.path}: ${p.reason}`) };
  }

  async remove(id: string): Promise<void> {
    const pack = await this.pack(id);
    if (isBuiltIn(pack)) throw new CodedError('NOT_ALLOWED', `"${id}" ships with Revive and cannot be removed`);
    await removePack(id, modelsDirIn(this.#o.dataDir));
    await this.#o.packs.refresh();
  }
}
