// Rank helpers shared by the views: selections (a Set or an array from the panel) and grays.
import { grayLevel } from '../composite';

/** A k-entry table: 1 where the rank is selected. Throws RangeError on a rank outside 0..k-1. */
export function selectionTable(selected: ReadonlySet<number> | readonly number[], k: number): Uint8Array {
  const table = new Uint8Array(Math.max(k, 256));
  for (const rank of selected) {
    if (!Number.isInteger(rank) || rank < 0 || rank >= k) {
      throw new RangeError(`cluster ${rank} does not exist: ranks are 0..${k - 1}`);
    }
    table[rank] = 1;
  }
  return table;
}

export function checkRank(rank: number, k: number): void {
  if (!Number.isInteger(rank) || rank < 0 || rank >= k) {
    throw new RangeError(`cluster ${rank} does not exist: ranks are 0..${k - 1}`);
  }
}

/**
 * The composite's gray for a rank. A one-colour image caps k to 1, where the reference script's formula
 * divides by zero; its single cluster is black, like rank 0 always is.
 */
export function rankGray(rank: number, k: number): number {
  return k > 1 ? grayLevel(rank, k) : 0;
}
