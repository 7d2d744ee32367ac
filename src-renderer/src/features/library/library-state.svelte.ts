/** The history library: search and filters, the result page, and actions on entries. */
import type { LibraryEntry, RestoreSettings } from '../../../../src-preload/contract';
import type { HostApi } from '../../lib/api/host';

export type StatusFilter = 'all' | 'done' | 'failed';

export class LibraryState {
  #entries = $state<LibraryEntry[]>([]);
  #total = $state(0);
  #text = $state('');
  #status = $state<StatusFilter>('all');
  #modelId = $state<string | null>(null);
  #loading = $state(false);
  #loaded = $state(false);
  #generation = 0;
  readonly #api: HostApi;
  readonly #report: (err: unknown) => void;

  constructor(api: HostApi, report: (err: unknown) => void) {
    this.#api = api;
    this.#report = report;
  }

  get entries(): readonly LibraryEntry[] {
    return this.#entries;
  }
  get total(): number {
    return this.#total;
  }
  get text(): string {
    return this.#text;
  }
  get status(): StatusFilter {
    return this.#status;
  }
  get modelId(): string | null {
    return this.#modelId;
  }
  get loading(): boolean {
    return this.#loading;
  }
  /** True after the first answer (distinguishes "empty library" from "not asked yet"). */
  get loaded(): boolean {
    return this.#loaded;
  }
  get filtered(): boolean {
    return this.#text !== '' || this.#status !== 'all' || this.#modelId !== null;
  }

  async setFilters(f: { text?: string; status?: StatusFilter; modelId?: string | null }): Promise<void> {
    if (f.text !== undefined) this.#text = f.text;
    if (f.status !== undefined) this.#status = f.status;
    if (f.modelId !== undefined) this.#modelId = f.modelId;
    await this.load();
  }

  async load(): Promise<void> {
    // Typing fires a request per key; only the newest answer may land.
    const generation = ++this.#generation;
    this.#loading = true;
    try {
      const query: Parameters<HostApi['libraryList']>[0] = { text: this.#text, status: this.#status, limit: 200 };
      if (this.#modelId) query.modelId = this.#modelId;
      const r = await this.#api.libraryList(query);
      if (generation !== this.#generation) return;
      this.#entries = r.entries;
      this.#total = r.total;
      this.#loaded = true;
    } catch (err) {
      this.#report(err);
    } finally {
      if (generation === this.#generation) this.#loading = false;
    }
  }

  async rerun(entry: LibraryEntry, settings: RestoreSettings): Promise<boolean> {
    try {
      await this.#api.libraryRerun({ id: entry.id, settings });
      return true;
    } catch (err) {
      this.#report(err);
      return false;
    }
  }

  /** Shows the result (or, for `which: 'source'` or an entry without one, the original) in the file manager. */
  async reveal(entry: LibraryEntry, which?: 'output' | 'source'): Promise<void> {
    try {
      await this.#api.libraryReveal({ id: entry.id, which: which ?? (entry.output ? 'output' : 'source') });
    } catch (err) {
      this.#report(err);
    }
  }

  async remove(entry: LibraryEntry, deleteOutput = false): Promise<void> {
    try {
      await this.#api.libraryRemove({ id: entry.id, deleteOutput });
    } catch (err) {
      this.#report(err);
    }
    await this.load();
  }

  reset(): void {
    this.#entries = [];
    this.#total = 0;
    this.#text = '';
    this.#status = 'all';
    this.#modelId = null;
    this.#loaded = false;
  }
}
