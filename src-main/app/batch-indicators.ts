/**
 * What the operating system shows while a batch runs: progress on the taskbar / Dock icon, sleep held off
 * (`prevent-app-suspension`: the screen may still turn off), and a notification when the queue empties.
 * Driven by the core's progress events; the Electron pieces are passed in, so the logic is tested with fakes.
 */
import type { BatchProgress, JobProgress } from '../jobs/progress';

export interface IndicatorPorts {
  /** `win.setProgressBar`: 0–1, or -1 to remove. */
  setProgress(fraction: number): void;
  /** `powerSaveBlocker.start('prevent-app-suspension')`; returns its id. */
  preventSleep(): number;
  /** `powerSaveBlocker.stop(id)`. */
  allowSleep(id: number): void;
  /** Shows a system notification. */
  notify(title: string, body: string): void;
}

/** Tracks per-job batch progress and drives the ports. Returns the listener to attach to the core. */
export function createBatchIndicators(ports: IndicatorPorts): { onProgress(p: JobProgress): void; dispose(): void } {
  const jobs = new Map<number, BatchProgress>();
  let blocker: number | null = null;
  let active = false;

  function update(): void {
    let total = 0;
    let weighted = 0;
    let unfinished = 0;
    for (const j of jobs.values()) {
      total += j.counts.total;
      weighted += j.fraction * j.counts.total;
      if (!j.paused) unfinished += j.counts.queued + j.counts.running;
    }
    const nowActive = unfinished > 0;
    if (nowActive) {
      ports.setProgress(total ? weighted / total : 0);
      blocker ??= ports.preventSleep();
    } else {
      ports.setProgress(-1);
      if (blocker !== null) ports.allowSleep(blocker);
      blocker = null;
      if (active) {
        let done = 0;
        let failed = 0;
        for (const j of jobs.values()) {
          done += j.counts.done;
          failed += j.counts.failed;
        }
        ports.notify('Revive: batch finished', `${done} photo${done === 1 ? '' : 's'} restored${failed ? `, ${failed} failed` : ''}.`);
        jobs.clear();
      }
    }
    active = nowActive;
  }

  return {
    onProgress(p) {
      if (p.kind !== 'batch') return;
      jobs.set(p.jobId, p);
      update();
    },
    dispose() {
      if (blocker !== null) ports.allowSleep(blocker);
      blocker = null;
    },
  };
}
