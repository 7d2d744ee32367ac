/**
 * The compare screen: which pair of images is shown, the slider position, the shared zoom/pan, and "preview a
 * region" (restore a crop with the chosen settings before committing to a long run).
 */
import type { FaceBox, LibraryEntry, RestoreSettings } from '../../../../src-preload/contract';
import type { HostApi } from '../../lib/api/host';
import { fit, oneToOne, pan, zoomByWheel, type Size, type Viewport } from './viewport';

export interface ComparePair {
  title: string;
  beforeUrl: string;
  afterUrl: string;
  /** Host path of the source (for preview-a-region). */
  sourcePath: string;
  /** Library entry, when opened from the library (for re-run). */
  libraryId?: number;
  /** The result's model, scale and size for the toolbar ("Real-ESRGAN x4 fast · 4× · 1280×960"). */
  facts?: string;
  /** Serve mode: the result as a download (Save from compare). */
  downloadUrl?: string;
  /** The faces stage's boxes in the after image's pixels, when it ran. */
  faces?: readonly FaceBox[];
  /** The repair mask the shown result used (white = repaired), for the overlay; absent without repair. */
  maskUrl?: string;
}

/** One image the A/B picker offers: the original, or one library result of the same original. */
export interface CompareChoice {
  label: string;
  url: string;
  libraryId?: number;
  downloadUrl?: string;
  facts?: string;
  faces?: readonly FaceBox[];
  maskUrl?: string;
}

export type CompareMode = 'slider' | 'side';

export interface RegionPreview {
  beforeUrl: string;
  afterUrl: string;
  width: number;
  height: number;
  ms: number;
}

export class CompareState {
  #pair = $state<ComparePair | null>(null);
  #split = $state(0.5);
  #view = $state<Viewport>({ scale: 1, x: 0, y: 0 });
  #image = $state<Size | null>(null);
  #stage = $state<Size>({ width: 0, height: 0 });
  #selecting = $state(false);
  #preview = $state<RegionPreview | null>(null);
  #previewBusy = $state(false);
  #choices = $state<CompareChoice[]>([]);
  #a = $state(0);
  #b = $state(1);
  #mode = $state<CompareMode>('slider');
  #holding = $state(false);
  #original = $state<string | null>(null);
  #showFaces = $state(false);
  /** The stage's usable width changes with the mode: the next stage size fits the picture again. */
  #refit = false;
  #opened = $state(0);
  readonly #api: HostApi;
  readonly #report: (err: unknown) => void;

  constructor(api: HostApi, report: (err: unknown) => void) {
    this.#api = api;
    this.#report = report;
  }

  get pair(): ComparePair | null {
    return this.#pair;
  }
  get split(): number {
    return this.#split;
  }
  get view(): Viewport {
    return this.#view;
  }
  get image(): Size | null {
    return this.#image;
  }
  get selecting(): boolean {
    return this.#selecting;
  }
  get preview(): RegionPreview | null {
    return this.#preview;
  }
  get previewBusy(): boolean {
    return this.#previewBusy;
  }
  /** What the A/B picker offers: the original first, then every finished result of the same original. */
  get choices(): readonly CompareChoice[] {
    return this.#choices;
  }
  get a(): number {
    return this.#a;
  }
  get b(): number {
    return this.#b;
  }
  get mode(): CompareMode {
    return this.#mode;
  }
  /** True while "hold to see the original" is held: the whole stage shows the original. */
  get holding(): boolean {
    return this.#holding;
  }
  /** Counts `open()` calls: the screen asks for the picker's choices once per opened pair. */
  get opened(): number {
    return this.#opened;
  }
  /** The right-hand result's face boxes (empty when it has none, or the original is shown there). */
  get faces(): readonly FaceBox[] {
    return this.#pair?.faces ?? [];
  }
  /** "Show faces" is on (the overlay is drawn only while the shown result has faces). */
  get showFaces(): boolean {
    return this.#showFaces;
  }
  toggleFaces(): void {
    this.#showFaces = !this.#showFaces;
  }
  /** The original's image, whichever two images A and B are. */
  get originalUrl(): string | null {
    return this.#original;
  }

