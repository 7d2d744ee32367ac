/**
 * Remembering the window's size and place between runs: a small JSON file in the user-data folder. A saved place
 * that is no longer on any display (a monitor was unplugged) is dropped, so the window never opens off-screen.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface WindowBounds {
  x: number;
  y: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const WINDOW_STATE_FILE = 'window-state.json';

/** Reads the saved bounds; null when there are none or they are unreadable. */
export function loadWindowState(dir: string): WindowBounds | null {
  try {
    const v = JSON.parse(readFileSync(path.join(dir, WINDOW_STATE_FILE), 'utf8')) as Partial<WindowBounds>;
    const nums = [v.x, v.y, v.width, v.height];
    if (!nums.every((n) => typeof n === 'number' && Number.isFinite(n))) return null;
    return { x: v.x!, y: v.y!, width: Math.max(400, v.width!), height: Math.max(300, v.height!), maximized: v.maximized === true };
  } catch {
    return null; // first run, or a damaged file: the default size is the right answer either way
  }
}

export function saveWindowState(dir: string, bounds: WindowBounds): void {
  writeFileSync(path.join(dir, WINDOW_STATE_FILE), `${JSON.stringify(bounds)}\n`);
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
