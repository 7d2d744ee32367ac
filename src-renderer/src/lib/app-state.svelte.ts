/**
 * The interface's root state: which screen shows, notices (errors and confirmations), and the feature states.
 * Created once with the host API (`window.revive`); tests create it with a fake. `dispose()` unsubscribes events.
 */
import type { HostApi } from './api/host';
import { explain, withoutUploadPaths } from '../../../src-preload/contract';
import { SettingsState } from './settings-state.svelte';
import { FolderChooser } from './folder-chooser.svelte';
import { StartState } from '../features/start/start-state.svelte';
import { QueueState } from '../features/queue/queue-state.svelte';
import { CompareState } from '../features/compare/compare-state.svelte';
import { LibraryState } from '../features/library/library-state.svelte';
import { ModelsState } from '../features/models/models-state.svelte';

const INFO_NOTICE_MS = 6000;

export const SCREENS = ['start', 'queue', 'compare', 'library', 'models', 'settings'] as const;
export type Screen = (typeof SCREENS)[number];

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  /** The sentence for a person (from the one catalogue, src-preload/messages.ts). */
  message: string;
  /** What they can do about it, when the catalogue knows. */
  hint?: string;
  /** The technical text behind "Details" (internal upload paths removed). */
  detail?: string;
  code?: string;
}

/** Something thrown by an API call: its code and the core's technical text. */
export function describeError(err: unknown): { message: string; code?: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? { message: err.message, code } : { message: err.message };
  }
  return { message: String(err) };
}

export class AppState {
  readonly api: HostApi;
  readonly settings: SettingsState;
  readonly start: StartState;
  readonly queue: QueueState;
  readonly compare: CompareState;
  readonly library: LibraryState;
  readonly models: ModelsState;
  /** Where results go: the system dialog in the app, a host-folder browser in a browser. */
  readonly folders: FolderChooser;
  #screen = $state<Screen>('start');
  #notices = $state<Notice[]>([]);
  #ready = $state(false);
  #host = $state<'electron' | 'bridge' | null>(null);
  #nextNotice = 1;
  #unsubscribe: (() => void)[] = [];

  constructor(api: HostApi) {
    this.api = api;
    const report = (err: unknown): void => this.reportError(err);
    this.settings = new SettingsState(api, report);
    this.start = new StartState(api, report);
    this.queue = new QueueState(api, report);
    this.compare = new CompareState(api, report);
    this.library = new LibraryState(api, report);
    this.models = new ModelsState(api, report);
    this.folders = new FolderChooser(api, () => this.#host, report);
  }

  get screen(): Screen {
    return this.#screen;
  }
  get notices(): readonly Notice[] {
    return this.#notices;
  }
  /** True once the first data arrived (the E2E test measures time to this). */
  get ready(): boolean {
    return this.#ready;
  }
  get host(): 'electron' | 'bridge' | null {
    return this.#host;
  }

  go(screen: Screen): void {
    this.#screen = screen;
  }

  /** Shows a notice; one already showing with the same words is not repeated (a batch fails many alike). */
  notify(kind: Notice['kind'], message: string, code?: string, extra: { hint?: string | null; detail?: string } = {}): void {
    if (this.#notices.some((n) => n.kind === kind && n.message === message && n.detail === extra.detail)) return;
    const notice: Notice = { id: this.#nextNotice++, kind, message };
    if (code) notice.code = code;
    if (extra.hint) notice.hint = extra.hint;
    if (extra.detail) notice.detail = extra.detail;
    // Keep the last few: a failing batch of hundreds must not bury the screen.
    this.#notices = [...this.#notices.slice(-4), notice];
    // Confirmations fade on their own; errors stay until dismissed.
    if (kind === 'info') setTimeout(() => this.dismiss(notice.id), INFO_NOTICE_MS);
  }

  dismiss(id: number): void {
    this.#notices = this.#notices.filter((n) => n.id !== id);
  }

  /** An error as the catalogue's sentence, the core's text kept behind "Details". */
  reportError(err: unknown, context?: string): void {
    const { message, code } = describeError(err);
    const e = explain(code, message);
    this.notify('error', e.text, code, { hint: e.hint, detail: context ? `${context}: ${e.detail}` : e.detail });
  }

  /** Loads everything the first screen needs and subscribes to the core's events. */
  async init(): Promise<void> {
    this.#unsubscribe.push(
      this.api.on('job:progress', (p) => {
        // A failed photo already says why on its row: a warning about its thumbnail would only repeat it.
        if (p.kind === 'warning') {
          if (!this.queue.hasFailed(p.itemId)) this.notify('info', withoutUploadPaths(p.message));
        } else this.queue.applyProgress(p);
      }),
      this.api.on('queue:changed', (e) => {
        this.queue.scheduleRefresh();
        // A finished batch has measured this device's speed: the model picker's estimates can now be given.
        if (e.reason === 'finished') this.models.load().catch((err: unknown) => this.reportError(err));
      }),
      this.api.on('app:error', (e) => this.reportError(Object.assign(new Error(e.message), { code: e.code }), e.context)),
      this.api.on('model:install-progress', (p) => this.models.applyInstallProgress(p)),
    );
    try {
      const info = await this.api.appInfo();
      this.#host = info.host;
      await Promise.all([this.settings.load(), this.models.load(), this.queue.refresh()]);
    } catch (err) {
      this.reportError(err);
    } finally {
      this.#ready = true;
    }
  }

  /**
   * Opens what a link names: `#compare?before=URL&after=URL&title=T` shows two images the host already allows (a
   * notification's "show result", tests). Unknown links are ignored.
   */
  openLink(hash: string): void {
    const m = /^#(\w+)(?:\?(.*))?$/.exec(hash);
    if (!m) return;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- parsed once and read at once, never kept
    const params = new URLSearchParams(m[2] ?? '');
    if (m[1] === 'compare') {
      const before = params.get('before');
      const after = params.get('after');
      if (!before || !after) return;
      this.compare.open({ title: params.get('title') ?? 'Comparison', beforeUrl: before, afterUrl: after, sourcePath: params.get('source') ?? '' });
      this.go('compare');
    } else if ((SCREENS as readonly string[]).includes(m[1]!)) {
      this.go(m[1] as Screen);
    }
  }

  dispose(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.queue.dispose();
  }
}
