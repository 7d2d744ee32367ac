/**
 * A fake {@link Engine} for the job runner's state-machine tests. It follows the real engine's contract — writes the
 * output atomically (temp file + rename), reports progress, rejects at once when aborted without writing — but
 * instead of running a model it copies the input. Calls can be held open (`hold`) so a test can act while an item
 * is "running".
 */
import { copyFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { AbortedError } from '../../src-main/pixels/types';
import type { Engine, EnhanceCallOptions, EnhanceJob, EnhanceResult } from '../../src-main/jobs/engine';

interface Pending {
  job: EnhanceJob;
  release: () => void;
}

export class FakeEngine implements Engine {
  readonly calls: EnhanceJob[] = [];
  /** Inputs (absolute paths) whose calls fail with this message. */
  readonly failures = new Map<string, string>();
  /** Inputs (absolute paths) whose results report these face boxes, as a faces stage would. */
  readonly faces = new Map<string, NonNullable<EnhanceResult['faces']>>();
  #held = false;
  readonly #pending: Pending[] = [];
  readonly #waiters: ((p: Pending) => void)[] = [];
  disposed = 0;

  /** From now on, each call waits for {@link release} (or an abort) before finishing. */
  hold(): void {
    this.#held = true;
  }

  /** Stops holding and lets every waiting call finish. */
  releaseAll(): void {
    this.#held = false;
    for (const p of this.#pending.splice(0)) p.release();
  }

  /** Resolves with the next call that starts (or one already waiting). */
  nextStarted(): Promise<EnhanceJob> {
    const p = this.#pending.shift();
    if (p) {
      this.#pending.unshift(p);
      return Promise.resolve(p.job);
    }
    return new Promise((resolve) => this.#waiters.push((q) => resolve(q.job)));
  }

  async enhance(job: EnhanceJob, options: EnhanceCallOptions): Promise<EnhanceResult> {
    this.calls.push(job);
    const { signal } = options;
    if (signal?.aborted) throw new AbortedError();
    options.onProgress?.({ stage: 'decode', done: 1, total: 1 });
    options.onProgress?.({ stage: 'upscale', done: 1, total: 2 });
    if (this.#held) {
      await new Promise<void>((resolve, reject) => {
        const pending: Pending = {
          job,
          release: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = (): void => {
          const i = this.#pending.indexOf(pending);
          if (i >= 0) this.#pending.splice(i, 1);
          reject(new AbortedError());
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.#pending.push(pending);
        this.#waiters.splice(0).forEach((w) => w(pending));
      });
    } else {
      await new Promise((r) => setImmediate(r));
    }
    if (signal?.aborted) throw new AbortedError();
    const failure = this.failures.get(job.input);
    if (failure) throw new Error(failure);
    options.onProgress?.({ stage: 'upscale', done: 2, total: 2 });
    const temp = path.join(path.dirname(job.output), `.revive-tmp-fake-${path.basename(job.output)}`);
    try {
      await copyFile(job.input, temp);
      await rename(temp, job.output);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
    const faces = this.faces.get(job.input);
    return { id: job.id ?? 'fake', width: 8, height: 8, ms: 1, provider: 'fake', warnings: [], ...(faces ? { faces } : {}) };
  }

  async dispose(): Promise<void> {
    this.disposed++;
  }
}
