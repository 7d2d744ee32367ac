/**
 * The face-restore stage (GFPGAN/CodeFormer-layout packs) of the chain's `faces` position, run on the image at its
 * final resolution (after super-resolution):
 *   1. check    — the request names the face detector pack (the embedded BlazeFace)
 *   2. sessions — detector and restorer, cached like every model
 *   3. faces    — detect, align, restore, paste back (pipelines/faces); no face → the stage is skipped and says so
 *   4. report   — every face found as a box (restored, or too small) and the stage's line in the result's history
 */
import { describeFaces } from '../../../pipelines/faces/face-box';
import { restoreFaces } from '../../../pipelines/faces/restore-faces';
import type { PixelBuffer } from '../../../pixels/types';
import { EngineError } from '../../engine-error';
import { ENGINE_ERROR_CODES, type EnhanceStage } from '../../protocol';
import { loadFaceDetectPack, type LoadedFaceRestorePack } from '../pack';
import type { OpenedModel } from '../session';
import type { StageContext, StageKind, StageOutput } from './stage-kind';

/** Default smallest face restored, in output pixels. */
export const DEFAULT_MIN_FACE = 40;

export const faceRestoreStage: StageKind<LoadedFaceRestorePack> = {
  serves: 'faces',
  depth: 'keep',
  enlarges: false,
  prepare(pack, options) {
    if (options.detectorDir === undefined) {
      throw new EngineError('BAD_REQUEST', `the faces stage needs a face detector pack (detectorDir) besides "${pack.manifest.id}"`);
    }
    return { modelId: pack.manifest.id, run: (rgb, ctx) => run(pack, options, options.detectorDir!, rgb, ctx) };
  },
};

interface FaceModels {
  detector: OpenedModel;
  restorer: OpenedModel;
  dispose(): Promise<void>;
}

/**
 * Detector and restorer held together as one group of the session cache (it keeps one model or group at a time, and
 * the stage needs both for every face).
 */
async function openModels(pack: LoadedFaceRestorePack, detectorPath: string, ctx: StageContext): Promise<FaceModels> {
  try {
    return await ctx.sessions.getGroup(
      { id: `faces:${pack.modelPath}:${detectorPath}`, provider: ctx.provider, ...(ctx.threads !== undefined ? { threads: ctx.threads } : {}) },
      async (openMember) => {
        const detector = await openMember(detectorPath);
        let restorer: OpenedModel;
        try {
          restorer = await openMember(pack.modelPath);
        } catch (err) {
          await detector.runner.dispose();
          throw err;
        }
        return { detector, restorer, dispose: async () => { await detector.runner.dispose(); await restorer.runner.dispose(); } };
      },
      ctx.hooks.onWarning,
    );
  } catch (err) {
    throw new EngineError(ENGINE_ERROR_CODES.MODEL_ERROR, `cannot open the face models of "${pack.manifest.id}": ${(err as Error).message}`, { cause: err });
  }
}

async function run(pack: LoadedFaceRestorePack, options: EnhanceStage, detectorDir: string, rgb: PixelBuffer, ctx: StageContext): Promise<StageOutput> {
  const detectorPack = await loadFaceDetectPack(detectorDir);
  ctx.hooks.onProgress('load-model', 0, 1);
  const { detector, restorer } = await openModels(pack, detectorPack.modelPath, ctx);
  ctx.hooks.onProgress('load-model', 1, 1);
  const m = pack.manifest;
  const result = await restoreFaces(rgb, detector.runner, restorer.runner, {
    minFace: options.minFace ?? DEFAULT_MIN_FACE,
    fidelity: options.faceFidelity ?? 1,
    colorMatch: m.faces.colorMatch,
    size: m.faces.size,
    inputName: m.model.input,
    outputName: m.model.output,
    ...(m.model.fidelityInput !== undefined ? { fidelityInput: m.model.fidelityInput } : {}),
    onProgress: (stage, done, total) => ctx.hooks.onProgress(stage, done, total),
  });
  const provenance = describeFaces(m.id, result.faces);
  const small = result.faces.length - result.faces.filter((f) => f.status === 'restored').length;
  if (small === result.faces.length) {
    const left = small > 0 ? ` (${small === 1 ? '1 smaller face was left as it was' : `${small} smaller faces were left as they were`})` : '';
    ctx.hooks.onWarning(`faces: no face of ${options.minFace ?? DEFAULT_MIN_FACE} px or more found; the faces stage was skipped${left}`);
    return { rgb, provider: '', faces: result.faces, provenance };
  }
  return { rgb: result.image, provider: restorer.provider, faces: result.faces, provenance };
}
