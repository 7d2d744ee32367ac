/**
 * Alignment of a detected face to the 512 × 512 template that GFPGAN/CodeFormer-style models are trained on.
 *
 * The template's points are the FFHQ 5-point layout those models use (eyes, nose tip, mouth corners); BlazeFace gives
 * the mouth's centre, not its corners, so the template's mouth point is the corners' midpoint. The transform is the
 * least-squares similarity (rotation, uniform scale, translation) from the detected points to the template's.
 */
import type { PixelBuffer } from '../../pixels/types';
import type { FaceDetection } from './blazeface';
import { sampleBilinear3 } from './bilinear';

/** Edge of the aligned face in pixels. */
export const FACE_SIZE = 512;

/** Template points at 512 px: the eye on the image's left, the eye on its right, nose tip, mouth centre. */
export const TEMPLATE_512: readonly (readonly [number, number])[] = [
  [192.98138, 239.94708],
  [318.90277, 240.1936],
  [256.63416, 314.01935],
  [(201.26117 + 313.08905) / 2, (371.41043 + 371.15118) / 2],
];

/** x' = a·x − b·y + tx, y' = b·x + a·y + ty. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** Least-squares similarity taking each `src` point to its `dst` point (at least two distinct points). */
export function fitSimilarity(src: readonly (readonly [number, number])[], dst: readonly (readonly [number, number])[]): Similarity {
  const n = src.length;
  const mean = (pts: readonly (readonly [number, number])[], i: 0 | 1): number => pts.reduce((s, p) => s + p[i], 0) / n;
  const sx = mean(src, 0);
  const sy = mean(src, 1);
  const dx = mean(dst, 0);
  const dy = mean(dst, 1);
  let num1 = 0;
  let num2 = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i]![0] - sx;
    const py = src[i]![1] - sy;
    const qx = dst[i]![0] - dx;
    const qy = dst[i]![1] - dy;
    num1 += px * qx + py * qy;
    num2 += px * qy - py * qx;
    den += px * px + py * py;
  }
  if (!(den > 0)) throw new Error('cannot align a face whose keypoints coincide');
  const a = num1 / den;
  const b = num2 / den;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

export function applySimilarity(t: Similarity, x: number, y: number): [number, number] {
  return [t.a * x - t.b * y + t.tx, t.b * x + t.a * y + t.ty];
}

export function invertSimilarity(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  const a = t.a / d;
  const b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/** The photo → template transform for a detected face (its eyes, nose and mouth keypoints), for a `size` px template. */
export function faceToTemplate(face: FaceDetection, size = FACE_SIZE): Similarity {
  const k = size / FACE_SIZE;
  return fitSimilarity(face.keypoints.slice(0, 4), TEMPLATE_512.map(([x, y]) => [x * k, y * k] as const));
}

/** Width of the face in photo pixels as the template sees it (the template's edge mapped back). */
export const alignedSpan = (t: Similarity, size = FACE_SIZE): number => size / Math.hypot(t.a, t.b);

/**
 * The aligned face: `size`² RGB, float32 HWC in [0, 1], bilinear from the photo (edges replicated), where template
 * pixel (u, v) shows the photo at the inverse transform of its centre.
 */
export function warpToTemplate(image: PixelBuffer, toTemplate: Similarity, size = FACE_SIZE): Float32Array {
  const inv = invertSimilarity(toTemplate);
  const out = new Float32Array(size * size * 3);
  const k = 1 / (image.data instanceof Uint16Array ? 65535 : 255);
  let o = 0;
  for (let v = 0; v < size; v++) {
    // The transform written out and stepped along the row (no tuple per pixel): this loop runs size² times per face.
    let x = inv.a * 0.5 - inv.b * (v + 0.5) + inv.tx - 0.5;
    let y = inv.b * 0.5 + inv.a * (v + 0.5) + inv.ty - 0.5;
    for (let u = 0; u < size; u++, o += 3, x += inv.a, y += inv.b) sampleBilinear3(image, x, y, out, o, k);
  }
  return out;
}
