import type { PeerMessage } from '../peer-message';

/** The port the ReadyProcessor sends through. Delivery is best effort: Raft retries. */
export interface PeerNetwork<C> {
  send(message: PeerMessage<C>): void;
}
