/**
 * The two ends every enhance request shares, whichever stages run in between: decoding the original (with the
 * output-size check before any model work) and writing the result with the original's metadata. A region preview
 * decodes the same way and continues with the crop (region.ts).
 */
import { writeFile } from 'node:fs/promises';
import { decodeImage, type DecodedImage } from '../../imaging/read';
import { checkOutputSize, encodeImage, resizePlane, writeImage } from '../../imaging/write';
import { ImageError } from '../../imaging/errors';
import { overCapacity, scaleTooLargeMessage } from '../../imaging/output-capacity';
import type { PixelBuffer } from '../../pixels/types';
import type { EnhanceHooks } from './hooks';
import { OUTPUT_SCALES, type EnhanceRequest, type Region } from '../protocol';
import { clampRegion, cropPixels } from './region';

export interface DecodedRequest {
  image: DecodedImage;
  outW: number;
  outH: number;
}

/**
 * Stages "decode" and "size": the upright original (or, for a region preview, the crop, after writing it to
 * `region.before`), and the result's size checked against the output format.
 */
export async function decodeForRequest(req: EnhanceRequest, hooks: EnhanceHooks, opts: { keepDepth: boolean; workingScale: number }): Promise<DecodedRequest> {
  hooks.onProgress('decode', 0, 1);
  const decoded = await decodeImage(req.input, {
    // A preview shows 8-bit pixels on screen, and its 'before' PNG is what the user compares against.
    ...(opts.keepDepth && !req.region ? { keepDepth: true } : {}),
    ...(req.maxPixels !== undefined ? { maxPixels: req.maxPixels } : {}),
  });
  const image = req.region ? await cropForPreview(decoded, req.region) : decoded;
  for (const w of image.warnings) hooks.onWarning(w);
  hooks.onProgress('decode', 1, 1);
  const outW = image.width * req.scale;
  const outH = image.height * req.scale;
  checkOutputSize(req.format, outW, outH);
  // The host refuses such photos from their header (jobs/input-limit.ts); this guards every other caller, before the
  // model runs rather than with "Invalid typed array length" after it.
  const layout = { hasAlpha: image.alpha !== null, bitsPerSample: image.rgb.data instanceof Uint16Array ? 16 : 8 } as const;
  if (overCapacity({ width: image.width, height: image.height, ...layout }, opts.workingScale)) {
    const ask = { scale: req.scale, workingScaleAt: (s: number) => (opts.workingScale > req.scale ? opts.workingScale : s), scales: OUTPUT_SCALES };
    throw new ImageError('TOO_LARGE', scaleTooLargeMessage(req.input, image.width, image.height, ask, layout));
  }
  return { image, outW, outH };
}

/** The region of the decoded photo as an image of its own (RGB only), written as the preview's 'before' PNG. */
async function cropForPreview(decoded: DecodedImage, region: Region): Promise<DecodedImage> {
  const rgb = cropPixels(decoded.rgb, clampRegion(region, decoded.width, decoded.height));
  await writeFile(region.before, await encodeImage(rgb, null, { format: 'png' }));
  return { ...decoded, rgb, alpha: null, width: rgb.width, height: rgb.height };
}

/**
 * Stages "alpha", "encode" and "write": alpha upscaled to match, then the pixels encoded and written atomically with
 * the original's metadata and profile put onto the temp file before the rename.
 */
export async function writeForRequest(req: EnhanceRequest, hooks: EnhanceHooks, decoded: DecodedRequest, rgb: PixelBuffer, modelId: string): Promise<void> {
  const { image, outW, outH } = decoded;
  const alpha = image.alpha ? await resizePlane(image.alpha, image, outW, outH) : null;
  // A preview's result pairs with its 'before' PNG (sRGB, no metadata), not with the original file.
  const whole = !req.region;
  hooks.onProgress('encode', 0, 1);
  const written = await writeImage(req.output, rgb, alpha, {
    format: req.format,
    ...(req.quality !== undefined ? { quality: req.quality } : {}),
    source: req.region?.before ?? req.input,
    ...(whole && image.source.icc ? { iccProfile: image.source.icc } : {}),
    // A 12-bit AVIF stays 12-bit; any other 16-bit result becomes 10-bit AVIF (write.ts says why).
    ...(whole && image.source.storedBits === 12 && image.source.format === 'avif' ? { avifBits: 12 as const } : {}),
    metadata: req.metadata ?? 'all',
    provenance: { model: modelId, scale: req.scale },
    ...(whole && req.keepFileTimes ? { keepFileTimes: true } : {}),
    tempTag: req.id,
  });
  for (const w of written.warnings) hooks.onWarning(w);
  hooks.onProgress('encode', 1, 1);
  hooks.onProgress('write', 0, 1);
  hooks.onProgress('write', 1, 1);
}
