/**
 * What the queue's header and rows say, decided from the counts (pure, tested on its own): the truth about a pause
 * that waits for the running photo, a bar that is full only when everything succeeded, and a row that names its
 * model, scale and output.
 */
import type { QueueItem } from '../../../../src-preload/contract';
import type { OverallProgress } from './queue-state.svelte';

/** The header's status line; `pausing` while a pause waits for the photo being restored. */
export function queueStatus(o: OverallProgress, etaText: (ms: number) => string): { text: string; pausing: boolean } {
  const active = o.queued + o.running > 0;
  if (!active) return { text: '', pausing: false };
  if (o.paused && o.running > 0) return { text: 'Pausing after this photo…', pausing: true };
  if (o.paused) return { text: 'Paused', pausing: false };
  return { text: o.etaMs === null ? 'Estimating time left…' : `About ${etaText(o.etaMs)} left`, pausing: false };
}

/**
 * The overall bar: while work runs, the weighted fraction; once it stopped, the share that succeeded — a batch with
 * failed or cancelled photos never shows as a full bar — and its tone.
 */
export function overallBar(o: OverallProgress): { value: number; tone: 'accent' | 'ok' | 'danger' | 'muted' } {
  if (o.queued + o.running > 0) return { value: o.fraction, tone: 'accent' };
  if (!o.total) return { value: 0, tone: 'muted' };
  const value = o.done / o.total;
  return { value, tone: o.failed ? 'danger' : value < 1 ? 'muted' : 'ok' };
}

/** "Real-ESRGAN x4 plus · 2× → leaf_revive.jpg" for a row. */
export function rowFacts(item: QueueItem, modelName: (id: string) => string | undefined): string {
  const parts: string[] = [];
  if (item.modelId) parts.push(modelName(item.modelId) ?? item.modelId);
  if (item.scale) parts.push(`${item.scale}×`);
  const out = item.output?.split(/[\\/]/).pop();
  return out ? `${parts.join(' · ')} → ${out}` : parts.join(' · ');
}
