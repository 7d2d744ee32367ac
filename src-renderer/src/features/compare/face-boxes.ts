/**
 * Where the result's face boxes fall on the compare stage: pure geometry over the shared viewport (viewport.ts), so
 * the overlay stays on the faces under any zoom and pan. In the slider layout one copy covers the whole stage (both
 * images show the same picture points there); side by side, each half shows the same part of the picture, so each
 * half gets its own copy, clipped to it.
 */
import type { FaceBox } from '../../../../src-preload/contract';
import type { Viewport } from './viewport';

/** One half (or the whole) of the stage, in stage CSS pixels. */
export interface OverlayPane {
  left: number;
  width: number;
}

/** A face box placed on screen, relative to its pane. */
export interface PlacedFace {
  /** Index in the result's list (the label's number). */
  index: number;
  status: FaceBox['status'];
  score: number;
  left: number;
  top: number;
  width: number;
  height: number;
  /** The label goes below the box when there is no room above it. */
  labelBelow: boolean;
}

/** Room a label needs above its box, in CSS pixels. */
export const LABEL_ROOM = 22;

/** The panes of the stage: the whole of it in the slider layout, its two halves side by side (as CompareView splits it). */
export function overlayPanes(stageWidth: number, side: boolean): OverlayPane[] {
  if (!side) return [{ left: 0, width: stageWidth }];
  const half = stageWidth / 2;
  return [
    { left: 0, width: half },
    { left: half, width: stageWidth - half },
  ];
}

/** The boxes on screen within one pane: screen = image × scale + (x, y), the viewport's own mapping. */
export function placeFaces(faces: readonly FaceBox[], view: Viewport): PlacedFace[] {
  return faces.map((f, index) => {
    const top = view.y + f.y * view.scale;
    return {
      index,
      status: f.status,
      score: f.score,
      left: view.x + f.x * view.scale,
      top,
      width: f.width * view.scale,
      height: f.height * view.scale,
      labelBelow: top < LABEL_ROOM,
    };
  });
}

/** The label of a box, in plain words. */
export function faceLabel(f: Pick<PlacedFace, 'index' | 'status'>): string {
  return f.status === 'restored' ? `Face ${f.index + 1} · restored` : `Face ${f.index + 1} · too small, left as it was`;
}

/** "2 faces restored, 1 too small": the toggle's summary. */
export function facesSummary(faces: readonly Pick<FaceBox, 'status'>[]): string {
  const restored = faces.filter((f) => f.status === 'restored').length;
  const small = faces.length - restored;
  const parts = [`${restored} ${restored === 1 ? 'face' : 'faces'} restored`];
  if (small > 0) parts.push(`${small} too small`);
  return parts.join(', ');
}
