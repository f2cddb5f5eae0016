import type { LogIndex, NodeId, Term } from './ids';

/**
 * State that must be on disk before the node answers anyone (Raft figure 2, "persistent
 * state"). `commitIndex` is persisted lazily: losing it only delays re-application.
 */
export interface HardState {
  term: Term;
  votedFor: NodeId | null;
  commitIndex: LogIndex;
}

export const EMPTY_HARD_STATE: HardState = { term: 0, votedFor: null, commitIndex: 0 };
