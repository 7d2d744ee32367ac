/**
 * The Models screen in a photographer's words: what each installed pack is good for, and one sentence on each kind of
 * pack Revive can use and where such packs come from. Pure data, so the wording is reviewed (and translated) in one
 * place.
 */
import type { ModelInfo } from '../../../../src-preload/contract';

/** What a pack is good for, from its kind and speed. */
export function goodFor(m: Pick<ModelInfo, 'kind' | 'speed'>): string {
  if (m.kind === 'face-detect') return 'Finds the faces in a photo so a face pack can restore them; comes with Revive.';
  if (m.kind === 'face-restore') return 'Restores faces after enlarging, pasted back without a seam; choose it under Faces on the start screen.';
  if (m.kind === 'inpaint') return 'Fills tears, missing corners and other large holes when a photo is repaired; used automatically once installed.';
  if (m.kind === 'onestep-diffusion') return 'Re-imagines detail lost in old, blurry or damaged photos. Slow, and it can invent details: compare before you keep.';
  if (m.speed === 'fast') return 'Quick sharpening and enlarging of everyday photos: good for big batches.';
  return 'The most detail for small or soft photos, at a slower pace.';
}

/**
 * The Models screen's groups: packs by what they do to a photo, each with one line on what that is, and — when none
 * of the group's working packs is installed — one line on where such packs come from. Kinds are plain strings so a
 * group can name a kind this build's contract does not list yet (its group then stays empty and says where to look).
 */
export interface PackGroup {
  id: 'enhance' | 'faces' | 'repair' | 'colour';
  title: string;
  /** What the group's packs do, in one line. */
  description: string;
  /** Every kind the group shows. */
  kinds: readonly string[];
  /** The kinds that do the group's work (the face detector alone restores nothing); none installed → `source` shows. */
  working: readonly string[];
  /** Where such packs come from, shown while none of `working` is installed. */
  source: string;
}

export const PACK_GROUPS: readonly PackGroup[] = [
  {
    id: 'enhance',
    title: 'Enhance (upscale)',
    description: 'Sharpen and enlarge the whole photo; diffusion packs rebuild more texture in worn photos, slowly.',
    kinds: ['pixel-sr', 'onestep-diffusion'],
    working: ['pixel-sr', 'onestep-diffusion'],
    source: 'Real-ESRGAN packs come with Revive; diffusion packs (OSEDiff) are made from their authors’ published weights.',
  },
  {
    id: 'faces',
    title: 'Faces',
    description: 'Find the faces in a photo and restore them after enlarging, pasted back without a seam.',
    kinds: ['face-detect', 'face-restore'],
    working: ['face-restore'],
    source: 'No face pack yet: open face-restoration models such as GFPGAN or CodeFormer, packed for Revive, are installed below.',
  },
  {
    id: 'repair',
    title: 'Repair',
    description: 'Fill in scratches, tears and missing corners. Dust and fine scratches are repaired without a pack.',
    kinds: ['inpaint'],
    working: ['inpaint'],
    source: 'No repair pack yet: open inpainting models such as LaMa, packed for Revive, are installed below.',
  },
  {
    id: 'colour',
    title: 'Colour',
    description: 'Add natural colour to black-and-white and sepia photos.',
    kinds: ['colorize'],
    working: ['colorize'],
    source: 'No colour pack yet: open colourisation models such as DDColor, packed for Revive, are installed below.',
  },
];

/** The installed packs in their groups, in the groups' order; packs of a kind no group names are returned apart. */
export function groupPacks<M extends { kind: string }>(models: readonly M[]): { groups: { group: PackGroup; models: M[] }[]; other: M[] } {
  const groups = PACK_GROUPS.map((group) => ({ group, models: models.filter((m) => group.kinds.includes(m.kind)) }));
  const other = models.filter((m) => !PACK_GROUPS.some((g) => g.kinds.includes(m.kind)));
  return { groups, other };
}
