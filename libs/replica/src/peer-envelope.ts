import type { PeerMessage } from '@app/replicated-log';
import type { LockCommand } from '@app/lock-table';
import type { PeerAuth } from '@app/protocol';

export type { PeerAuth } from '@app/protocol';

/**
 * A replication message on the wire. The sender's address travels with it so that a
 * node that has not yet replicated the membership (a fresh joiner) can still answer.
 * Every message names its cluster: a node refuses messages from another cluster.
 */
export interface PeerEnvelope {
  clusterId: string;
  fromTcpAddress: string;
  message: PeerMessage<LockCommand>;
  /** present when the cluster has a secret; a node with a secret refuses envelopes without it */
  auth?: PeerAuth;
}
