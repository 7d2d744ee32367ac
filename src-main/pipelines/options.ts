/**
 * The diffusion pipeline's user-facing choices, defined where the pipeline lives so the pipeline never reaches up
 * into the pack manifest for its own vocabulary; the manifest and the engine protocol re-use these schemas.
 */
import { z } from 'zod';

/** How the result's colours are aligned with the input's: AdaIN (per-channel statistics), wavelet, or not at all. */
export const ColorFixSchema = z.enum(['adain', 'wavelet', 'none']);
export type ColorFix = z.infer<typeof ColorFixSchema>;
/** Where the prompt comes from: the tagger's tags, nothing (the empty prompt), or the user's text. */
export const PromptModeSchema = z.enum(['tags', 'none', 'custom']);
export type PromptMode = z.infer<typeof PromptModeSchema>;
