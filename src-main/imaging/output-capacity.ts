/**
 * How large a result this platform can hold. The engine keeps a result as one interleaved pixel buffer that goes to
 * sharp as raw input, and a Node Buffer holds at most `buffer.constants.MAX_LENGTH` bytes (2³² = 4 GiB on Node 20).
 * An 8-bit RGB result therefore holds at most 1 431 MP — a 89 MP photo at 4× — and a 16-bit one with alpha 537 MP.
 * The limit per scale is derived here from the photo's header so a photo that cannot be enlarged that far is refused
 * before anything runs, with the largest scale that works, instead of failing inside the engine with "Invalid typed
 * array length" after its model ran (issue 12 F16).
 *
 * Pure and free of sharp, like formats.ts, so the host can check a batch without loading the image library.
 */
import { constants } from 'node:buffer';

/** Bytes of the largest pixel buffer the platform can hand to sharp. */
export const MAX_PIXEL_BUFFER_BYTES = constants.MAX_LENGTH;

/** What a header tells about a result's pixel layout (unknown fields are taken as the common case: RGB, 8 bits). */
export interface PixelLayout {
  /** The result keeps an alpha channel (4 samples per pixel instead of 3). */
  hasAlpha?: boolean;
  /** 16 when the source has more than 8 bits per sample (the engine keeps the depth where it can). */
  bitsPerSample?: 8 | 16;
}

/** Bytes one result pixel takes in the engine's buffer: (3 or 4 samples) × (1 or 2 bytes). */
export function bytesPerResultPixel(layout: PixelLayout): number {
  const samples = layout.hasAlpha === true ? 4 : 3;
  const bytes = layout.bitsPerSample === 16 ? 2 : 1;
  return samples * bytes;
}

/** The most pixels a result with this layout can have here. */
export function maxResultPixels(layout: PixelLayout, bufferBytes = MAX_PIXEL_BUFFER_BYTES): number {
  return Math.floor(bufferBytes / bytesPerResultPixel(layout));
}

/** The most source pixels that can be enlarged `scale` times here. */
export function maxSourcePixelsAt(scale: number, layout: PixelLayout, bufferBytes = MAX_PIXEL_BUFFER_BYTES): number {
  return Math.floor(maxResultPixels(layout, bufferBytes) / (scale * scale));
}

/** What a too-large photo was asked for: the scale, and the scale the chain holds in memory at each scale (a 4× model makes 4× first). */
export interface ScaleRequest {
  scale: number;
  workingScaleAt(scale: number): number;
  /** The scales the user can choose from. */
  scales: readonly number[];
}

/** The largest offered scale at which a photo of `pixels` fits; null when none does. */
export function largestScaleThatFits(pixels: number, ask: ScaleRequest, layout: PixelLayout, bufferBytes = MAX_PIXEL_BUFFER_BYTES): number | null {
  const fitting = ask.scales.filter((s) => pixels <= maxSourcePixelsAt(ask.workingScaleAt(s), layout, bufferBytes));
  return fitting.length ? Math.max(...fitting) : null;
}

/** The one-line reason for a photo too large to enlarge as asked here, with what would work. */
export function scaleTooLargeMessage(path: string, width: number, height: number, ask: ScaleRequest, layout: PixelLayout): string {
  const mp = (pixels: number): string => `${(pixels / 1e6).toFixed(1)} MP`;
  const working = ask.workingScaleAt(ask.scale);
  const holds = `a result can hold ${mp(maxResultPixels(layout))} here`;
  const head = `${path}: ${width}×${height} (${mp(width * height)}) is too large`;
  const fits = largestScaleThatFits(width * height, ask, layout);
  if (fits !== null) {
    return `${head} to enlarge ${ask.scale}× on this computer: ${holds}, so photos up to ${mp(maxSourcePixelsAt(working, layout))} can be enlarged ${ask.scale}×; choose ${fits}× or less`;
  }
  if (working > ask.scale) {
    return (
      `${head} for this model on this computer: it always works at ${working}× and ${holds}, so it takes photos up to ` +
      `${mp(maxSourcePixelsAt(working, layout))}; reduce the photo's size first or choose another model`
    );
  }
  return `${head} to enlarge ${ask.scale}× on this computer: ${holds}, so photos up to ${mp(maxSourcePixelsAt(working, layout))} can be enlarged ${ask.scale}×; reduce the photo's size first`;
}

/** Whether a photo of this size and layout is too large for the scale the chain works at. */
export function overCapacity(size: { width: number; height: number } & PixelLayout, workingScale: number, bufferBytes = MAX_PIXEL_BUFFER_BYTES): boolean {
  return size.width * size.height > maxSourcePixelsAt(workingScale, size, bufferBytes);
}
