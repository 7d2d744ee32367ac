/**
 * The stage table: every pack kind the engine runs → how it serves the restoration chain. Adding a kind (inpaint for
 * repair, face-restore for faces, colorize for colour) is one entry here and its own file beside this one.
 */
import type { PackKind } from '../../../models/manifest';
import type { LoadedPack } from '../pack';
import { oneStepDiffusionStage } from './onestep-diffusion';
import { pixelSrStage } from './pixel-sr';
import type { StageKind } from './stage-kind';

type PackOfKind<K extends PackKind> = Extract<LoadedPack, { manifest: { kind: K } }>;

const STAGE_TABLE: { readonly [K in PackKind]: StageKind<PackOfKind<K>> } = {
  'pixel-sr': pixelSrStage,
  'onestep-diffusion': oneStepDiffusionStage,
};

/** The table's entry for `pack`'s kind. */
export function stageKindOf(pack: LoadedPack): StageKind {
  // The table is keyed by the same `manifest.kind` that picks the pack's type, which TypeScript cannot follow.
  return STAGE_TABLE[pack.manifest.kind] as StageKind;
}
