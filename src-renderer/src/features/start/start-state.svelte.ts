/**
 * The start screen: photos chosen but not yet queued, and starting a job with them. Photos arrive as host paths
 * (Electron: dropped files' paths, the native dialog; browser: typed host paths) or as `File`s the browser uploads.
 */
import type { Res, RestoreSettings } from '../../../../src-preload/contract';
import type { HostApi } from '../../lib/api/host';
import { scaleFor } from '../../../../src-preload/contract';

export interface PendingInput {
  path: string;
  name: string;
  url: string;
  sizeBytes: number;
  /** Known once the thumbnail loaded (drives the time estimate). */
  width: number | null;
  height: number | null;
}

/** A file refused when added: its name (never an internal upload path), the catalogue's code and the detail. */
export interface Refused {
  path: string;
  name: string;
  reason: string;
  code: string;
}

const baseName = (p: string): string => p.split(/[\\/]/).pop() || p;
const refused = (r: { path: string; reason: string; code?: string }): Refused => ({ path: r.path, name: baseName(r.path), reason: r.reason, code: r.code ?? 'NOT_AN_IMAGE' });

/** What `jobs:check` found: results too large for the chosen format, and the formats that would hold them all. */
export type SizeCheck = Res<'jobs:check'>;
type Format = SizeCheck['formats'][number];

/** A start waiting for the user's answer: which format to write the too-large results in. */
export interface TooLargeQuestion {
  check: SizeCheck;
  settings: RestoreSettings;
}

export class StartState {
  #inputs = $state<PendingInput[]>([]);
  #question = $state<TooLargeQuestion | null>(null);
  #rejected = $state<Refused[]>([]);
  #busy = $state<string | null>(null);
  /** A scale the person chose while these photos were waiting: it wins over the large-photo default. */
  #pickedScale = $state<RestoreSettings['scale'] | null>(null);
  readonly #api: HostApi;
  readonly #report: (err: unknown) => void;

  constructor(api: HostApi, report: (err: unknown) => void) {
    this.#api = api;
    this.#report = report;
  }

  get inputs(): readonly PendingInput[] {
    return this.#inputs;
  }
  get rejected(): readonly Refused[] {
    return this.#rejected;
  }
  /** What is in progress ("Uploading 2 of 5…"), or null. */
  get busy(): string | null {
    return this.#busy;
  }
  /** Total input megapixels of the photos whose size is known, and how many are still unknown. */
  get megapixels(): { known: number; unknown: number } {
    let known = 0;
    let unknown = 0;
    for (const i of this.#inputs) {
      if (i.width && i.height) known += (i.width * i.height) / 1e6;
      else unknown += 1;
    }
    return { known, unknown };
  }

