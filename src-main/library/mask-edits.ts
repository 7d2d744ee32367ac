/**
 * Repair masks edited in the app: the brush and eraser strokes the compare view sends are painted onto a result's
 * mask here, in the core, and the edited mask is kept as a PNG in the data folder's masks folder. The page never names
 * a file: it sends strokes, the core decides where the mask lives.
 *
 * A stroke covers every pixel whose centre lies within `radius` of its path (a round brush swept along the polyline),
 * which is what a canvas draws with `lineWidth = 2 × radius` and round caps and joins, so the overlay the user painted
 * and the mask the engine repairs agree.
 *
 * Edited masks are named by their content (`edited-<sha256>.png`) and never rewritten, so every library row that names
 * one keeps reproducing its result.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { readMask, writeMask, type MaskPlane } from '../imaging/mask';

/** One brush or eraser stroke, in the photo's upright source pixels. */
export interface MaskStroke {
  /** 'paint' marks pixels for repair, 'erase' clears them. */
  tool: 'paint' | 'erase';
  /** Brush radius in source pixels. */
  radius: number;
  /** The path as x0, y0, x1, y1, …; a single point is a dot. */
  points: readonly number[];
}

/** Paints `strokes` onto `mask` in order (later strokes win), in place. */
export function applyStrokes(mask: MaskPlane, strokes: readonly MaskStroke[]): void {
  for (const s of strokes) {
    const value = s.tool === 'paint' ? 1 : 0;
    const n = Math.floor(s.points.length / 2);
    for (let i = 0; i < Math.max(1, n - 1); i++) {
      const j = Math.min(i + 1, n - 1);
      paintSegment(mask, s.points[2 * i]!, s.points[2 * i + 1]!, s.points[2 * j]!, s.points[2 * j + 1]!, s.radius, value);
    }
  }
}

/** Sets every pixel whose centre is within `r` of the segment (ax, ay)–(bx, by). */
function paintSegment(mask: MaskPlane, ax: number, ay: number, bx: number, by: number, r: number, value: number): void {
  const { width, height, data } = mask;
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx) + r));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by) + r));
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const r2 = r * r;
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5 - ay;
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5 - ax;
      // The nearest point of the segment: the projection clamped to its ends.
      const t = len2 > 0 ? Math.min(1, Math.max(0, (px * dx + py * dy) / len2)) : 0;
      const ex = px - t * dx;
      const ey = py - t * dy;
      if (ex * ex + ey * ey <= r2) data[y * width + x] = value;
    }
  }
}

/** Where a result's editing starts: its recorded mask file, or nothing (an empty mask at the photo's size). */
export interface MaskBase {
  file: string | null;
  width: number;
  height: number;
}

/**
 * Paints `strokes` over the base mask and keeps the result in `masksDir` (atomically; an identical mask already kept
 * is reused). Returns the file.
 * @throws Error naming both sizes when the base mask is not the photo's size.
 */
export async function saveEditedMask(masksDir: string, base: MaskBase, strokes: readonly MaskStroke[]): Promise<string> {
  let mask: MaskPlane;
  if (base.file) {
    mask = await readMask(base.file);
    if (mask.width !== base.width || mask.height !== base.height) {
      throw new Error(`the mask ${base.file} is ${mask.width}×${mask.height} but the photo is ${base.width}×${base.height}`);
    }
  } else {
    mask = { data: new Uint8Array(base.width * base.height), width: base.width, height: base.height };
  }
  applyStrokes(mask, strokes);
  const digest = createHash('sha256').update(`${mask.width}x${mask.height}:`).update(mask.data).digest('hex').slice(0, 32);
  const file = path.join(masksDir, `edited-${digest}.png`);
  if (!existsSync(file)) {
    await mkdir(masksDir, { recursive: true });
    await writeMask(file, mask);
  }
  return file;
}
