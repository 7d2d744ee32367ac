/**
 * Multi-resolution copies of an image for the compare view. A 24 MP photo drawn at 18 % would otherwise be resampled
 * from 24 million pixels on every frame of a zoom; with a pyramid each frame reads from the smallest copy that still
 * has at least one pixel per screen pixel. Decoding happens off the main thread (`createImageBitmap` on a Blob).
 */

export interface PyramidLevel {
  /** Size relative to the full image (1, 0.5, 0.25, …). */
  scale: number;
  bitmap: ImageBitmap;
}

export interface Pyramid {
  width: number;
  height: number;
  /** Largest first. */
  levels: PyramidLevel[];
  close(): void;
}

/** The level to draw from when one full-image pixel covers `screenPerPixel` screen pixels (pure; tested). */
export function pickLevel<L extends { scale: number }>(levels: readonly L[], screenPerPixel: number): L {
  // Levels run largest first; take the smallest that still gives ≥ 1 level pixel per screen pixel.
  let chosen = levels[0]!;
  for (const level of levels) if (level.scale >= Math.min(1, screenPerPixel)) chosen = level;
  return chosen;
}

/** The scales a pyramid of an image this size gets: halvings until the long side is at most 2 × `smallest`. */
export function pyramidScales(width: number, height: number, smallest = 1024): number[] {
  const scales = [1];
  let s = 1;
  while (Math.max(width, height) * s > smallest * 2) {
    s /= 2;
    scales.push(s);
  }
  return scales;
}

/** Fetches and decodes `url` into a pyramid. */
export async function loadPyramid(url: string, signal?: AbortSignal): Promise<Pyramid> {
  const response = await fetch(url, { credentials: 'same-origin', ...(signal ? { signal } : {}) });
  if (!response.ok) throw new Error(`cannot load ${decodeURIComponent(url.split('/').pop() ?? url)}: ${response.status}`);
  const blob = await response.blob();
  const full = await createImageBitmap(blob);
  const { width, height } = full;
  const levels: PyramidLevel[] = [{ scale: 1, bitmap: full }];
  try {
    // Each reduced copy is decoded from the file again at its size: the decoder does it off the main thread.
    const reduced = await Promise.all(
      pyramidScales(width, height)
        .slice(1)
        .map(async (scale) => ({
          scale,
          bitmap: await createImageBitmap(blob, {
            resizeWidth: Math.max(1, Math.round(width * scale)),
            resizeHeight: Math.max(1, Math.round(height * scale)),
            resizeQuality: 'medium',
          }),
        })),
    );
    levels.push(...reduced);
  } catch (err) {
    for (const l of levels) l.bitmap.close();
    throw err;
  }
  return {
    width,
    height,
    levels,
    close: () => {
      for (const l of levels) l.bitmap.close();
    },
  };
}
