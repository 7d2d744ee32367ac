/**
 * The stage table: every pack kind the engine runs → how it serves the restoration chain. Adding a kind (inpaint for
 * repair, face-restore for faces, colorize for colour) is one entry here and its own file beside this one.
 */
import type { PackKind } from '../../../models/manifest';
import { EngineError } from '../../engine-error';
import { ENGINE_ERROR_CODES } from '../../protocol';
import type { LoadedPack } from '../pack';
import { colorizeStage } from './colorize';
import { faceRestoreStage } from './face-restore';
import { inpaintStage } from './inpaint';
import { oneStepDiffusionStage } from './onestep-diffusion';
import { pixelSrStage } from './pixel-sr';
import type { StageKind } from './stage-kind';

type PackOfKind<K extends PackKind> = Extract<LoadedPack, { manifest: { kind: K } }>;

/** Kinds that are tools of a stage rather than a stage (the face detector serves the faces stage). */
type ToolKind = 'face-detect';

const STAGE_TABLE: { readonly [K in Exclude<PackKind, ToolKind>]: StageKind<PackOfKind<K>> } = {
  'pixel-sr': pixelSrStage,
  'onestep-diffusion': oneStepDiffusionStage,
  'face-restore': faceRestoreStage,
  inpaint: inpaintStage,
  colorize: colorizeStage,
};

/** The table's entry for `pack`'s kind. */
export function stageKindOf(pack: LoadedPack): StageKind {
  if (pack.manifest.kind === 'face-detect') {
    throw new EngineError(ENGINE_ERROR_CODES.BAD_PACK, `model pack "${pack.manifest.id}" is a face detector: the faces stage uses it, it is not a stage`);
  }
  // The table is keyed by the same `manifest.kind` that picks the pack's type, which TypeScript cannot follow.
  return STAGE_TABLE[pack.manifest.kind] as StageKind;
}
