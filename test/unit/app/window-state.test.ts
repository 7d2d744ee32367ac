/** Where the window opens: saved bounds kept only while they still show on a display, at a usable size. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { restoredBounds, takeLegacyWindowState, usableSize, visibleOn, WINDOW_STATE_FILE } from '../../../src-main/app/window-state';

const laptop = { x: 0, y: 0, width: 1440, height: 900 };
const leftMonitor = { x: -1920, y: 0, width: 1920, height: 1080 };

describe('window state', () => {
  it('keeps bounds whose title area is on a display and drops ones left on an unplugged monitor', () => {
    const onLeft = { x: -1500, y: 100, width: 1000, height: 700, maximized: false };
    expect(visibleOn(onLeft, [laptop, leftMonitor])).toEqual(onLeft);
    expect(visibleOn(onLeft, [laptop])).toBeNull();
    // Only a sliver of the title bar showing is not enough to grab it.
    expect(visibleOn({ x: 1400, y: 10, width: 800, height: 600, maximized: false }, [laptop])).toBeNull();
  });

  it('raises a tiny saved size and restores nothing when nothing was saved', () => {
    expect(usableSize({ x: 0, y: 0, width: 120, height: 80, maximized: false })).toMatchObject({ width: 400, height: 300 });
    expect(restoredBounds(null, [laptop])).toBeNull();
    expect(restoredBounds({ x: 50, y: 50, width: 100, height: 100, maximized: true }, [laptop])).toEqual({ x: 50, y: 50, width: 400, height: 300, maximized: true });
  });

  it('reads an older version’s window-state.json once, and ignores a damaged one', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'revive-window-state-'));
    try {
      expect(takeLegacyWindowState(dir)).toBeNull();
      writeFileSync(path.join(dir, WINDOW_STATE_FILE), JSON.stringify({ x: 5, y: 6, width: 1000, height: 800 }));
      expect(takeLegacyWindowState(dir)).toEqual({ x: 5, y: 6, width: 1000, height: 800, maximized: false });
      expect(takeLegacyWindowState(dir)).toBeNull();
      writeFileSync(path.join(dir, WINDOW_STATE_FILE), '{"x": "left"');
      expect(takeLegacyWindowState(dir)).toBeNull();
      expect(existsSync(path.join(dir, WINDOW_STATE_FILE))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
