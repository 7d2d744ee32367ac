/**
 * A face as a result reports it — the faces stage's output, the library row's record and the compare view's overlay
 * share this one schema — and the words the result's history uses for the faces stage.
 *
 * Boxes are in pixels of the written image (the faces stage runs at the final resolution, after super-resolution).
 */
import { z } from 'zod';

/** What the stage did with a face it found. */
export const FACE_STATUSES = ['restored', 'too-small'] as const;
export type FaceStatus = (typeof FACE_STATUSES)[number];

export const FaceBoxSchema = z.object({
  x: z.number(),
  y: z.number(),
  width: z.number().nonnegative(),
  height: z.number().nonnegative(),
  /** Detection score, 0–1. */
  score: z.number().min(0).max(1),
  /** 'restored', or 'too-small': found but narrower than the stage's minimum, left as it was. */
  status: z.enum(FACE_STATUSES),
});
export type FaceBox = z.infer<typeof FaceBoxSchema>;

export const FaceBoxesSchema = z.array(FaceBoxSchema);

/**
 * The faces stage in the result's history: "faces: 3 restored (gfpgan-v1.4); 1 too small", or "faces: none found
 * (gfpgan-v1.4)". No commas or braces: the text becomes a field of ExifTool's XMP history structure, where they
 * separate fields.
 */
export function describeFaces(packId: string, faces: readonly Pick<FaceBox, 'status'>[]): string {
  const restored = faces.filter((f) => f.status === 'restored').length;
  const small = faces.length - restored;
  if (faces.length === 0) return `faces: none found (${packId})`;
  const parts = [`faces: ${restored === 0 ? 'none' : restored} restored (${packId})`];
  if (small > 0) parts.push(`${small} too small`);
  return parts.join('; ');
}
