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
  /** Index in the result's list. */
  index: number;
  /** The face's number in reading order (left to right, then top to bottom), as its label shows it. */
  number: number;
  status: FaceBox['status'];
  score: number;
  left: number;
  top: number;
  width: number;
  height: number;
  /** The label goes below the box when there is no room above it. */
  labelBelow: boolean;
  /** The label ends at the box's right edge when it would run past the pane's. */
  labelRight: boolean;
}

/** Room a label needs above its box, in CSS pixels. */
export const LABEL_ROOM = 22;
/** Width kept free for the longest label to the right of a box's left edge ("Face 12 · too small"), in CSS pixels. */
export const LABEL_WIDTH = 140;

/** The panes of the stage: the whole of it in the slider layout, its two halves side by side (as CompareView splits it). */
export function overlayPanes(stageWidth: number, side: boolean): OverlayPane[] {
  if (!side) return [{ left: 0, width: stageWidth }];
  const half = stageWidth / 2;
  return [
    { left: 0, width: half },
    { left: half, width: stageWidth - half },
  ];
}

/** 1-based numbers in reading order: by left edge, ties by top edge (the stage reports faces in its own order). */
function readingOrder(faces: readonly FaceBox[]): number[] {
  const order = faces.map((f, i) => ({ f, i })).sort((a, b) => a.f.x - b.f.x || a.f.y - b.f.y);
  const numbers = new Array<number>(faces.length);
  order.forEach(({ i }, rank) => (numbers[i] = rank + 1));
  return numbers;
}

/**
 * The boxes on screen within one pane of `paneWidth`: screen = image × scale + (x, y), the viewport's own mapping;
 * labels kept inside the pane where they can be.
 */
export function placeFaces(faces: readonly FaceBox[], view: Viewport, paneWidth: number): PlacedFace[] {
  const numbers = readingOrder(faces);
  return faces.map((f, index) => {
    const left = view.x + f.x * view.scale;
    const top = view.y + f.y * view.scale;
    const width = f.width * view.scale;
    return {
      index,
      number: numbers[index]!,
      status: f.status,
      score: f.score,
      left,
      top,
      width,
      height: f.height * view.scale,
      labelBelow: top < LABEL_ROOM,
      labelRight: left + LABEL_WIDTH > paneWidth && left + width - LABEL_WIDTH >= 0,
    };
  });
}

/** The label of a box, short enough to sit over a group photo; the style (solid or dashed) says the same. */
export function faceLabel(f: Pick<PlacedFace, 'number' | 'status'>): string {
  return f.status === 'restored' ? `Face ${f.number}` : `Face ${f.number} · too small`;
}

/** "2 faces restored, 1 too small": the toggle's summary. */
export function facesSummary(faces: readonly Pick<FaceBox, 'status'>[]): string {
  const restored = faces.filter((f) => f.status === 'restored').length;
  const small = faces.length - restored;
  const parts = [`${restored} ${restored === 1 ? 'face' : 'faces'} restored`];
  if (small > 0) parts.push(`${small} too small`);
  return parts.join(', ');
}
