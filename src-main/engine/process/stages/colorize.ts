/**
 * The colorize stage (DDColor-layout packs) at the chain's `colour` position, last, on the image at its final
 * resolution:
 *   1. check   — mode and strength (the request's schema bounds them; 'auto' is the default)
 *   2. judge   — in 'auto' mode a photo in colour skips the stage, which says so (a report, not an error)
 *   3. session — the pack's model, cached like every model, opened only when the photo is colourised
 *   4. run     — pipelines/colorize: grey at the model's size → chroma → joined with the full-resolution lightness
 */
import { isMonochrome, judgeMonochrome } from '../../../pipelines/colorize/detect-mono';
import { colorizePhoto } from '../../../pipelines/colorize/run-colorize';
import type { PixelBuffer } from '../../../pixels/types';
import { EngineError } from '../../engine-error';
import { ENGINE_ERROR_CODES, type ColorizeReport, type EnhanceStage } from '../../protocol';
import type { LoadedColorizePack } from '../pack';
import type { StageContext, StageKind, StageOutput } from './stage-kind';

/** What the history says when 'auto' left a colour photo alone. */
export const SKIPPED_IN_COLOUR = 'skipped: photo is in colour';

export const colorizeStage: StageKind<LoadedColorizePack> = {
  serves: 'colour',
  depth: 'keep',
  enlarges: false,
  prepare(pack, options) {
    return { modelId: pack.manifest.id, run: (rgb, ctx) => run(pack, options, rgb, ctx) };
  },
};

/** The words the result's history records for this stage. */
function provenance(report: ColorizeReport): string {
  return report.applied ? `${report.pack} colourised at ${Math.round(report.strength * 100)}%` : `${report.pack} ${SKIPPED_IN_COLOUR}`;
}

async function run(pack: LoadedColorizePack, options: EnhanceStage, rgb: PixelBuffer, ctx: StageContext): Promise<StageOutput> {
  const m = pack.manifest;
  const mode = options.colorize ?? 'auto';
  const strength = options.colorizeStrength ?? 1;
  const report = (applied: boolean, photo: ColorizeReport['photo']): ColorizeReport => ({ pack: m.id, mode, applied, photo, strength });

  // 2. judge before any model is opened: a colour photo costs no model load.
  if (mode === 'auto') {
    const verdict = judgeMonochrome(rgb);
    if (!isMonochrome(verdict)) {
      ctx.hooks.onWarning(`colorize: ${SKIPPED_IN_COLOUR}`);
      const r = report(false, verdict.photo);
      return { rgb, provider: '', colorize: r, provenance: provenance(r) };
    }
  }

  // 3. session
  ctx.hooks.onProgress('load-model', 0, 1);
  let opened;
  try {
    opened = await ctx.sessions.get(
      { modelPath: pack.modelPath, provider: ctx.provider, ...(ctx.threads !== undefined ? { threads: ctx.threads } : {}) },
      ctx.hooks.onWarning,
    );
  } catch (err) {
    throw new EngineError(ENGINE_ERROR_CODES.MODEL_ERROR, `cannot open colorize model "${m.id}": ${(err as Error).message}`, { cause: err });
  }
  ctx.hooks.onProgress('load-model', 1, 1);

  // 4. run ('on': the pipeline colourises whatever its verdict)
  let result;
  try {
    result = await colorizePhoto(rgb, opened.runner, {
      mode: 'on',
      strength,
      size: m.colorize.size,
      inputName: m.model.input,
      outputName: m.model.output,
      inputRange: m.colorize.inputRange,
      outputScale: m.colorize.outputScale,
      onProgress: (stage, done, total) => ctx.hooks.onProgress(stage, done, total),
    });
  } catch (err) {
    if (err instanceof RangeError) throw new EngineError('BAD_REQUEST', err.message, { cause: err });
    throw new EngineError(ENGINE_ERROR_CODES.MODEL_ERROR, `colorize model "${m.id}": ${(err as Error).message}`, { cause: err });
  }
  const r = report(true, result.verdict.photo);
  return { rgb: result.image, provider: opened.provider, colorize: r, provenance: provenance(r) };
}
