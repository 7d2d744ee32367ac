/**
 * The engine chain for a job's settings: one enhance stage with its options, then the faces stage (on the result, at
 * its final resolution) when the job asks for it, then the colour stage, last, when the job asks for it.
 */
import type { EnhanceStage } from '../engine/protocol';
import { FACE_DETECTOR_PACK_ID } from '../models/face-detector';
import type { EnhanceJob } from './engine';
import { colorizeRuns, type JobSettings } from '../settings/job-settings';

type ChainFields = Pick<EnhanceJob, 'modelDir' | 'stages' | 'tile' | 'promptMode' | 'prompt' | 'colorFix' | 'strength'>;

/** The colour stage for the settings, or undefined when they ask for none. */
function colourStage(s: JobSettings, resolveModelDir: (id: string) => string): EnhanceStage | undefined {
  if (!colorizeRuns(s)) return undefined;
  return {
    stage: 'colour',
    modelDir: resolveModelDir(s.colorizePack!),
    colorize: s.colorize === 'on' ? 'on' : 'auto',
    ...(s.colorizeStrength !== undefined ? { colorizeStrength: s.colorizeStrength } : {}),
  };
}

/** The chain part of the engine request; `resolveModelDir` maps a pack id to its folder. */
export function engineChain(s: JobSettings, resolveModelDir: (id: string) => string): ChainFields {
  // The job and the engine both keep strength as the app's 0–1 fraction.
  const enhance = { tile: s.tile, promptMode: s.promptMode, prompt: s.prompt, colorFix: s.colorFix, strength: s.strength };
  const modelDir = resolveModelDir(s.model);
  const faces = s.faces === 'auto' && s.facePack !== undefined;
  const colour = colourStage(s, resolveModelDir);
  if (!faces && !colour) return { modelDir, ...enhance };
  const defined = Object.fromEntries(Object.entries(enhance).filter(([, v]) => v !== undefined));
  const stages: EnhanceStage[] = [{ stage: 'enhance', modelDir, ...defined }];
  if (faces) {
    stages.push({
      stage: 'faces',
      modelDir: resolveModelDir(s.facePack!),
      detectorDir: resolveModelDir(FACE_DETECTOR_PACK_ID),
      ...(s.faceFidelity !== undefined ? { faceFidelity: s.faceFidelity } : {}),
    });
  }
  if (colour) stages.push(colour);
  return { stages };
}
