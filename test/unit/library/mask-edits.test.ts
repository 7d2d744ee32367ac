/**
 * Brush and eraser strokes painted onto a repair mask (library/mask-edits.ts): against an independent oracle (discs
 * stamped every 0.01 px along the path), and the edited mask kept in the data folder by its content.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMask, writeMask, type MaskPlane } from '../../../src-main/imaging/mask';
import { applyStrokes, saveEditedMask, type MaskStroke } from '../../../src-main/library/mask-edits';
import { tempFolders } from '../../support/temp-folders';

const tmp = tempFolders();

/**
 * The oracle: a pixel is inside when its centre is within r of a disc centre stamped every `step` along the path.
 * Stamping misses at most step/2 of the true distance, so pixels whose true distance is within TOL of r are left out.
 */
function stamped(width: number, height: number, s: MaskStroke, step = 0.01): { inside: (x: number, y: number) => boolean } {
  const centres: [number, number][] = [];
  const p = s.points;
  if (p.length === 2) centres.push([p[0]!, p[1]!]);
  for (let i = 0; i + 3 < p.length; i += 2) {
    const len = Math.hypot(p[i + 2]! - p[i]!, p[i + 3]! - p[i + 1]!);
    const n = Math.max(1, Math.ceil(len / step));
    for (let k = 0; k <= n; k++) centres.push([p[i]! + ((p[i + 2]! - p[i]!) * k) / n, p[i + 1]! + ((p[i + 3]! - p[i + 1]!) * k) / n]);
  }
  return {
    inside: (x, y) => {
      if (x < 0 || y < 0 || x >= width || y >= height) return false;
      let best = Infinity;
      for (const [cx, cy] of centres) best = Math.min(best, Math.hypot(x + 0.5 - cx, y + 0.5 - cy));
      return best <= s.radius;
    },
  };
}
const TOL = 0.02;

function blank(width: number, height: number): MaskPlane {
  return { data: new Uint8Array(width * height), width, height };
}

describe('applyStrokes', () => {
  it('paints every pixel whose centre lies within the radius of the path, and no other (oracle: stamped discs)', () => {
    const strokes: MaskStroke[] = [
      { tool: 'paint', radius: 3.2, points: [4, 5, 30, 17, 22, 36] },
      { tool: 'paint', radius: 1.5, points: [36.3, 3.7] },
      { tool: 'paint', radius: 6, points: [-3, 38, 12, 44] }, // runs off the edge: clipped, not wrapped
    ];
    const mask = blank(40, 40);
    applyStrokes(mask, strokes);
    const oracles = strokes.map((s) => stamped(40, 40, s));
    const near = (x: number, y: number): boolean =>
      strokes.some((s) => {
        const o = stamped(40, 40, { ...s, radius: s.radius + TOL });
        const i = stamped(40, 40, { ...s, radius: Math.max(0, s.radius - TOL) });
        return o.inside(x, y) !== i.inside(x, y);
      });
    let painted = 0;
    for (let y = 0; y < 40; y++) {
      for (let x = 0; x < 40; x++) {
        const want = oracles.some((o) => o.inside(x, y)) ? 1 : 0;
        painted += want;
        if (mask.data[y * 40 + x] !== want && !near(x, y)) expect.fail(`pixel ${x},${y}: got ${mask.data[y * 40 + x]}, want ${want}`);
      }
    }
    expect(painted).toBeGreaterThan(200);
  });

  it('erases where the eraser goes, later strokes winning over earlier ones', () => {
    const mask = blank(20, 10);
    mask.data.fill(1);
    applyStrokes(mask, [
      { tool: 'erase', radius: 2, points: [2, 5, 17, 5] },
      { tool: 'paint', radius: 1, points: [10, 5] },
    ]);
    // Row 5 (centres at y 5.5, 0.5 off the line): x 0 is 1.58 from the end (2, 5), x 19 is 2.55 from (17, 5); the dot
    // of radius 1 at (10, 5) repaints x 9 and 10 (0.71 away).
    expect(Array.from(mask.data.subarray(5 * 20, 6 * 20))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    // Rows 0 and 9 are out of reach of the eraser (centres 4.5 away from the line).
    expect(mask.data.subarray(0, 20).every((v) => v === 1)).toBe(true);
    expect(mask.data.subarray(9 * 20).every((v) => v === 1)).toBe(true);
  });
});

describe('saveEditedMask', () => {
  it('starts from the recorded mask, keeps the edit in the masks folder under its content, and reuses an identical one', async () => {
    const dir = tmp('revive-mask-edits-');
    const masks = path.join(dir, 'masks');
    const base = path.join(dir, 'detected.png');
    const detected = blank(16, 12);
    detected.data[3 * 16 + 4] = 1;
    await writeMask(base, detected);
    const strokes: MaskStroke[] = [{ tool: 'paint', radius: 1, points: [12, 8] }];
    const file = await saveEditedMask(masks, { file: base, width: 16, height: 12 }, strokes);
    expect(path.dirname(file)).toBe(masks);
    expect(path.basename(file)).toMatch(/^edited-[0-9a-f]{32}\.png$/);
    const edited = await readMask(file);
    const want = blank(16, 12);
    want.data[3 * 16 + 4] = 1;
    applyStrokes(want, strokes);
    expect(edited).toEqual(want);
    expect(edited.data[8 * 16 + 12]).toBe(1);
    expect(await saveEditedMask(masks, { file: base, width: 16, height: 12 }, strokes)).toBe(file);
    expect(readdirSync(masks)).toEqual([path.basename(file)]);
    // Without a recorded mask the strokes go onto an empty one.
    const fresh = await readMask(await saveEditedMask(masks, { file: null, width: 16, height: 12 }, strokes));
    expect(fresh.data.reduce((a, b) => a + b, 0)).toBe(want.data.reduce((a, b) => a + b, 0) - 1);
  });

  it('refuses a recorded mask of another size than the photo, naming both sizes', async () => {
    const dir = tmp('revive-mask-size-');
    const base = path.join(dir, 'm.png');
    await writeMask(base, blank(8, 8));
    await expect(saveEditedMask(path.join(dir, 'masks'), { file: base, width: 16, height: 12 }, [{ tool: 'paint', radius: 1, points: [1, 1] }])).rejects.toThrow(
      /8×8 but the photo is 16×12/,
    );
  });
});
