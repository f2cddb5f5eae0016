import type { LogIndex, Term } from './ids';
import type { Member } from './member';

/**
 * What a snapshot of the state machine stands for (Raft section 7, thesis 5.1): every
 * entry up to `index` (of `term`) applied, and the membership in force at that index
 * (the entry it comes from is `membershipIndex`), so a node restored from it knows its
 * peers without the log that named them.
 */
export interface SnapshotMeta {
  index: LogIndex;
  term: Term;
  members: Member[];
  membershipIndex: LogIndex;
}

/** The log before any snapshot: nothing applied, no members. */
export const EMPTY_SNAPSHOT_META: SnapshotMeta = { index: 0, term: 0, members: [], membershipIndex: 0 };
