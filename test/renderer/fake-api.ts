/** A scripted `window.revive` for renderer tests: records calls, answers from handlers, emits events on demand. */
import { vi } from 'vitest';
import type { EventName, EventPayload, QueueItem, Res, RestoreSettings } from '../../src-preload/contract';
import type { HostApi } from '../../src-renderer/src/lib/api/host';

export const SETTINGS: RestoreSettings = {
  modelId: 'realesrgan-x4fast',
  scale: 4,
  format: 'same',
  quality: 92,
  output: { kind: 'beside' },
  suffix: '_revive',
  promptMode: 'tags',
  prompt: '',
  colorFix: 'adain',
  strength: 1,
  device: 'auto',
  metadata: 'all',
  keepFileTimes: false,
};

export function item(id: number, patch: Partial<QueueItem> = {}): QueueItem {
  return { id, jobId: 1, source: `/photos/p${id}.jpg`, name: `p${id}.jpg`, sourceUrl: `/img/p${id}`, state: 'queued', progress: 0, ...patch };
}

export function fakeApi(overrides: Partial<HostApi> = {}) {
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  const api = {
    appInfo: vi.fn(async () => ({ name: 'Revive', version: '0', host: 'bridge' as const, platform: 'linux', uploadUrl: '/upload' })),
    inputsAdd: vi.fn(async (req: { paths: string[] }) => ({
      added: req.paths.map((p) => ({ path: p, name: p.split('/').pop()!, url: `/img${p}`, sizeBytes: 1000 })),
      rejected: [],
    })),
    inputsPick: vi.fn(async () => ({ paths: [] })),
    jobsCheck: vi.fn(async (_req: unknown) => ({ tooLarge: [] as Res<'jobs:check'>['tooLarge'], formats: [] as Res<'jobs:check'>['formats'] })),
    jobsStart: vi.fn(async (_req: unknown) => ({ jobId: 1, itemIds: [1], skipped: [] })),
    jobsList: vi.fn(async () => ({ items: [] as QueueItem[], jobs: [] })),
    jobsPause: vi.fn(async () => ({ ok: true as const })),
    jobsResume: vi.fn(async () => ({ ok: true as const })),
    jobsCancel: vi.fn(async () => ({ ok: true as const })),
    jobsRemove: vi.fn(async () => ({ ok: true as const })),
    libraryList: vi.fn(async () => ({ entries: [], total: 0 })),
    libraryRerun: vi.fn(async () => ({ jobId: 2, itemIds: [2] })),
    libraryReveal: vi.fn(async () => ({ ok: true as const })),
    libraryRemove: vi.fn(async () => ({ ok: true as const })),
    libraryRepairAgain: vi.fn(async (_req: unknown) => ({ jobId: 3, itemIds: [3] })),
    modelsList: vi.fn(async () => ({
      models: [
        {
          id: 'realesrgan-x4fast',
          name: 'Real-ESRGAN x4 fast',
          version: '1',
          description: '',
          kind: 'pixel-sr' as const,
          scale: 4,
          speed: 'fast' as const,
          sizeBytes: 4_900_000,
          licence: { id: 'BSD-3-Clause', summary: 'free' },
          source: 'test',
          builtIn: true,
          secondsPerMegapixel: 2,
        },
      ],
    })),
    modelsAdd: vi.fn(async () => ({ installId: 'i1', model: null })),
    modelsVerify: vi.fn(async () => ({ ok: true, problems: [] })),
    modelsRemove: vi.fn(async () => ({ ok: true as const })),
    settingsGet: vi.fn(async () => ({ defaults: SETTINGS, recursive: true, skipDone: true, theme: 'system' as const })),
    settingsSet: vi.fn(async (req: { patch: { defaults?: Partial<RestoreSettings> } }) => ({
      defaults: { ...SETTINGS, ...req.patch.defaults },
      recursive: true,
      skipDone: true,
      theme: 'system' as const,
    })),
    previewRegion: vi.fn(async () => ({ beforeUrl: '/img/b', afterUrl: '/img/a', width: 64, height: 64, ms: 10 })),
    foldersList: vi.fn(async (req: { dir?: string }) =>
      req.dir === undefined
        ? { dir: null, parent: null, folders: [{ name: '/home/me', path: '/home/me' }] }
        : { dir: req.dir, parent: req.dir === '/home/me' ? null : '/home/me', folders: [{ name: 'Restored', path: `${req.dir}/Restored` }] },
    ),
    foldersPick: vi.fn(async () => ({ dir: null as string | null })),
    deviceInfo: vi.fn(async () => ({ label: 'CPU', provider: 'cpu' as const, available: ['cpu' as const], cpuModel: 'x', cpuCores: 2, memoryBytes: 1, warnings: [] })),
    on: vi.fn(<E extends EventName>(event: E, listener: (p: EventPayload<E>) => void) => {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (p: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (p: unknown) => void);
    }),
  };
  Object.assign(api, overrides);
  const emit = <E extends EventName>(event: E, payload: EventPayload<E>): void => {
    for (const l of listeners.get(event) ?? []) l(payload);
  };
  return { api: api as typeof api & HostApi, emit, listeners };
}
