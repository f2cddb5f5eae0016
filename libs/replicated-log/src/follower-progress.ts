import type { LogIndex } from './ids';

/**
 * What the leader knows of one follower (Raft figure 2, "volatile state on leaders").
 * While `probing`, the leader sends one message at a time until it finds where the logs
 * agree; afterwards it streams entries optimistically, advancing nextIndex as it sends.
 */
export interface FollowerProgress {
  nextIndex: LogIndex;
  matchIndex: LogIndex;
  probing: boolean;
  /** the leader's tick count when it last heard from this follower */
  lastHeardTick: number;
}

export function newFollowerProgress(leaderLastIndex: LogIndex, nowTick: number): FollowerProgress {
  return { nextIndex: leaderLastIndex + 1, matchIndex: 0, probing: true, lastHeardTick: nowTick };
}
