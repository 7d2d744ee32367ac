/**
 * The region preview: one rectangle of a photo restored with the chosen settings, to try them before a long run.
 * The engine process decodes the photo, cuts the rectangle out and writes it as the 'before' PNG, then restores the
 * crop into the 'after' PNG; this side only names the files and cleans up after a failure, so Electron main never
 * holds a decoded photo.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Rect, RestoreSettings } from '../../src-preload/contract';
import type { EngineHost } from '../engine/host';
import type { EnhanceStage } from '../engine/protocol';

export interface RegionPreview {
  /** The cropped original (PNG). */
  before: string;
  /** The crop restored with the settings (PNG). */
  after: string;
  /** Size of `after`. */
  width: number;
  height: number;
  /** Wall time of the whole preview, decode to written result. */
  ms: number;
}

/**
 * Restores `rect` of `source` with the pack in `modelDir` at the settings' scale and device, writing both PNGs into
 * `previewsDir`. Rejects with the engine's coded errors: INVALID_REGION when the rectangle starts outside the photo,
 * the image's codes (NOT_AN_IMAGE, CORRUPT, …), BAD_PACK, …; the 'before' file is removed on failure.
 */
export async function previewRegion(
  host: Pick<EngineHost, 'enhance'>,
  previewsDir: string,
  source: string,
  rect: Rect,
  modelDir: string,
  settings: Pick<RestoreSettings, 'scale' | 'device'> & Partial<Pick<RestoreSettings, 'repair'>>,
): Promise<RegionPreview> {
  const t0 = Date.now();
  const id = randomUUID();
  const before = path.join(previewsDir, `${id}-before.png`);
  const after = path.join(previewsDir, `${id}-after.png`);
  try {
    const r = await host.enhance({
      input: source,
      output: after,
      modelDir,
      // Repair previews detect within the region: a user's mask is drawn for the whole photo, not the crop.
      ...(settings.repair ? { repairStage: regionRepairStage(settings.repair) } : {}),
      scale: settings.scale,
      format: 'png',
      provider: settings.device,
      region: { x: rect.x, y: rect.y, width: rect.width, height: rect.height, before },
    });
    return { before, after, width: r.width, height: r.height, ms: Date.now() - t0 };
  } catch (err) {
    await rm(before, { force: true });
    throw err;
  }
}

/** The repair stage of a region preview: the settings' detection and colour restore, without the whole photo's mask. */
function regionRepairStage(repair: NonNullable<RestoreSettings['repair']>): EnhanceStage {
  const { mask: _drawnForTheWholePhoto, ...options } = repair;
  return { stage: 'repair', repair: options };
}
