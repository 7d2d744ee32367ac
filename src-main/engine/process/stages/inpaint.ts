/**
 * The inpainting pack kind (LaMa layout) at the chain's `repair` position: the classical repair (stages/repair.ts)
 * with the large holes sent to the pack's model.
 *   1. check   — the repair options parse (before decoding)
 *   2. mask    — the user's mask, checked against the photo's size, else detection
 *   3. repair  — pipelines/repair/run-repair-pack.ts; the model is opened (through the session cache) only when the
 *                photo has a large hole
 *   4. mask out — the repaired mask written for the app's overlay, when asked
 * The provenance names the pack only when it filled something.
 */
import { writeMask } from '../../../imaging/mask';
import type { InpaintModel } from '../../../pipelines/repair/pack-fill';
import { runRepairWithPack } from '../../../pipelines/repair/run-repair-pack';
import type { PixelBuffer } from '../../../pixels/types';
import { EngineError } from '../../engine-error';
import { ENGINE_ERROR_CODES, type EnhanceStage } from '../../protocol';
import type { LoadedInpaintPack } from '../pack';
import { describeRepair, parseRepairOptions, userMask } from './repair';
import type { StageContext, StageKind, StageOutput } from './stage-kind';

export const inpaintStage: StageKind<LoadedInpaintPack> = {
  serves: 'repair',
  depth: 'keep',
  enlarges: false,
  prepare(pack, options) {
    const repair = parseRepairOptions(options);
    return {
      modelId: describeRepair(repair, options.mask),
      run: (rgb, ctx) => run(pack, options, rgb, ctx),
    };
  },
};

const rangeScale = (r: '0-1' | '0-255'): number => (r === '0-255' ? 255 : 1);

async function openInpaintModel(pack: LoadedInpaintPack, ctx: StageContext): Promise<{ model: InpaintModel; provider: string }> {
  const m = pack.manifest;
  ctx.hooks.onProgress('load-model', 0, 1);
  let opened;
  try {
    opened = await ctx.sessions.get({ modelPath: pack.modelPath, provider: ctx.provider, ...(ctx.threads !== undefined ? { threads: ctx.threads } : {}) }, ctx.hooks.onWarning);
  } catch (err) {
    throw new EngineError(ENGINE_ERROR_CODES.MODEL_ERROR, `cannot open the inpainting model of "${m.id}": ${(err as Error).message}`, { cause: err });
  }
  ctx.hooks.onProgress('load-model', 1, 1);
  return {
    provider: opened.provider,
    model: {
      runner: opened.runner,
      size: m.inpaint.size,
      imageName: m.model.image,
      maskName: m.model.mask,
      outputName: m.model.output,
      imageScale: rangeScale(m.inpaint.imageRange),
      outputScale: rangeScale(m.inpaint.outputRange),
    },
  };
}

async function run(pack: LoadedInpaintPack, options: EnhanceStage, rgb: PixelBuffer, ctx: StageContext): Promise<StageOutput> {
  const repair = parseRepairOptions(options);
  const { hooks } = ctx;
  // 2. mask
  const mask = options.mask !== undefined ? await userMask(options.mask, rgb) : undefined;
  // 3. repair
  let provider = '';
  const result = await runRepairWithPack(rgb, {
    ...repair,
    ...(mask ? { mask } : {}),
    onProgress: (p) => hooks.onProgress(p.stage, p.done, p.total),
    onWarning: hooks.onWarning,
    model: async () => {
      const opened = await openInpaintModel(pack, ctx);
      provider = opened.provider;
      return opened.model;
    },
  });
  // 4. mask out
  if (options.maskOut !== undefined) await writeMask(options.maskOut, { data: result.mask, width: rgb.width, height: rgb.height });
  const ran = result.holesFilled > 0;
  return {
    rgb: result.rgb,
    provider,
    ...(ran ? { provenance: describeRepair(repair, options.mask, pack.manifest.id) } : {}),
  };
}
