/**
 * Choosing the folder results go to. In the desktop app that is the system's folder dialog (`folders:pick`); in a
 * browser it is a small folder browser over the host folders `revive serve` may write to (`folders:list`), shown by
 * FolderPicker.svelte while {@link FolderChooser.open} is true. Either way the caller gets an existing folder or null
 * (cancelled) — never an empty or half-typed path.
 */
import type { Res } from '../../../src-preload/contract';
import type { HostApi } from './api/host';

export type FolderListing = Res<'folders:list'>;

export class FolderChooser {
  #open = $state(false);
  #listing = $state<FolderListing | null>(null);
  #resolve: ((dir: string | null) => void) | null = null;
  readonly #api: HostApi;
  readonly #host: () => 'electron' | 'bridge' | null;
  readonly #report: (err: unknown) => void;

  constructor(api: HostApi, host: () => 'electron' | 'bridge' | null, report: (err: unknown) => void) {
    this.#api = api;
    this.#host = host;
    this.#report = report;
  }

  /** Whether the browser's folder browser is showing. */
  get open(): boolean {
    return this.#open;
  }
  get listing(): FolderListing | null {
    return this.#listing;
  }

  /** Asks for a folder; resolves with it, or null when the person cancelled (or the host failed, reported). */
  async ask(title?: string): Promise<string | null> {
    if (this.#host() === 'electron') {
      try {
        return (await this.#api.foldersPick(title ? { title } : {})).dir;
      } catch (err) {
        this.#report(err);
        return null;
      }
    }
    this.#resolve?.(null);
    const answer = new Promise<string | null>((resolve) => (this.#resolve = resolve));
    this.#open = true;
    await this.browse(undefined);
    return answer;
  }

  /** Shows the sub-folders of `dir` (the roots when undefined). */
  async browse(dir: string | undefined): Promise<void> {
    try {
      this.#listing = await this.#api.foldersList(dir === undefined ? {} : { dir });
    } catch (err) {
      this.#report(err);
    }
  }

  /** One level up: the parent inside the roots, else the list of roots. */
  async up(): Promise<void> {
    await this.browse(this.#listing?.parent ?? undefined);
  }

  /** Takes the folder being shown (a root list cannot be chosen). */
  accept(): void {
    const dir = this.#listing?.dir;
    if (dir) this.#finish(dir);
  }

  cancel(): void {
    this.#finish(null);
  }

  #finish(dir: string | null): void {
    const resolve = this.#resolve;
    this.#resolve = null;
    this.#open = false;
    this.#listing = null;
    resolve?.(dir);
  }
}
