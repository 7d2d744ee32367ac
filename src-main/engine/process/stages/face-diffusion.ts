/**
 * The one-step diffusion layout of face-restore packs (OSEDiff's face LoRA merged into SD 2.1's UNet): the faces
 * stage's restorer is the one-step diffusion pipeline (pipelines/onestep-diffusion.ts) run at 1× on each aligned
 * face, with the pack's SD graphs opened exactly as a one-step-diffusion pack's (diffusion-sessions.ts), through the
 * pack's {@link oneStepFaceView}.
 *
 * The aligned face crosses as 16-bit RGB so the pipeline's quantisation costs nothing visible; the prompt is the
 * empty one (a face pack carries no tagger; whether the reference prompts faces with tags is not verified here); the
 * strength is 1 — the faces stage's fidelity blends at paste-back, as it does for a GAN pack without a fidelity input.
 */
import os from 'node:os';
import { oneStepFaceView, type OneStepManifest } from '../../../models/manifest';
import type { FaceRestorer } from '../../../pipelines/faces/restore-faces';
import { runOneStepDiffusion } from '../../../pipelines/onestep-diffusion';
import { openOneStepSessions, type OneStepSessions } from '../diffusion-sessions';
import { chooseDiffusionTiles } from '../diffusion-tiles';
import type { EnhanceHooks } from '../hooks';
import type { LoadedFaceRestorePack } from '../pack';
import type { OpenGroupMember } from '../session-cache';
import { resize } from './onestep-diffusion';

const MAX16 = 65535;

/** The pack's diffusion sessions (no tagger) and the one-step manifest they serve. */
export async function openFaceDiffusion(pack: LoadedFaceRestorePack, openMember: OpenGroupMember): Promise<{ view: OneStepManifest; sessions: OneStepSessions }> {
  const view = oneStepFaceView(pack.manifest);
  return { view, sessions: await openOneStepSessions({ dir: pack.dir, manifest: view }, openMember, { withTagger: false }) };
}

/** The restorer of a one-step diffusion face pack: aligned face (HWC [0, 1]) → the pipeline's 1× result. */
export function faceDiffusionRestorer(view: OneStepManifest, sessions: OneStepSessions, hooks: EnhanceHooks): FaceRestorer {
  return async (aligned, size) => {
    const data = new Uint16Array(aligned.length);
    for (let i = 0; i < aligned.length; i++) data[i] = Math.round(Math.min(Math.max(aligned[i]!, 0), 1) * MAX16);
    const out = await runOneStepDiffusion({ data, width: size, height: size, channels: 3 }, sessions.models, {
      scale: 1,
      diffusion: sessions.params,
      promptMode: 'none',
      colorFix: view.diffusion.colorFix,
      strength: 1,
      tiles: chooseDiffusionTiles(view, hooks.freeBytes?.() ?? os.freemem() / 2),
      resize,
      onWarning: hooks.onWarning,
    });
    const k = 1 / (out.data instanceof Uint16Array ? MAX16 : 255);
    return Float32Array.from(out.data, (v) => v * k);
  };
}
