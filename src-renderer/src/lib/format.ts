/** Formatting for the interface: sizes, durations, percentages. Pure, so it is tested on its own. */

/** "1.4 MB", "820 KB", "12 B" (decimal units, as file managers show them). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i += 1;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** "3 s", "4 min 05 s", "1 h 02 min"; "—" for null (no estimate yet). */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** 0.4567 → "46 %". */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  return `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)} %`;
}

/** "4000 × 3000 (12 MP)". */
export function formatDimensions(width: number | null | undefined, height: number | null | undefined): string {
  if (!width || !height) return '—';
  const mp = (width * height) / 1e6;
  return `${width} × ${height} (${mp < 10 ? mp.toFixed(1) : Math.round(mp)} MP)`;
}
