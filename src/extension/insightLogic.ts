// The vscode-free half of the panel's insight features: the width the elbow curve is computed
// at, and the selection a saved mask may use. Unit-tested.
import type { ResultView } from '../shared/protocol';

/**
 * The elbow curve runs ~27 K-means fits: on a large image it is computed on a copy at most this
 * wide (its shape, and so the elbow, hardly depends on the size), which keeps it under ~2 s.
 */
export const ELBOW_MAX_WIDTH = 300;

/** The resize width for the elbow of an image `imageWidth` wide segmented at `width` (0 = original). */
export function elbowWidth(width: number, imageWidth: number): number {
  const effective = width > 0 ? width : imageWidth;
  if (effective <= ELBOW_MAX_WIDTH) return width;
  return ELBOW_MAX_WIDTH;
}

/** The view with only the ranks a result of k clusters has (a selection may predate a new k). */
export function viewForK(view: ResultView, k: number): ResultView {
  return { ...view, selected: view.selected.filter((r) => r < k) };
}

export const GRAY_VIEW: ResultView = { mode: 'gray', selected: [], white: false };
