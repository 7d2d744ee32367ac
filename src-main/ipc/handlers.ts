/**
 * One handler per contract channel, over the core port. Handlers receive parsed, typed requests and return contract
 * shapes; the only work here is translation — paths become the host's image URLs — and host capabilities (dialogs,
 * reveal) that exist only in Electron.
 */
import path from 'node:path';
import { ERROR_CODES, type LibraryEntry, type QueueItem } from '../../src-preload/contract';
import { CodedError } from '../pixels/coded-error';
import { checkRemotePackUrl } from '../models/url-policy';
import type { CoreItem, CoreLibraryEntry, ReviveCore } from '../core/port';
import type { CallContext, Handlers } from './dispatch';

/** The contract's queue item for a core item, with this host's URLs. */
export function presentItem(item: CoreItem, ctx: CallContext): QueueItem {
  const out: QueueItem = {
    id: item.id,
    jobId: item.jobId,
    source: item.source,
    name: path.basename(item.source),
    sourceUrl: ctx.imageUrl(item.source),
    state: item.state,
    progress: item.progress,
  };
  if (item.stage !== undefined) out.stage = item.stage;
  if (item.error) out.error = item.error;
  if (item.libraryId !== undefined) out.libraryId = item.libraryId;
  if (item.modelId !== undefined) out.modelId = item.modelId;
  if (item.scale !== undefined) out.scale = item.scale;
  if (item.output) {
    out.output = item.output;
    if (item.state === 'done') {
      out.outputUrl = ctx.imageUrl(item.output);
      const download = ctx.downloadUrl(item.output);
      if (download) out.downloadUrl = download;
    }
  }
  return out;
}

/** The contract's library entry for a core entry, with this host's URLs. */
export function presentEntry(entry: CoreLibraryEntry, ctx: CallContext): LibraryEntry {
  const { thumbPath, repairMaskPath, ...rest } = entry;
  const out: LibraryEntry = {
    ...rest,
    ...(repairMaskPath ? { repairMaskUrl: ctx.imageUrl(repairMaskPath) } : {}),
    name: path.basename(entry.source),
    sourceUrl: ctx.imageUrl(entry.source),
    outputUrl: entry.output && entry.status === 'done' ? ctx.imageUrl(entry.output) : null,
    thumbUrl: thumbPath ? ctx.imageUrl(thumbPath) : null,
  };
  const download = entry.output && entry.status === 'done' ? ctx.downloadUrl(entry.output) : undefined;
  if (download) out.downloadUrl = download;
  return out;
}

let installCounter = 0;

/** Builds the handler table for one core. `hostInfo` names the app and the platform the page runs against. */
export function createHandlers(core: ReviveCore, hostInfo: { name: string; platform: string }): Handlers {
  return {
    'app:info': (_req, ctx) => ({
      name: hostInfo.name,
      version: core.version,
      host: ctx.host,
      platform: hostInfo.platform,
      uploadUrl: ctx.upload?.url ?? null,
    }),
    'inputs:add': async (req, ctx) => {
      const r = await core.addInputs(req.paths, req.recursive);
      return {
        added: r.added.map((a) => ({ ...a, name: path.basename(a.path), url: ctx.imageUrl(a.path) })),
        rejected: r.rejected,
      };
    },
    'inputs:pick': async (req, ctx) => {
      if (!ctx.pickPaths) throw new CodedError(ERROR_CODES.unsupported, 'the file dialog exists only in the desktop app; upload files instead');
      return { paths: await ctx.pickPaths(req.folders) };
    },
    'jobs:check': async (req) => {
      const r = await core.checkJob(req.paths, req.settings);
      return {
        tooLarge: r.tooLarge.map((t) => ({ path: t.path, name: path.basename(t.path), outWidth: t.outWidth, outHeight: t.outHeight, format: t.format, maxSide: t.maxSide })),
        formats: r.formats,
      };
    },
    'jobs:start': (req) => core.startJob(req.paths, req.settings, req.force, req.fallbackFormat),
    'jobs:list': async (_req, ctx) => {
      const q = await core.queue();
      return { items: q.items.map((i) => presentItem(i, ctx)), jobs: q.jobs };
    },
    'jobs:pause': async (req) => {
      await core.pause(req.now);
      return { ok: true };
    },
    'jobs:resume': async () => {
      await core.resume();
      return { ok: true };
    },
    'jobs:cancel': async (req) => {
      await core.cancel(req.itemId, req.waiting);
      return { ok: true };
    },
    'jobs:remove': async (req) => {
      await core.remove(req.itemIds);
      return { ok: true };
    },
    'library:list': async (req, ctx) => {
      const r = await core.libraryList(req);
      return { entries: r.entries.map((e) => presentEntry(e, ctx)), total: r.total };
    },
    'library:rerun': (req) => core.libraryRerun(req.id, req.settings),
    'library:reveal': async (req, ctx) => {
      if (!ctx.reveal) throw new CodedError(ERROR_CODES.unsupported, 'revealing files exists only in the desktop app; use download instead');
      const entry = await core.libraryGet(req.id);
      const file = req.which === 'output' ? entry.output : entry.source;
      if (!file) throw new CodedError(ERROR_CODES.notFound, `library entry ${req.id} has no ${req.which} file`);
      ctx.reveal(file);
      return { ok: true };
    },
    'library:repair-again': (req) => core.libraryRepairAgain(req.id, req.strokes),
    'library:remove': async (req) => {
      await core.libraryRemove(req.id, req.deleteOutput);
      return { ok: true };
    },
    'models:list': async () => ({ models: await core.models() }),
    'models:add': async (req, ctx) => {
      // Only the app's own window is trusted with local-network URLs (the user typed them); see models/url-policy.ts.
      if (ctx.host !== 'electron' && req.source.kind === 'url') await checkRemotePackUrl(req.source.url);
      installCounter += 1;
      const installId = `install-${Date.now().toString(36)}-${installCounter}`;
      return { installId, model: await core.addModel(req.source, installId) };
    },
    'models:verify': (req) => core.verifyModel(req.id),
    'models:remove': async (req) => {
      await core.removeModel(req.id);
      return { ok: true };
    },
    'settings:get': () => core.getSettings(),
    'settings:set': (req) => core.setSettings(req.patch),
    'preview:region': async (req, ctx) => {
      const r = await core.previewRegion(req.path, req.rect, req.settings);
      return { beforeUrl: ctx.imageUrl(r.before), afterUrl: ctx.imageUrl(r.after), width: r.width, height: r.height, ms: r.ms };
    },
    'device:info': () => core.deviceInfo(),
    'folders:list': (req) => core.listFolders(req.dir),
    'folders:pick': async (req, ctx) => {
      if (!ctx.pickFolder) throw new CodedError(ERROR_CODES.unsupported, 'the folder dialog exists only in the desktop app; browse the host folders instead');
      return { dir: await ctx.pickFolder(req.title) };
    },
    'shell:integration': async (req, ctx) => {
      if (!ctx.shellIntegration) throw new CodedError(ERROR_CODES.unsupported, 'the file-manager integration exists only in the desktop app');
      return req.enabled === undefined ? ctx.shellIntegration.state() : ctx.shellIntegration.set(req.enabled);
    },
  };
}
