/**
 * Translation between the interface's contract and the core's own shapes: restore settings ⇄ job settings, the
 * settings sections, queue items and library rows. It happens here and only here, so either side can change its
 * vocabulary without the other noticing.
 */
import type { AppSettings, BatchProgress, RestoreSettings } from '../../src-preload/contract';
import type { BatchProgress as CoreBatch } from '../jobs/progress';
import type { ItemRecord } from '../jobs/queue-store';
import { isTerminal } from '../jobs/state';
import type { LibraryEntry as CoreLibraryRow } from '../library/library-store';
import type { JobSettings } from '../settings/job-settings';
import { namePatternProblem } from '../settings/name-pattern';
import type { Settings, SettingsPatch as CoreSettingsPatch } from '../settings';
import type { CoreItem, CoreLibraryEntry, SettingsPatch } from './port';

/** The interface's quality when a job snapshot has none (formats without a quality setting). */
const DEFAULT_QUALITY = 92;

/** Contract settings → the core's job settings snapshot. */
export function toJobSettings(s: RestoreSettings): JobSettings {
  return {
    model: s.modelId,
    scale: s.scale,
    format: s.format,
    quality: s.quality,
    suffix: s.suffix,
    ...(s.namePattern !== undefined ? { namePattern: s.namePattern } : {}),
    outputDir: s.output.kind === 'folder' ? s.output.dir : null,
    overwrite: false,
    provider: s.device,
    threads: s.threads ?? 0,
    ...(s.tile ? { tile: s.tile } : {}),
    promptMode: s.promptMode,
    prompt: s.prompt,
    colorFix: s.colorFix,
    strength: s.strength,
    // Left out at their defaults, so settings keys of results made before these options existed still match.
    ...(s.metadata !== 'all' ? { metadata: s.metadata } : {}),
    ...(s.keepFileTimes ? { keepFileTimes: true } : {}),
    ...(s.repair ? { repair: s.repair } : {}),
    ...(s.faces === 'auto' && s.facePack ? { faces: 'auto' as const, facePack: s.facePack, ...(s.faceFidelity !== undefined ? { faceFidelity: s.faceFidelity } : {}) } : {}),
    ...colorizeFields(s),
  };
}

/** The colour stage's fields, the same on both sides of the contract; left out when it is off. */
function colorizeFields(s: Pick<RestoreSettings, 'colorize' | 'colorizePack' | 'colorizeStrength'>): Pick<RestoreSettings, 'colorize' | 'colorizePack' | 'colorizeStrength'> {
  if ((s.colorize !== 'auto' && s.colorize !== 'on') || !s.colorizePack) return {};
  return { colorize: s.colorize, colorizePack: s.colorizePack, ...(s.colorizeStrength !== undefined ? { colorizeStrength: s.colorizeStrength } : {}) };
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
    ...(j.namePattern !== undefined ? { namePattern: j.namePattern } : {}),
    promptMode: j.promptMode ?? 'tags',
    prompt: j.prompt ?? '',
    colorFix: j.colorFix ?? 'adain',
    strength: j.strength ?? 1,
    device: j.provider,
    metadata: j.metadata ?? 'all',
    keepFileTimes: j.keepFileTimes ?? false,
    ...(j.threads ? { threads: j.threads } : {}),
    ...(j.tile ? { tile: j.tile } : {}),
    ...(j.repair ? { repair: j.repair } : {}),
    ...(j.faces === 'auto' && j.facePack ? { faces: 'auto' as const, facePack: j.facePack, ...(j.faceFidelity !== undefined ? { faceFidelity: j.faceFidelity } : {}) } : {}),
    ...colorizeFields(j),
  };
}

/** The core's settings → the contract's. */
export function fromSettings(s: Settings): AppSettings {
  return {
    defaults: fromJobSettings(s.enhance),
    recursive: s.queue.recursive,
    skipDone: s.queue.skipDone,
    theme: s.appearance.theme,
    maxInputMegapixels: s.queue.maxInputMegapixels,
  };
}

/**
 * A defaults change that sets the suffix but not the pattern names results "{name}<suffix>" from then on: the pattern
 * would otherwise win and the suffix do nothing. (A suffix no pattern can say literally, with braces, leaves it.)
 */
function withSuffixAsPattern(d: Partial<RestoreSettings>): Partial<RestoreSettings> {
  if (d.suffix === undefined || d.namePattern !== undefined) return d;
  const pattern = `{name}${d.suffix}`;
  return namePatternProblem(pattern) === null ? { ...d, namePattern: pattern } : d;
}

/** A contract settings patch → the core's sections. */
export function toSettingsPatch(p: SettingsPatch, current: Settings): CoreSettingsPatch {
  const out: CoreSettingsPatch = {};
  if (p.defaults) out.enhance = toJobSettings({ ...fromJobSettings(current.enhance), ...withSuffixAsPattern(p.defaults) });
  if (p.recursive !== undefined || p.skipDone !== undefined || p.maxInputMegapixels !== undefined) {
    out.queue = {
      ...(p.recursive !== undefined ? { recursive: p.recursive } : {}),
      ...(p.skipDone !== undefined ? { skipDone: p.skipDone } : {}),
      ...(p.maxInputMegapixels !== undefined ? { maxInputMegapixels: p.maxInputMegapixels } : {}),
    };
  }
  if (p.theme !== undefined) out.appearance = { theme: p.theme };
  return out;
}

/** A queue item → the interface's item (a done item's output is its planned one until the real path is recorded). */
export function toCoreItem(r: ItemRecord): CoreItem {
  const item: CoreItem = { id: r.id, jobId: r.jobId, source: r.sourcePath, state: r.state, progress: r.state === 'done' ? 1 : 0 };
  const output = r.outputPath ?? (r.state === 'done' ? r.plannedOutput : null);
  if (output) item.output = output;
  if (r.error) item.error = { code: r.state === 'cancelled' ? 'CANCELLED' : 'FAILED', message: r.error };
  return item;
}

/** A library row → the interface's entry (the thumbnail shown is the result's, else the original's). */
export function toLibraryEntry(e: CoreLibraryRow): CoreLibraryEntry {
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
    ...(e.faces ? { faces: e.faces } : {}),
    repairMaskPath: e.repairMask,
  };
}

/**
 * A job's batch progress for a queue listing: the runner's latest report `last` (it has the ETA), corrected by the
 * current counts (the report may predate a cancel or a removal).
 */
export function toBatchProgress(jobId: number, counts: CoreBatch['counts'], paused: boolean, records: readonly ItemRecord[], last: CoreBatch | undefined): BatchProgress {
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
