import { assert } from './assert';
import type { LogIndex } from './ids';

/** The smallest number of members that forms a majority. */
export function majorityOf(memberCount: number): number {
  return Math.floor(memberCount / 2) + 1;
}

/**
 * The highest index that a majority has on disk, given each member's match index
 * (Raft section 5.3: an entry is committed once stored on a majority).
 */
export function quorumMatchIndex(matchIndexes: readonly LogIndex[]): LogIndex {
  if (matchIndexes.length === 0) return 0;
  const sorted = [...matchIndexes].sort((a, b) => b - a);
  const index = sorted[majorityOf(sorted.length) - 1];
  assert(index !== undefined, 'a majority larger than the membership');
  return index;
}
