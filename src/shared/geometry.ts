// The composite's geometry, shared by the engine (which saves it), the host (which renders parts
// of it) and the panel (which lays it out): the reference script's picture is original | strip | clusters.

/** The gray of the strip between the halves. */
export const STRIP_VALUE = 193;

/** The reference script's int(0.0625 * W): 0.0625 is exact in binary, so the floor of the product is the same. */
export function stripWidth(width: number): number {
  return Math.floor(0.0625 * width);
}

/** The reference script's composite of an image width x height: both halves and the strip, side by side. */
export function compositeSize(width: number, height: number): { width: number; height: number } {
  return { width: 2 * width + stripWidth(width), height };
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * How the panel shows the two halves: the reference script's side by side, one above the other, or one
 * over the other with a divider to drag (swipe). Saved composites always use the reference script's.
 */
export type LayoutId = 'side' | 'stacked' | 'swipe';
export const LAYOUT_IDS: readonly LayoutId[] = ['side', 'stacked', 'swipe'];

export interface Placement {
  /** The picture's size in image pixels. */
  width: number;
  height: number;
  /** Where each half's top-left corner is. */
  original: { x: number; y: number };
  right: { x: number; y: number };
  /** The strip between the halves, if the layout has one. */
  strip?: Rect;
}

/** Where the halves of an image width x height go in a layout (image pixels). */
export function placeHalves(layout: LayoutId, width: number, height: number): Placement {
  const s = stripWidth(width);
  if (layout === 'stacked') {
    const gap = stripWidth(height);
    return { width, height: 2 * height + gap, original: { x: 0, y: 0 }, right: { x: 0, y: height + gap }, strip: { x: 0, y: height, width, height: gap } };
  }
  if (layout === 'swipe') return { width, height, original: { x: 0, y: 0 }, right: { x: 0, y: 0 } };
  return { width: 2 * width + s, height, original: { x: 0, y: 0 }, right: { x: width + s, y: 0 }, strip: { x: width, y: 0, width: s, height } };
}

/**
 * The long side of the pictures the host sends for an image whose long side is `side` when the
 * panel asks for at most `max`: never more than the image has.
 */
export function displayScale(width: number, height: number, max: number): number {
  return Math.min(1, max / Math.max(width, height));
}

/** A size scaled by `scale`, at least 1 x 1. */
export function scaledSize(width: number, height: number, scale: number): { width: number; height: number } {
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