  /** The largest waiting photo, in megapixels (0 while no size is known). */
  get largestMegapixels(): number {
    let max = 0;
    for (const i of this.#inputs) if (i.width && i.height) max = Math.max(max, (i.width * i.height) / 1e6);
    return max;
  }

  /** Remembers that the person chose this scale for the waiting photos. */
  pickScale(scale: RestoreSettings['scale']): void {
    this.#pickedScale = scale;
  }

  /**
   * The settings this batch runs with: the defaults, except that photos already large (≥ 12 MP) get at most 2×
   * unless the person chose a scale for them — never a silent 4× of a 24 MP photo.
   */
  effective(defaults: RestoreSettings): RestoreSettings {
    const scale = this.#pickedScale ?? scaleFor(this.largestMegapixels, defaults.scale, false);
    return scale === defaults.scale ? defaults : { ...defaults, scale };
  }

  /** Adds host paths (files or folders). */
  async addPaths(paths: string[], recursive = false): Promise<void> {
    if (!paths.length) return;
    try {
      const r = await this.#api.inputsAdd({ paths, recursive });
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local, never kept or mutated
      const known = new Set(this.#inputs.map((i) => i.path));
      const fresh = r.added.filter((a) => !known.has(a.path)).map((a) => ({ ...a, width: a.width ?? null, height: a.height ?? null }));
      this.#inputs = [...this.#inputs, ...fresh];
      this.#rejected = r.rejected.map(refused);
    } catch (err) {
      this.#report(err);
    }
  }

  /** Adds dropped, pasted or picked files: by their path in Electron, by uploading them in a browser. */
  async addFiles(files: File[], recursive = false): Promise<void> {
    if (!files.length) return;
    const api = this.#api;
    try {
      if (api.pathForFile) {
        await this.addPaths(files.map((f) => api.pathForFile!(f)), recursive);
      } else if (api.upload) {
        this.#busy = `Uploading 0 of ${files.length}…`;
        const paths = await api.upload(files, (done, total) => {
          this.#busy = `Uploading ${done} of ${total}…`;
        });
        await this.addPaths(paths);
      } else {
        throw new Error('this host cannot receive files');
      }
    } catch (err) {
      this.#report(err);
    } finally {
      this.#busy = null;
    }
  }

  /** Files the browser's dialog let through that are not photos: listed as refused, never dropped in silence. */
  refuseFiles(files: readonly File[]): void {
    this.#rejected = files.map((f) => ({ path: f.name, name: f.name, code: 'NOT_AN_IMAGE', reason: `${f.type || 'unknown type'}, ${f.size} bytes` }));
  }

  /** Electron's native "Add photos…" dialog. */
  async pick(folders: boolean, recursive: boolean): Promise<void> {
    try {
      const r = await this.#api.inputsPick({ folders });
      await this.addPaths(r.paths, recursive);
    } catch (err) {
      this.#report(err);
    }
  }

  setDimensions(path: string, width: number, height: number): void {
    const input = this.#inputs.find((i) => i.path === path);
    if (input && width > 0 && height > 0) {
      input.width = width;
      input.height = height;
    }
  }

  remove(path: string): void {
    this.#inputs = this.#inputs.filter((i) => i.path !== path);
    if (!this.#inputs.length) this.#pickedScale = null;
  }

  /** Set while the user is asked which format to write results too large for the chosen one in. */
  get question(): TooLargeQuestion | null {
    return this.#question;
  }

  /**
   * Queues every pending photo with `settings`; returns true when the job was created. When some results would be too
   * large for the chosen format, nothing is queued yet: {@link question} is set, and {@link answer} finishes the start.
   */
  async start(settings: RestoreSettings): Promise<boolean> {
    if (!this.#inputs.length) return false;
    // Every header is read (about 1 ms a photo, measured): say so for a large batch rather than look stuck.
    this.#busy = `Checking ${this.#inputs.length.toLocaleString()} photo${this.#inputs.length === 1 ? '' : 's'}…`;
    try {
      const check = await this.#api.jobsCheck({ paths: this.#inputs.map((i) => i.path), settings });
      if (check.tooLarge.length) {
        if (!check.formats.length) throw new Error(`${check.tooLarge.length === 1 ? 'a result' : 'some results'} would be too large for every format; choose a smaller scale`);
        this.#question = { check, settings };
        return false;
      }
      return await this.#queue(settings);
    } catch (err) {
      this.#report(err);
      return false;
    } finally {
      this.#busy = null;
    }
  }

  /** The user's answer to {@link question}: a format for the too-large results (true once queued), or null to go back. */
  async answer(format: Format | null): Promise<boolean> {
    const q = this.#question;
    this.#question = null;
    if (!q || format === null) return false;
    try {
      return await this.#queue(q.settings, format);
    } catch (err) {
      this.#report(err);
      return false;
    }
  }

  async #queue(settings: RestoreSettings, fallbackFormat?: Format): Promise<boolean> {
    const r = await this.#api.jobsStart({ paths: this.#inputs.map((i) => i.path), settings, ...(fallbackFormat ? { fallbackFormat } : {}) });
    this.#inputs = [];
    this.#pickedScale = null;
    this.#rejected = r.skipped.map(refused);
    return true;
  }

  reset(): void {
    this.#question = null;
    this.#inputs = [];
    this.#rejected = [];
    this.#busy = null;
    this.#pickedScale = null;
  }
}
