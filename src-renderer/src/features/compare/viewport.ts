/**
 * Zoom and pan of the compare view, as pure functions of a viewport `{ scale, x, y }`: screen = image × scale +
 * (x, y), in CSS pixels of the stage. Both images (before and after) share one viewport, so they stay aligned.
 */

export interface Viewport {
  /** Screen pixels per image pixel (of the after image). */
  scale: number;
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

export const MIN_SCALE = 0.02;
export const MAX_SCALE = 32;

const clampScale = (s: number): number => Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));

/** The whole image, centred, as large as fits (never enlarged past 1:1 for small images... unless `allowUpscale`). */
export function fit(image: Size, stage: Size, allowUpscale = true): Viewport {
  if (image.width <= 0 || image.height <= 0 || stage.width <= 0 || stage.height <= 0) return { scale: 1, x: 0, y: 0 };
  let scale = Math.min(stage.width / image.width, stage.height / image.height);
  if (!allowUpscale) scale = Math.min(1, scale);
  scale = clampScale(scale);
  return { scale, x: (stage.width - image.width * scale) / 2, y: (stage.height - image.height * scale) / 2 };
}

/** One image pixel per screen pixel, keeping the image point under `at` (default: stage centre) in place. */
export function oneToOne(view: Viewport, stage: Size, at?: { x: number; y: number }): Viewport {
  return zoomTo(view, 1, at ?? { x: stage.width / 2, y: stage.height / 2 });
}

/** Zooms to `scale` keeping the image point under the screen point `at` fixed. */
export function zoomTo(view: Viewport, scale: number, at: { x: number; y: number }): Viewport {
  const s = clampScale(scale);
  const ix = (at.x - view.x) / view.scale;
  const iy = (at.y - view.y) / view.scale;
  return { scale: s, x: at.x - ix * s, y: at.y - iy * s };
}

/**
 * Wheel pixels per factor of e. One mouse notch (100 px) zooms by about 13 %: gentle enough to stop where wanted
 * (at 400 a notch jumped 28 %, which overshot, issue 13).
 */
export const WHEEL_PX_PER_E = 800;

/** Zoom by a wheel delta (pixels; negative zooms in), about the pointer. */
export function zoomByWheel(view: Viewport, deltaY: number, at: { x: number; y: number }): Viewport {
  // exp keeps zoom speed proportional: each 100 px of wheel is the same ratio at any scale.
  return zoomTo(view, view.scale * Math.exp(-deltaY / WHEEL_PX_PER_E), at);
}

/**
 * Moves by a drag delta, keeping at least `margin` screen pixels of the image on the stage so it cannot be lost.
 */
export function pan(view: Viewport, dx: number, dy: number, image: Size, stage: Size, margin = 48): Viewport {
  const w = image.width * view.scale;
  const h = image.height * view.scale;
  const x = Math.min(stage.width - margin, Math.max(margin - w, view.x + dx));
  const y = Math.min(stage.height - margin, Math.max(margin - h, view.y + dy));
  return { scale: view.scale, x, y };
}

/** The image rectangle (integer pixels, clipped to the image) under a screen rectangle. */
export function screenToImageRect(
  view: Viewport,
  rect: { x: number; y: number; width: number; height: number },
  image: Size,
): { x: number; y: number; width: number; height: number } {
  const x0 = Math.max(0, Math.floor((rect.x - view.x) / view.scale));
  const y0 = Math.max(0, Math.floor((rect.y - view.y) / view.scale));
  const x1 = Math.min(image.width, Math.ceil((rect.x + rect.width - view.x) / view.scale));
  const y1 = Math.min(image.height, Math.ceil((rect.y + rect.height - view.y) / view.scale));
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}
