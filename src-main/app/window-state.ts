/**
 * Remembering the window's size and place between runs. The bounds live in the shell settings (shell-settings.ts,
 * electron-store); this module decides what a saved place is worth on today's displays. A saved place that is no
 * longer on any display (a monitor was unplugged) is dropped, so the window never opens off-screen.
 *
 * Versions before the shell settings kept the bounds in `window-state.json`; {@link takeLegacyWindowState} reads
 * that file once so an update does not forget where the window was.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { MIN_WINDOW, type WindowBounds } from '../settings/shell-schema';

export type { WindowBounds };

/** The file older versions wrote the bounds to, in the user-data folder. */
export const WINDOW_STATE_FILE = 'window-state.json';

/** Raises a saved size below the smallest usable window to it. */
export function usableSize(bounds: WindowBounds): WindowBounds {
  return { ...bounds, width: Math.max(MIN_WINDOW.width, bounds.width), height: Math.max(MIN_WINDOW.height, bounds.height) };
}

/**
 * Reads and removes the bounds an older version saved; null when there are none or they are unreadable (first run,
 * or a damaged file: the default size is the right answer either way).
 */
export function takeLegacyWindowState(dir: string): WindowBounds | null {
  const file = path.join(dir, WINDOW_STATE_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  rmSync(file, { force: true });
  try {
    const v = JSON.parse(text) as Partial<WindowBounds>;
    const nums = [v.x, v.y, v.width, v.height];
    if (!nums.every((n) => typeof n === 'number' && Number.isFinite(n))) return null;
    return usableSize({ x: v.x!, y: v.y!, width: v.width!, height: v.height!, maximized: v.maximized === true });
  } catch {
    return null;
  }
}

/** Keeps the bounds only if at least 100×50 px of the title area lies on one of the displays' work areas. */
export function visibleOn(bounds: WindowBounds, workAreas: readonly { x: number; y: number; width: number; height: number }[]): WindowBounds | null {
  const ok = workAreas.some((a) => {
    const w = Math.min(bounds.x + bounds.width, a.x + a.width) - Math.max(bounds.x, a.x);
    const h = Math.min(bounds.y + 50, a.y + a.height) - Math.max(bounds.y, a.y);
    return w >= 100 && h >= 50;
  });
  return ok ? bounds : null;
}

/** Where to open the window: the saved bounds at a usable size if they still show on a display, else null. */
export function restoredBounds(saved: WindowBounds | null, workAreas: readonly { x: number; y: number; width: number; height: number }[]): WindowBounds | null {
  return saved ? visibleOn(usableSize(saved), workAreas) : null;
}
