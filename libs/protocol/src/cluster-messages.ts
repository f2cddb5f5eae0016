/** Membership and status payloads. */

/** A learner receives the log but does not vote until it has caught up and is promoted. */
export type NodeRole = 'leader' | 'follower' | 'candidate' | 'learner';

export interface MemberAddress {
  id: string;
  /** host:port of the node's TCP transport */
  tcpAddress: string;
  /** host:port of the node's HTTP gateway */
  httpAddress: string;
}

/** A member as the replicated membership records it. */
export interface ClusterMember extends MemberAddress {
  /** the identity of the member's data directory when it joined */
  storageId: string;
  /** set while the member is a non-voting learner */
  learner?: boolean;
}

/**
 * A node asks to join with its own storage identity. A known voter id with another
 * storage (an emptied data directory) is refused until the old member is removed.
 */
export interface JoinClusterRequest extends MemberAddress {
  storageId: string;
}

export interface JoinClusterResponse {
  members: ClusterMember[];
  leaderId: string;
}

export interface MemberStatus extends ClusterMember {
  role: NodeRole | 'unknown';
  /** highest log index known to be on this member's disk; null when this node does not lead */
  matchIndex: number | null;
  /** how many entries the member is behind the leader's last index; null when unknown */
  lag: number | null;
}

export interface ClusterStatus {
  id: string;
  role: NodeRole;
  term: number;
  leaderId: string | null;
  commitIndex: number;
  appliedIndex: number;
  lastIndex: number;
  /** the latest snapshot's last included index on this node (0: none) */
  snapshotIndex?: number;
  /** the first log entry this node still holds; earlier ones are in the snapshot */
  firstLogIndex?: number;
  /** the size of this node's WAL segments on disk, in bytes */
  walBytes?: number;
  /** snapshots this node installed from a leader since it started */
  snapshotsInstalled?: number;
  members: MemberStatus[];
}
