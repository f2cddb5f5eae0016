import type { LogIndex, NodeId, Term } from './ids';
import type { LogEntry } from './log-entry';
import type { SnapshotMeta } from './snapshot-meta';

/** Raft section 5.3. An empty `entries` is a heartbeat. */
export interface AppendEntriesMessage<C> {
  type: 'appendEntries';
  from: NodeId;
  to: NodeId;
  term: Term;
  prevLogIndex: LogIndex;
  prevLogTerm: Term;
  entries: LogEntry<C>[];
  leaderCommit: LogIndex;
  /** the leader's latest ReadIndex round; echoed back to confirm leadership (thesis 6.4) */
  readSeq?: number;
}

export interface AppendEntriesReplyMessage {
  type: 'appendEntriesReply';
  from: NodeId;
  to: NodeId;
  term: Term;
  success: boolean;
  /** on success: the last index known to match the leader's log and be on disk */
  matchIndex: LogIndex;
  /** on failure: the follower's last index, so the leader can skip back at once */
  lastLogIndex: LogIndex;
  /** on failure: the prevLogIndex of the rejected message, so a stale rejection is ignored */
  rejectedIndex?: LogIndex;
  readSeq?: number;
  /** the replying node's storage: an acknowledgement counts only from the member's recorded one */
  storageId: string;
}

/**
 * Raft section 5.2. With `preVote` (thesis 9.6) it only asks whether the receiver would
 * vote at `term`; nobody changes term or vote for it.
 */
export interface RequestVoteMessage {
  type: 'requestVote';
  from: NodeId;
  to: NodeId;
  term: Term;
  preVote?: boolean;
  lastLogIndex: LogIndex;
  lastLogTerm: Term;
}

export interface RequestVoteReplyMessage {
  type: 'requestVoteReply';
  from: NodeId;
  to: NodeId;
  term: Term;
  granted: boolean;
  preVote?: boolean;
  /** the voter's storage: a vote counts only from the member's recorded one */
  storageId: string;
}

/**
 * Raft section 7 / thesis 5.3. The core says only which snapshot the follower needs; the
 * driver moves its bytes in chunks and, on the follower, steps this message in once the
 * whole snapshot is durable there. The follower answers with an AppendEntriesReply whose
 * matchIndex is the snapshot's index.
 */
export interface InstallSnapshotMessage {
  type: 'installSnapshot';
  from: NodeId;
  to: NodeId;
  term: Term;
  snapshot: SnapshotMeta;
}

export type PeerMessage<C> =
  | AppendEntriesMessage<C>
  | AppendEntriesReplyMessage
  | RequestVoteMessage
  | RequestVoteReplyMessage
  | InstallSnapshotMessage;