  setMode(mode: CompareMode): void {
    if (mode !== this.#mode) this.#refit = true;
    this.#mode = mode;
  }
  hold(on: boolean): void {
    this.#holding = on;
  }

  /**
   * Offers every finished library result of the open pair's original (the library is searched by the file's name,
   * then only rows of exactly that original are kept). `describe` words a result for the picker and the toolbar.
   */
  async loadChoices(describe: (e: LibraryEntry) => string): Promise<void> {
    const pair = this.#pair;
    if (!pair?.sourcePath) return;
    const name = pair.sourcePath.split(/[\\/]/).pop() ?? '';
    try {
      const r = await this.#api.libraryList({ text: name, status: 'done', limit: 200 });
      if (this.#pair !== pair) return;
      const results = r.entries.filter((e) => e.source === pair.sourcePath && e.outputUrl);
      const shown = this.#choices[this.#b];
      const extra: CompareChoice[] = results
        .filter((e) => e.outputUrl !== shown?.url)
        .map((e) => ({ label: describe(e), url: e.outputUrl!, libraryId: e.id, downloadUrl: e.downloadUrl, facts: describe(e), ...(e.faces ? { faces: e.faces } : {}), ...(e.repairMaskUrl ? { maskUrl: e.repairMaskUrl } : {}) }));
      this.#choices = [...this.#choices, ...extra];
      // A pair opened from the queue knows its library row but not its faces: the row has them.
      const faces = results.find((e) => e.outputUrl === shown?.url)?.faces;
      if (shown && faces && !shown.faces) {
        this.#choices = this.#choices.map((c) => (c === shown ? { ...c, faces } : c));
        if (pair.afterUrl === shown.url) this.#pair = { ...pair, faces };
      }
      // Nor its repair mask.
      const own = results.find((e) => e.id === pair.libraryId && e.repairMaskUrl);
      if (own && !this.#pair?.maskUrl && this.#pair?.afterUrl === pair.afterUrl) {
        this.#pair = { ...this.#pair, maskUrl: own.repairMaskUrl! };
        this.#choices = this.#choices.map((c, i) => (i === this.#b ? { ...c, maskUrl: own.repairMaskUrl! } : c));
      }
    } catch (err) {
      this.#report(err);
    }
  }

  /** Shows choice `index` on side A (left, under the divider) or B (right). */
  choose(side: 'a' | 'b', index: number): void {
    const pair = this.#pair;
    const c = this.#choices[index];
    if (!pair || !c) return;
    if (side === 'a') {
      this.#a = index;
      this.#pair = { ...pair, beforeUrl: c.url };
    } else {
      this.#b = index;
      this.#pair = { ...pair, afterUrl: c.url, facts: c.facts ?? (index === 0 ? 'Original' : ''), libraryId: c.libraryId, downloadUrl: c.downloadUrl, faces: c.faces, maskUrl: c.maskUrl };
    }
  }

  open(pair: ComparePair): void {
    this.#pair = pair;
    this.#original = pair.beforeUrl;
    this.#choices = [
      { label: 'Original', url: pair.beforeUrl },
      { label: pair.facts || 'This result', url: pair.afterUrl, libraryId: pair.libraryId, downloadUrl: pair.downloadUrl, facts: pair.facts, faces: pair.faces, maskUrl: pair.maskUrl },
    ];
    this.#a = 0;
    this.#b = 1;
    this.#holding = false;
    this.#opened += 1;
    this.#image = null;
    this.#preview = null;
    this.#selecting = false;
    this.#split = 0.5;
  }

  setSplit(fraction: number): void {
    this.#split = Math.min(1, Math.max(0, fraction));
  }

  /** Called when the after image has loaded its natural size, and when the stage resizes. */
  setImageSize(size: Size): void {
    this.#image = size;
    this.fit();
  }
  setStageSize(size: Size): void {
    const first = this.#stage.width === 0 || this.#refit;
    this.#refit = false;
    this.#stage = size;
    if (first && this.#image) this.fit();
  }

  fit(): void {
    if (this.#image) this.#view = fit(this.#image, this.#stage);
  }
  oneToOne(at?: { x: number; y: number }): void {
    this.#view = oneToOne(this.#view, this.#stage, at);
  }
  wheel(deltaY: number, at: { x: number; y: number }): void {
    this.#view = zoomByWheel(this.#view, deltaY, at);
  }
  drag(dx: number, dy: number): void {
    if (this.#image) this.#view = pan(this.#view, dx, dy, this.#image, this.#stage);
  }
  zoomStep(direction: 1 | -1): void {
    this.wheel(direction * -160, { x: this.#stage.width / 2, y: this.#stage.height / 2 });
  }

  toggleSelecting(): void {
    this.#selecting = !this.#selecting;
  }

  /**
   * Restores `rect` (source pixels) of the current pair's source with `settings`. The pair's images are results at
   * `scale`× the source, so the caller converts from after-image pixels first.
   */
  async previewRegion(rect: { x: number; y: number; width: number; height: number }, settings: RestoreSettings): Promise<void> {
    const pair = this.#pair;
    if (!pair) return;
    this.#selecting = false;
    this.#previewBusy = true;
    try {
      const r = await this.#api.previewRegion({ path: pair.sourcePath, rect, settings });
      this.#preview = r;
    } catch (err) {
      this.#report(err);
    } finally {
      this.#previewBusy = false;
    }
  }

  closePreview(): void {
    this.#preview = null;
  }

  reset(): void {
    this.#pair = null;
    this.#choices = [];
    this.#original = null;
    this.#holding = false;
    this.#image = null;
    this.#preview = null;
    this.#view = { scale: 1, x: 0, y: 0 };
  }
}
