/** Issue 13 point 5: queue states that say the truth. */
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import QueueRow from '../../src-renderer/src/features/queue/QueueRow.svelte';
import { overallBar, queueStatus, rowFacts } from '../../src-renderer/src/features/queue/queue-words';
import type { OverallProgress } from '../../src-renderer/src/features/queue/queue-state.svelte';
import { item } from './fake-api';

const o = (patch: Partial<OverallProgress>): OverallProgress => ({
  total: 4,
  done: 0,
  failed: 0,
  cancelled: 0,
  running: 0,
  queued: 0,
  fraction: 0,
  etaMs: null,
  paused: false,
  ...patch,
});
const eta = (ms: number): string => `${ms / 1000} s`;

describe('queue status', () => {
  it('says "Pausing after this photo…" while the running photo finishes, and Paused once nothing runs', () => {
    expect(queueStatus(o({ running: 1, queued: 3, paused: true }), eta)).toEqual({ text: 'Pausing after this photo…', pausing: true });
    expect(queueStatus(o({ queued: 3, paused: true }), eta)).toEqual({ text: 'Paused', pausing: false });
    expect(queueStatus(o({ running: 1, queued: 3, etaMs: 5000 }), eta).text).toBe('About 5 s left');
    expect(queueStatus(o({ done: 4 }), eta).text).toBe('');
  });

  it('never shows a batch with failed or cancelled photos as a full bar', () => {
    // Every item finished, so the weighted fraction is 1 — but only 2 of 4 succeeded.
    expect(overallBar(o({ done: 2, failed: 1, cancelled: 1, fraction: 1 }))).toEqual({ value: 0.5, tone: 'danger' });
    expect(overallBar(o({ done: 3, cancelled: 1, fraction: 1 }))).toEqual({ value: 0.75, tone: 'muted' });
    expect(overallBar(o({ done: 4, fraction: 1 }))).toEqual({ value: 1, tone: 'ok' });
    expect(overallBar(o({ running: 1, queued: 3, fraction: 0.1 }))).toEqual({ value: 0.1, tone: 'accent' });
  });

  it('tells re-runs apart by model, scale and output name', () => {
    const names = (id: string): string | undefined => ({ 'realesrgan-x4plus': 'Real-ESRGAN x4 plus' })[id];
    expect(rowFacts(item(1, { modelId: 'realesrgan-x4plus', scale: 2, output: '/p/leaf_revive-1.jpg' }), names)).toBe('Real-ESRGAN x4 plus · 2× → leaf_revive-1.jpg');
    expect(rowFacts(item(2, { modelId: 'other', scale: 4 }), names)).toBe('other · 4×');
  });

  it('shows a cancelled row in grey words, with no progress bar', () => {
    render(QueueRow, { item: item(1, { state: 'cancelled', progress: 1 }), onCancel: () => undefined, onRemove: () => undefined, onCompare: () => undefined });
    expect(screen.getByText('Cancelled — no result was written')).toBeTruthy();
    expect(screen.queryByRole('progressbar')).toBeNull();
  });
});
