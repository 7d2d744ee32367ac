/** Rectangles in pixel coordinates, shared by the tile planner, the tensor copies and the region preview. */

/** A rectangle: top-left corner and size, in pixels. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Rows/columns added beyond each edge of a source rectangle. */
export interface Sides {
  left: number;
  top: number;
  right: number;
  bottom: number;
}
