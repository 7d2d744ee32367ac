/**
 * How a running photo's bar moves between the core's progress events. The core reports per stage and per tile; a small
 * photo's model run is a single tile, so its events jump from 10 % to 90 %. Between events the bar moves toward the end
 * of the current stage at the pace the ETA implies, and never reaches that end before the core reports it.
 */

/** The last reported position of a running photo and where its current stage ends. */
export interface Motion {
  /** The fraction last reported. */
  from: number;
  /** When it was reported (ms, the same clock as `now`). */
  at: number;
  /** The fraction at which the current stage ends. */
  end: number;
  /** Time the core expects the whole photo still needs, or null before a speed is known. */
  etaMs: number | null;
}

/** Share of the way to the stage's end the bar may go on its own. */
export const SMOOTH_CAP = 0.95;
/** Without an ETA the bar eases toward the stage's end with this time constant (ms). */
export const EASE_MS = 4000;

/** The fraction to show `now` for a running photo last reported as `m` (pure; never below `m.from`). */
export function smoothFraction(m: Motion, now: number): number {
  const room = Math.max(0, m.end - m.from) * SMOOTH_CAP;
  if (room === 0) return m.from;
  const dt = Math.max(0, now - m.at);
  // With an ETA the whole remaining photo (1 - from) takes etaMs: the bar moves at that rate.
  const moved = m.etaMs !== null && m.etaMs > 0 ? ((1 - m.from) / m.etaMs) * dt : room * (1 - Math.exp(-dt / EASE_MS));
  return m.from + Math.min(room, moved);
}
