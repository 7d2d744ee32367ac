/**
 * The repair pipeline's user-facing choices, defined where the pipeline lives; the engine protocol and the job
 * settings re-use these schemas so the vocabulary has one home.
 */
import { z } from 'zod';

/** Default detection sensitivity (0 = only the most obvious defects, 100 = everything that might be one). */
export const DEFAULT_SENSITIVITY = 50;

export const RepairOptionsSchema = z.object({
  /** Detect and inpaint defects: 'off' skips detection (a user mask is still repaired), 'auto' detects. */
  mode: z.enum(['off', 'auto']).default('auto'),
  /** Small isolated specks (dust, mould spots). */
  dust: z.boolean().default(true),
  /** Long thin lines (film scratches, print scratches, cracks). */
  scratches: z.boolean().default(true),
  /** 0–100: how faint a defect may be and still be found. */
  sensitivity: z.number().int().min(0).max(100).default(DEFAULT_SENSITIVITY),
  /** Automatic correction of fading and colour casts. */
  colour: z.enum(['off', 'restore']).default('off'),
  /** 0–1: share of the colour correction blended over the repaired photo. */
  strength: z.number().min(0).max(1).default(1),
});
export type RepairOptions = z.infer<typeof RepairOptionsSchema>;
export type RepairOptionsInput = z.input<typeof RepairOptionsSchema>;
