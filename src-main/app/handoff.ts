/**
 * Files from the shell ("Enhance with Revive" in Explorer, Finder, Files, Dolphin, Nemo) join the job queue with
 * the user's default settings — once, even if they arrive twice.
 *
 * They do arrive twice: Explorer's `MultiSelectModel=Player` verb starts one process per selected file, each of
 * which forwards its argv to the running instance; a double click on the menu item sends the same file again;
 * on macOS a file may come both in argv and as `open-file`. Paths are compared by their real path (symlinks and,
 * where the OS reports it, case resolved), and a path stays "pending" for a window after it was sent.
 *
 * Pure Node; it talks to the queue through {@link ShellInputSink}, the one method of the jobs core it needs.
 */
import { realpath as fsRealpath } from 'node:fs/promises';

/** The slice of the jobs queue the hand-off needs. `R` is whatever the queue reports back (added/skipped). */
export interface ShellInputSink<S, R> {
  addInputs(paths: string[], settings: S): Promise<R>;
}

export interface ShellHandoffOptions {
  /** How long a sent path counts as pending, so a repeat is ignored. Default {@link DEFAULT_PENDING_WINDOW_MS}. */
  pendingWindowMs?: number;
  /** Clock, injectable for tests. */
  now?: () => number;
  /** Real-path resolver, injectable for tests; defaults to `fs.promises.realpath` (the native one). */
  realpath?: (p: string) => Promise<string>;
}

/**
 * Explorer starts the per-file processes over a few seconds for a large selection; a user who re-runs a photo on
 * purpose does so after seeing a result, which takes longer than this.
 */
export const DEFAULT_PENDING_WINDOW_MS = 30_000;

export interface HandoffResult<R> {
  /** Real paths passed to the queue, in the order given. */
  queued: string[];
  /** Paths not queued because the same real path was sent within the pending window (as given). */
  duplicates: string[];
  /** Paths that could not be resolved (missing, no permission), with the system's message. */
  unreadable: { path: string; reason: string }[];
  /** The queue's own answer, or null when nothing was left to queue. */
  result: R | null;
}

export interface ShellHandoff<S, R> {
  /**
   * Resolves `paths` (absolute, as from the argv parser or `open-file`), drops repeats and pending ones, and adds
   * the rest to the queue with `defaults`. If the queue rejects, the paths stop counting as pending (so a retry
   * works) and the error propagates.
   */
  enqueueFromShell(paths: readonly string[], defaults: S): Promise<HandoffResult<R>>;
}

/** Creates the hand-off in front of a queue. One per app: it remembers what was recently sent. */
export function createShellHandoff<S, R>(sink: ShellInputSink<S, R>, options: ShellHandoffOptions = {}): ShellHandoff<S, R> {
  const windowMs = options.pendingWindowMs ?? DEFAULT_PENDING_WINDOW_MS;
  if (!(windowMs >= 0)) throw new Error(`pendingWindowMs must be >= 0, got ${windowMs}`);
  const now = options.now ?? Date.now;
  const resolveReal = options.realpath ?? ((p: string) => fsRealpath(p));
  /** real path → time it was sent */
  const pending = new Map<string, number>();

  function expire(t: number): void {
    for (const [p, sentAt] of pending) if (t - sentAt >= windowMs) pending.delete(p);
  }

  return {
    async enqueueFromShell(paths, defaults) {
      const resolved = await Promise.all(
        paths.map(async (p): Promise<{ path: string; real: string } | { path: string; reason: string }> => {
          try {
            return { path: p, real: await resolveReal(p) };
          } catch (err) {
            return { path: p, reason: (err as Error).message };
          }
        }),
      );
      // From here to the sink call there is no await, so two hand-offs racing cannot both claim a path.
      const t = now();
      expire(t);
      const queued: string[] = [];
      const duplicates: string[] = [];
      const unreadable: { path: string; reason: string }[] = [];
      for (const r of resolved) {
        if ('reason' in r) unreadable.push({ path: r.path, reason: r.reason });
        else if (pending.has(r.real)) duplicates.push(r.path);
        else {
          pending.set(r.real, t);
          queued.push(r.real);
        }
      }
      if (queued.length === 0) return { queued, duplicates, unreadable, result: null };
      try {
        const result = await sink.addInputs(queued, defaults);
        return { queued, duplicates, unreadable, result };
      } catch (err) {
        for (const p of queued) if (pending.get(p) === t) pending.delete(p);
        throw err;
      }
    },
  };
}
