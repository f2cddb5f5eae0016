import type { FollowerProgress } from './follower-progress';
import type { LogIndex, NodeId } from './ids';

export type Role = 'follower' | 'candidate' | 'leader';

/** A ReadIndex round waiting for a majority's confirmation (thesis 6.4). */
export interface PendingRead {
  requestId: number;
  /** null until this leader has committed an entry of its own term */
  index: LogIndex | null;
  seq: number;
  acks: Set<NodeId>;
}

/**
 * What only a leader knows (Raft figure 2, "volatile state on leaders", plus the ReadIndex
 * rounds of thesis 6.4). Created on winning an election and dropped on stepping down, so
 * nothing of one term's leadership can leak into a later one.
 */
export class LeaderState {
  readonly progress = new Map<NodeId, FollowerProgress>();
  /** ReadIndex rounds waiting for a majority's confirmation */
  pendingReads: PendingRead[] = [];
  /** numbers heartbeat rounds, so an answer confirms the reads that were pending when its round left */
  readSeq = 0;
  readRoundPending = false;
  /** the commitIndex moved and followers have not been told yet */
  commitNewsPending = false;
  heartbeatElapsedTicks = 0;

  /** `termStartIndex`: the first index of this leader's term; once applied, its state machine is current */
  constructor(readonly termStartIndex: LogIndex) {}
}

/**
 * The node's role and what belongs to it alone: a candidate's votes (section 5.2) live
 * only while it is a candidate, a leader's state only while it leads.
 */
export type RoleState =
  | { readonly role: 'follower' }
  | { readonly role: 'candidate'; readonly votes: Set<NodeId> }
  | { readonly role: 'leader'; readonly leader: LeaderState };

/**
 * A pre-vote round under way (thesis 9.6): the term has not moved yet. Started by a
 * follower or a candidate whose election timed out, ended by any change of role or by
 * hearing from a leader.
 */
export interface PreVoteRound {
  readonly granted: Set<NodeId>;
}
