/** Membership and status payloads. */

export type NodeRole = 'leader' | 'follower' | 'candidate';

export interface MemberAddress {
  id: string;
  /** host:port of the node's TCP transport */
  tcpAddress: string;
  /** host:port of the node's HTTP gateway */
  httpAddress: string;
}

export type JoinClusterRequest = MemberAddress;

export interface JoinClusterResponse {
  members: MemberAddress[];
  leaderId: string;
}

export interface MemberStatus extends MemberAddress {
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
  members: MemberStatus[];
}
