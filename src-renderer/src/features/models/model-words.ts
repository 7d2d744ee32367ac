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

/** The kinds of pack, one sentence each: what they do and where they come from. */
export const PACK_KINDS: readonly { kind: string; label: string; sentence: string }[] = [
  {
    kind: 'diffusion',
    label: 'Diffusion',
    sentence: 'rebuilds texture in badly degraded photos with a generative model (OSEDiff, from its authors’ published weights); a large download.',
  },
  { kind: 'face', label: 'Faces', sentence: 'restores faces that are blurred or small (open face-restoration models such as GFPGAN or CodeFormer).' },
  { kind: 'inpaint', label: 'Scratch repair', sentence: 'fills in scratches, tears and spots (open inpainting models such as LaMa).' },
  { kind: 'colour', label: 'Colour', sentence: 'adds colour to black-and-white photos (open colourisation models such as DDColor).' },
];
