import type { LogIndex, NodeId, Term } from './ids';

/** A proposal was appended at (index, term); it is decided once that entry is applied. */
export interface Proposed {
  type: 'proposed';
  index: LogIndex;
  term: Term;
}

/** This node does not lead; `leaderId` is its best guess of who does. */
export interface NotLeader {
  type: 'notLeader';
  leaderId: NodeId | null;
}

/** A membership change is still uncommitted; one change at a time (Raft thesis 4.1). */
export interface MembershipChangePending {
  type: 'membershipChangePending';
}

export interface Accepted {
  type: 'accepted';
}

export type StepResult = Proposed | NotLeader | MembershipChangePending | Accepted;
