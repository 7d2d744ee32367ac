/**
 * Editing a result's repair mask in the compare view: whether the overlay shows, the brush or eraser and its size,
 * the strokes painted so far (in the original photo's pixels, as the core paints them), undo, and "Repair again",
 * which sends the strokes — never a file — and waits for the new result.
 */
import type { LibraryEntry, MaskStroke } from '../../../../src-preload/contract';
import type { HostApi } from '../../lib/api/host';

export type MaskTool = 'paint' | 'erase';

/** The contract's limits: numbers a stroke, strokes a request (src-preload/payloads.ts). */
const MAX_STROKE_NUMBERS = 4000;
export const MAX_STROKES = 200;
export const MIN_RADIUS = 1;
export const MAX_RADIUS = 200;

export class MaskEditState {
  #show = $state(false);
  #tool = $state<MaskTool | null>(null);
  #radius = $state(12);
  #strokes = $state.raw<MaskStroke[]>([]);
  #busy = $state(false);
  /** The stroke being drawn (already in `#strokes`, its points grow). */
  #drawing: MaskStroke | null = null;
  /** Bumped whenever a stroke changes, so the overlay repaints. */
  #version = $state(0);
  #unsubscribe: (() => void) | null = null;
  readonly #api: HostApi;
  readonly #report: (err: unknown) => void;

  constructor(api: HostApi, report: (err: unknown) => void) {
    this.#api = api;
    this.#report = report;
  }

  get show(): boolean {
    return this.#show;
  }
  /** The active tool; null lets the pointer pan and zoom the picture as usual. */
  get tool(): MaskTool | null {
    return this.#tool;
  }
  /** Brush radius in the original photo's pixels. */
  get radius(): number {
    return this.#radius;
  }
  get strokes(): readonly MaskStroke[] {
    return this.#strokes;
  }
  get version(): number {
    return this.#version;
  }
  /** True from "Repair again" until its result is shown (or failed). */
  get busy(): boolean {
    return this.#busy;
  }
  get canUndo(): boolean {
    return this.#strokes.length > 0 && !this.#busy;
  }

  setShow(on: boolean): void {
    this.#show = on;
    if (!on) this.#tool = null;
  }

  /** Picks a tool (showing the mask, which is what it edits); picking the active one puts it down. */
  setTool(tool: MaskTool | null): void {
    this.#tool = this.#tool === tool ? null : tool;
    if (this.#tool) this.#show = true;
  }

  setRadius(r: number): void {
    this.#radius = Math.min(MAX_RADIUS, Math.max(MIN_RADIUS, Math.round(r)));
  }

  /** Starts a stroke at a photo pixel; false when no tool is active or the request could hold no more strokes. */
  begin(x: number, y: number): boolean {
    if (!this.#tool || this.#busy || this.#strokes.length >= MAX_STROKES) return false;
    this.#drawing = { tool: this.#tool, radius: this.#radius, points: [x, y] };
    this.#strokes = [...this.#strokes, this.#drawing];
    this.#version++;
    return true;
  }

  /** Continues the stroke; a long one carries on as a new stroke where it reaches the contract's length. */
  extend(x: number, y: number): void {
    const s = this.#drawing;
    if (!s) return;
    const n = s.points.length;
    // Sub-pixel moves add nothing to a mask but length.
    if (Math.hypot(x - s.points[n - 2]!, y - s.points[n - 1]!) < 0.5) return;
    if (n + 2 > MAX_STROKE_NUMBERS) {
      const [px, py] = [s.points[n - 2]!, s.points[n - 1]!];
      if (!this.begin(px, py)) return this.end();
      this.#drawing!.points.push(x, y);
    } else s.points.push(x, y);
    this.#version++;
  }

  end(): void {
    this.#drawing = null;
  }

  /** Takes back the last stroke. */
  undo(): void {
    if (!this.canUndo) return;
    this.#drawing = null;
    this.#strokes = this.#strokes.slice(0, -1);
    this.#version++;
  }

  /**
   * Sends the strokes for library entry `libraryId` and queues the photo again with the edited mask; once the new
   * result is done, `onResult` receives its library entry. Errors are reported; the strokes stay for another try.
   */
  async repairAgain(libraryId: number, onResult: (entry: LibraryEntry) => void): Promise<void> {
    if (!this.#strokes.length || this.#busy) return;
    this.#busy = true;
    try {
      const r = await this.#api.libraryRepairAgain({ id: libraryId, strokes: this.#strokes.map((s) => ({ ...s, points: [...s.points] })) });
      this.#watch(r.itemIds[0]!, onResult);
    } catch (err) {
      this.#busy = false;
      this.#report(err);
    }
  }

  /** Waits for item `itemId` to finish, then finds its library entry. */
  #watch(itemId: number, onResult: (entry: LibraryEntry) => void): void {
    this.#unsubscribe?.();
    this.#unsubscribe = this.#api.on('job:progress', (p) => {
      if (p.kind !== 'item' || p.itemId !== itemId || (p.state !== 'done' && p.state !== 'failed' && p.state !== 'cancelled')) return;
      this.#unsubscribe?.();
      this.#unsubscribe = null;
      if (p.state !== 'done') {
        this.#busy = false;
        if (p.state === 'failed') this.#report(Object.assign(new Error(p.error ?? 'the repair failed'), { code: p.code ?? 'FAILED' }));
        return;
      }
      void this.#found(itemId, onResult);
    });
  }

  async #found(itemId: number, onResult: (entry: LibraryEntry) => void): Promise<void> {
    try {
      const item = (await this.#api.jobsList()).items.find((i) => i.id === itemId);
      const name = item?.name ?? '';
      const entry = item?.libraryId === undefined ? undefined : (await this.#api.libraryList({ text: name, status: 'done', limit: 200 })).entries.find((e) => e.id === item.libraryId);
      if (!entry) throw new Error(`the repaired result of ${name || `item ${itemId}`} is not in the library`);
      this.#strokes = [];
      this.#version++;
      onResult(entry);
    } catch (err) {
      this.#report(err);
    } finally {
      this.#busy = false;
    }
  }

  /** A new result is shown: its own mask, no strokes, tools down (the overlay stays as the user left it). */
  reset(): void {
    this.#strokes = [];
    this.#drawing = null;
    this.#tool = null;
    this.#version++;
  }

  dispose(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }
}
