/**
 * What the job runner needs from an engine: one image at a time, with progress and cancellation, and an explicit
 * dispose. engine/host.ts's EngineHost satisfies it (a child process that decodes, runs the model and encodes, writing
 * the output atomically); tests use fakes that follow the same rules. The request and result are the host's own
 * types ({@link EnhanceJob}, {@link EnhanceResult}), so there is one definition of each.
 *
 * Contract the runner relies on:
 * - `enhance` writes `req.output` atomically (temp file + rename) or not at all;
 * - aborting `signal` stops the work promptly (the host kills its child), removes temp files and rejects;
 * - a failure rejects with an Error whose message is the one-line reason shown to the user; the next call works
 *   again (a dead child is restarted).
 */
import type { EngineHost, EnhanceCallbacks, EnhanceJob, EnhanceResult } from '../engine/host';

export type { EnhanceJob, EnhanceResult } from '../engine/host';

/** What the runner passes with each image: progress, warnings and cancellation. */
export type EnhanceCallOptions = Pick<EnhanceCallbacks, 'onProgress' | 'onWarning' | 'signal'>;

/** A time estimate from the engine for the image it is running (diffusion on the CPU), with that image's input. */
export type EstimateListener = (input: string, estimate: { ms: number; basis: string }) => void;

export interface Engine {
  enhance(job: EnhanceJob, options: EnhanceCallOptions): Promise<EnhanceResult>;
  /** Ends the engine (the process exits); a later enhance call may start it again. */
  dispose(): Promise<void>;
}

/**
 * The real engine: an {@link EngineHost} seen through the runner's interface. `onEstimate` receives the engine's time
 * estimates, which the runner itself has no use for (the CLI prints them).
 */
export function engineFromHost(host: EngineHost, onEstimate?: EstimateListener): Engine {
  return {
    enhance: (job, options) => host.enhance(job, onEstimate ? { ...options, onEstimate: (e) => onEstimate(job.input, e) } : options),
    dispose: () => host.close(),
  };
}
