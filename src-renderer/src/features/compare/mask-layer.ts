/**
 * The repair mask as a picture layer for the compare view: the mask PNG (white = repaired) turned into opaque lime
 * where it is set and transparent elsewhere, at the mask's own size, with the user's strokes painted over it the way
 * the core paints them (a round brush of the stroke's radius swept along its path; library/mask-edits.ts).
 */
import type { MaskStroke } from '../../../../src-preload/contract';

/**
 * The overlay's colour, drawn half transparent: an acid lime that old prints (sepia, faded reds and blues, skin, sky)
 * almost never hold. Red, the usual mask colour, vanished over red and magenta-cast photos.
 */
const LIME = [190, 255, 0] as const;

export interface MaskLayer {
  /** The layer at the mask's size, for drawImage. */
  canvas: HTMLCanvasElement;
  width: number;
  height: number;
  /** Back to the loaded mask, then `strokes` painted over it in order. */
  redraw(strokes: readonly MaskStroke[]): void;
}

/** Fetches and decodes the mask at `url` into a layer. */
export async function maskLayer(url: string, signal?: AbortSignal): Promise<MaskLayer> {
  const response = await fetch(url, { credentials: 'same-origin', ...(signal ? { signal } : {}) });
  if (!response.ok) throw new Error(`cannot load the repair mask: ${response.status}`);
  const bitmap = await createImageBitmap(await response.blob());
  const { width, height } = bitmap;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('this browser cannot draw the repair mask');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const base = ctx.getImageData(0, 0, width, height);
  const d = base.data;
  for (let i = 0; i < d.length; i += 4) {
    const on = d[i]! >= 128;
    d[i] = LIME[0];
    d[i + 1] = LIME[1];
    d[i + 2] = LIME[2];
    d[i + 3] = on ? 255 : 0;
  }
  return {
    canvas,
    width,
    height,
    redraw(strokes) {
      ctx.putImageData(base, 0, 0);
      for (const s of strokes) paintStroke(ctx, s);
    },
  };
}

/** Paints one stroke: lime where the brush went, cleared where the eraser went. */
export function paintStroke(ctx: CanvasRenderingContext2D, s: MaskStroke): void {
  const p = s.points;
  ctx.save();
  ctx.globalCompositeOperation = s.tool === 'erase' ? 'destination-out' : 'source-over';
  ctx.strokeStyle = ctx.fillStyle = `rgb(${LIME.join(' ')})`;
  ctx.lineWidth = s.radius * 2;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  if (p.length === 2) {
    ctx.arc(p[0]!, p[1]!, s.radius, 0, Math.PI * 2);
    ctx.fill();
  } else {
    ctx.moveTo(p[0]!, p[1]!);
    for (let i = 2; i + 1 < p.length; i += 2) ctx.lineTo(p[i]!, p[i + 1]!);
    ctx.stroke();
  }
  ctx.restore();
}
