import type { PeerMessage } from '@app/replicated-log';
import type { LockCommand } from '@app/lock-table';

/**
 * A replication message on the wire. The sender's address travels with it so that a
 * node that has not yet replicated the membership (a fresh joiner) can still answer.
 */
export interface PeerEnvelope {
  fromTcpAddress: string;
  message: PeerMessage<LockCommand>;
}
