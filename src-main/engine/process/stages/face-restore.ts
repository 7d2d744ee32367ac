/**
 * The face-restore stage (GFPGAN/CodeFormer-layout packs, and one-step diffusion face packs: face-diffusion.ts) of the
 * chain's `faces` position, run on the image at its final resolution (after super-resolution):
 *   1. check    — the request names the face detector pack (the embedded BlazeFace)
 *   2. sessions — detector and restorer, cached like every model
 *   3. faces    — detect, align, restore, paste back (pipelines/faces); no face → the stage is skipped and says so
 *   4. report   — every face found as a box (restored, or too small) and the stage's line in the result's history
 */
import { describeFaces } from '../../../pipelines/faces/face-box';
import { restoreFaces, type FaceRestorer } from '../../../pipelines/faces/restore-faces';
import type { ModelRunner, PixelBuffer } from '../../../pixels/types';
import { EngineError } from '../../engine-error';
import { ENGINE_ERROR_CODES, type EnhanceStage } from '../../protocol';
import { loadFaceDetectPack, type LoadedFaceRestorePack } from '../pack';
import type { EnhanceHooks } from '../hooks';
import type { OpenedModel } from '../session';
import type { OpenGroupMember } from '../session-cache';
import { faceDiffusionRestorer, openFaceDiffusion } from './face-diffusion';
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
  /** The face model: a GAN-layout runner, or a one-step diffusion pack's restorer given the request's hooks. */
  restorer: (hooks: EnhanceHooks) => ModelRunner | FaceRestorer;
  provider: string;
  dispose(): Promise<void>;
}

/** Opens the pack's face model(s) after the detector; releases the detector if that fails. */
async function openRestorer(pack: LoadedFaceRestorePack, openMember: OpenGroupMember, detector: OpenedModel): Promise<FaceModels> {
  try {
    if (pack.manifest.layout === 'onestep-diffusion') {
      const { view, sessions } = await openFaceDiffusion(pack, openMember);
      return {
        detector,
        restorer: (hooks) => faceDiffusionRestorer(view, sessions, hooks),
        get provider() { return sessions.provider; },
        dispose: async () => { await detector.runner.dispose(); await sessions.dispose(); },
      };
    }
    const restorer = await openMember(pack.modelPath!, { spinning: false });
    return {
      detector,
      restorer: () => restorer.runner,
      get provider() { return restorer.provider; },
      dispose: async () => { await detector.runner.dispose(); await restorer.runner.dispose(); },
    };
  } catch (err) {
    await detector.runner.dispose();
    throw err;
  }
}

/**
 * Detector and restorer held together as one group of the session cache (the stage needs both for every face). The
 * restorer runs without spin-waiting: between its runs the stage aligns and pastes in JavaScript, which spinning
 * runtime threads would slow down. The detector spins (onnxruntime's default): its couple of hundred short windows
 * have little JavaScript between them, and on an idle 2-core machine spinning took the 24 MP detection from 2.15 s to
 * 1.65 s (`npm run bench -- --only faces`); the restorer spinning made align + paste slower (13.6 → 14.9 %).
 */
async function openModels(pack: LoadedFaceRestorePack, detectorPath: string, ctx: StageContext): Promise<FaceModels> {
  try {
    return await ctx.sessions.getGroup(
      { id: `faces:${pack.dir}:${pack.manifest.layout}:${detectorPath}`, provider: ctx.provider, ...(ctx.threads !== undefined ? { threads: ctx.threads } : {}) },
      async (openMember) => openRestorer(pack, openMember, await openMember(detectorPath)),
      ctx.hooks.onWarning,
    );
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw new EngineError(ENGINE_ERROR_CODES.MODEL_ERROR, `cannot open the face models of "${pack.manifest.id}": ${(err as Error).message}`, { cause: err });
  }
}

async function run(pack: LoadedFaceRestorePack, options: EnhanceStage, detectorDir: string, rgb: PixelBuffer, ctx: StageContext): Promise<StageOutput> {
  const detectorPack = await loadFaceDetectPack(detectorDir);
  ctx.hooks.onProgress('load-model', 0, 1);
  const models = await openModels(pack, detectorPack.modelPath, ctx);
  ctx.hooks.onProgress('load-model', 1, 1);
  const m = pack.manifest;
  const result = await restoreFaces(rgb, models.detector.runner, models.restorer(ctx.hooks), {
    minFace: options.minFace ?? DEFAULT_MIN_FACE,
    fidelity: options.faceFidelity ?? 1,
    colorMatch: m.faces.colorMatch,
    size: m.faces.size,
    ...(m.model ? { inputName: m.model.input, outputName: m.model.output } : {}),
    ...(m.model?.fidelityInput !== undefined ? { fidelityInput: m.model.fidelityInput } : {}),
    onProgress: (stage, done, total) => ctx.hooks.onProgress(stage, done, total),
  });
  const provenance = describeFaces(m.id, result.faces);
  const small = result.faces.length - result.faces.filter((f) => f.status === 'restored').length;
  if (small === result.faces.length) {
    const left = small > 0 ? ` (${small === 1 ? '1 smaller face was left as it was' : `${small} smaller faces were left as they were`})` : '';
    ctx.hooks.onWarning(`faces: no face of ${options.minFace ?? DEFAULT_MIN_FACE} px or more found; the faces stage was skipped${left}`);
    return { rgb, provider: '', faces: result.faces, provenance };
  }
  return { rgb: result.image, provider: models.provider, faces: result.faces, provenance };
}
