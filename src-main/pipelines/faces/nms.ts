/**
 * Weighted non-maximum suppression, MediaPipe's "WEIGHTED" algorithm: detections are taken in falling score order;
 * each one gathers every remaining detection that overlaps it by more than the threshold (IoU), and the group is
 * replaced by the score-weighted mean of its boxes and keypoints, keeping the best score. Averaging a cluster
 * steadies the box and keypoints more than keeping the single best one.
 */
import type { FaceDetection } from './blazeface';

/** Intersection over union of two boxes. */
export function iou(a: FaceDetection, b: FaceDetection): number {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = ix * iy;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** Weighted NMS over `detections` (not modified); `threshold` is the IoU above which two detections are one face. */
export function weightedNms(detections: readonly FaceDetection[], threshold: number): FaceDetection[] {
  let remaining = [...detections].sort((p, q) => q.score - p.score);
  const out: FaceDetection[] = [];
  while (remaining.length > 0) {
    const best = remaining[0]!;
    const group: FaceDetection[] = [];
    const rest: FaceDetection[] = [];
    for (const d of remaining) (iou(best, d) > threshold || d === best ? group : rest).push(d);
    remaining = rest;
    out.push(weightedMean(group, best.score));
  }
  return out;
}

function weightedMean(group: readonly FaceDetection[], score: number): FaceDetection {
  let total = 0;
  let x = 0;
  let y = 0;
  let w = 0;
  let h = 0;
  const kps = group[0]!.keypoints.map((): [number, number] => [0, 0]);
  for (const d of group) {
    total += d.score;
    x += d.score * d.x;
    y += d.score * d.y;
    w += d.score * d.width;
    h += d.score * d.height;
    d.keypoints.forEach((k, i) => {
      kps[i]![0] += d.score * k[0];
      kps[i]![1] += d.score * k[1];
    });
  }
  return {
    score,
    x: x / total,
    y: y / total,
    width: w / total,
    height: h / total,
    keypoints: kps.map(([kx, ky]): [number, number] => [kx / total, ky / total]),
  };
}
