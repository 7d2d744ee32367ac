/**
 * What the job runner needs from an engine: one image at a time, with progress and cancellation, and an explicit
 * dispose. engine/host.ts's EngineHost satisfies it (a child process that decodes, runs the model and encodes, writing
 * the output atomically); tests use fakes that follow the same rules.
 *
 * Contract the runner relies on:
 * - `enhance` writes `req.output` atomically (temp file + rename) or not at all;
 * - aborting `signal` stops the work promptly (the host kills its child), removes temp files and rejects;
 * - a failure rejects with an Error whose message is the one-line reason shown to the user; the next call works
 *   again (a dead child is restarted).
 */
import type { StageProgress } from '../pixels/types';
import type { DoneEvent } from '../engine/protocol';
import type { EnhanceJob as HostEnhanceJob } from '../engine/enhance-job';
import type { EngineHost } from '../engine/host';

/** One image's request as the runner gives it (the engine assigns the request id). */
export type EnhanceJob = Omit<HostEnhanceJob, 'type' | 'id'>;

/** What a finished image reports: its written size, the engine's time and the provider that ran. */
export type EnhanceResult = Omit<DoneEvent, 'type' | 'id'>;

export interface EnhanceCallOptions {
  onProgress?: (p: StageProgress) => void;
  /** Non-fatal notes from the engine (provider fallback, smaller tiles after running out of memory). */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

export interface Engine {
  enhance(job: EnhanceJob, options: EnhanceCallOptions): Promise<EnhanceResult>;
  /** Ends the engine (the process exits); a later enhance call may start it again. */
  dispose(): Promise<void>;
}

/** The real engine: an {@link EngineHost} seen through the runner's interface. */
export function engineFromHost(host: EngineHost): Engine {
  return {
    enhance: (job, options) => host.enhance(job, options),
    dispose: () => host.close(),
  };
}
