/**
 * The two ends every enhance request shares, whichever pipeline runs in between: decoding the original (with the
 * output-size check before any model work) and writing the result with the original's metadata.
 */
import { decodeImage, type DecodedImage } from '../../imaging/read';
import { checkOutputSize, resizePlane, writeImage } from '../../imaging/write';
import type { PixelBuffer } from '../../pixels/types';
import type { EnhanceHooks } from './enhance-image';
import type { EnhanceRequest } from '../protocol';

export interface DecodedRequest {
  image: DecodedImage;
  outW: number;
  outH: number;
}

/** Stages "decode" and "size": the upright original, and the result's size checked against the output format. */
export async function decodeForRequest(req: EnhanceRequest, hooks: EnhanceHooks, opts: { keepDepth: boolean }): Promise<DecodedRequest> {
  hooks.onProgress('decode', 0, 1);
  const image = await decodeImage(req.input, {
    ...(opts.keepDepth ? { keepDepth: true } : {}),
    ...(req.maxPixels !== undefined ? { maxPixels: req.maxPixels } : {}),
  });
  for (const w of image.warnings) hooks.onWarning(w);
  hooks.onProgress('decode', 1, 1);
  const outW = image.width * req.scale;
  const outH = image.height * req.scale;
  checkOutputSize(req.format, outW, outH);
  return { image, outW, outH };
}

/**
 * Stages "alpha", "encode" and "write": alpha upscaled to match, then the pixels encoded and written atomically with
 * the original's metadata and profile put onto the temp file before the rename.
 */
export async function writeForRequest(req: EnhanceRequest, hooks: EnhanceHooks, decoded: DecodedRequest, rgb: PixelBuffer, modelId: string): Promise<void> {
  const { image, outW, outH } = decoded;
  const alpha = image.alpha ? await resizePlane(image.alpha, image, outW, outH) : null;
  hooks.onProgress('encode', 0, 1);
  const written = await writeImage(req.output, rgb, alpha, {
    format: req.format,
    ...(req.quality !== undefined ? { quality: req.quality } : {}),
    source: req.input,
    ...(image.source.icc ? { iccProfile: image.source.icc } : {}),
    // A 12-bit AVIF stays 12-bit; any other 16-bit result becomes 10-bit AVIF (write.ts says why).
    ...(image.source.storedBits === 12 && image.source.format === 'avif' ? { avifBits: 12 as const } : {}),
    metadata: req.metadata ?? 'all',
    provenance: { model: modelId, scale: req.scale },
    ...(req.keepFileTimes ? { keepFileTimes: true } : {}),
    tempTag: req.id,
  });
  for (const w of written.warnings) hooks.onWarning(w);
  hooks.onProgress('encode', 1, 1);
  hooks.onProgress('write', 0, 1);
  hooks.onProgress('write', 1, 1);
}
