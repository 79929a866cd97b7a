/**
 * Culprits no probe can tell apart. Probing position i only splits "culprit <= i" from
 * "culprit > i", so culprits k-1 and k are distinguishable only by probing k-1: a run of skipped
 * positions and the probeable position after it form one block, and confidence is only ever
 * reachable for a block, not for one candidate inside it.
 */

/** Inclusive [start, end] positions. */
export type Block = readonly [start: number, end: number];

/** Splits positions 0..size-1 into blocks; the last position always ends a block. */
export function indistinguishableBlocks(size: number, probeable: (position: number) => boolean): Block[] {
  const blocks: Block[] = [];
  let start = 0;
  for (let k = 0; k < size; k++) {
    if (probeable(k) || k === size - 1) {
      blocks.push([start, k]);
      start = k + 1;
    }
  }
  return blocks;
}
