/**
 * The compare screen: which pair of images is shown, the slider position, the shared zoom/pan, and "preview a
 * region" (restore a crop with the chosen settings before committing to a long run).
 */
import type { RestoreSettings } from '../../../../src-preload/contract';
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
}

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

  open(pair: ComparePair): void {
    this.#pair = pair;
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
    const first = this.#stage.width === 0;
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
    this.#image = null;
    this.#preview = null;
    this.#view = { scale: 1, x: 0, y: 0 };
  }
}
