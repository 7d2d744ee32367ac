/** Which rows of a fixed-height list are on screen (plus `overscan` either side); pure, tested on its own. */
export function visibleRange(count: number, rowHeight: number, scrollTop: number, viewportHeight: number, overscan: number): { start: number; end: number } {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  // Before the first layout the viewport height is 0: render a screenful anyway so the first paint is not empty.
  const height = viewportHeight > 0 ? viewportHeight : rowHeight * 20;
  // A stale scrollTop past the end (the list just shrank) must still give rows that exist.
  const first = Math.min(count - 1, Math.floor(Math.max(0, scrollTop) / rowHeight));
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + Math.ceil(height / rowHeight) + overscan + 1);
  return { start, end: Math.max(start, end) };
}
