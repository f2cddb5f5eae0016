import type { NodeId } from './ids';

/** A voting member of the cluster, as recorded in a membership entry. */
export interface Member {
  id: NodeId;
  tcpAddress: string;
  httpAddress: string;
}
