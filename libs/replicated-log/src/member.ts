import type { NodeId } from './ids';

/** A member of the cluster, as recorded in a membership entry. */
export interface Member {
  id: NodeId;
  tcpAddress: string;
  httpAddress: string;
  /**
   * The identity of the storage (data directory) this member had when it was added. A
   * vote or an acknowledgement counts only from that storage: a node that comes back with
   * an empty directory under the same id is a different storage and counts for nothing.
   */
  storageId: string;
  /** a non-voting member that receives the log but never counts in a majority (thesis 4.2.1) */
  learner?: boolean;
}

export function isVoterMember(member: Member): boolean {
  return member.learner !== true;
}

export function votersOf(members: readonly Member[]): Member[] {
  return members.filter(isVoterMember);
}

/** The same member as a voter (a learner promoted, thesis 4.2.1). */
export function asVoter(member: Member): Member {
  const voter = { ...member };
  delete voter.learner;
  return voter;
}
