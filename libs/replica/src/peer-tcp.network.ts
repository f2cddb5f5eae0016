import { Logger } from '@nestjs/common';
import { MessagePatterns } from '@app/protocol';
import type { InstallSnapshotMessage, Member, NodeId, PeerMessage, PeerNetwork } from '@app/replicated-log';
import type { LockCommand } from '@app/lock-table';
import type { PeerEnvelope } from './peer-envelope';
import type { PeerGate } from './peer-gate';
import { TcpClientPool } from './tcp-client-pool';

const MAX_LEARNED_ADDRESSES = 64;

/**
 * Sends replication messages over the Nest TCP transport, one connection per peer.
 * Delivery is best effort: a lost message is resent by Raft's heartbeat and retry rules.
 */
export class PeerTcpNetwork implements PeerNetwork<LockCommand> {
  private readonly logger = new Logger(PeerTcpNetwork.name);
  private readonly clients = new TcpClientPool();
  /** addresses learned from envelopes, for peers not yet in our replicated membership */
  private readonly learnedAddresses = new Map<NodeId, string>();

  constructor(
    private readonly ownTcpAddress: string,
    private readonly members: () => readonly Member[],
    private readonly gate: Pick<PeerGate, 'identity' | 'seal'>,
    /** moves a snapshot's bytes to a follower (section 7); the core only names the snapshot */
    private readonly sendSnapshot: (message: InstallSnapshotMessage, address: string) => void,
  ) {}

  /** Bounded: unknown senders must not grow it (or the client pool) without limit. */
  learnAddress(id: NodeId, tcpAddress: string): void {
    if (this.learnedAddresses.has(id) || this.learnedAddresses.size < MAX_LEARNED_ADDRESSES)
      this.learnedAddresses.set(id, tcpAddress);
  }

  send(message: PeerMessage<LockCommand>): void {
    const address =
      this.members().find((m) => m.id === message.to)?.tcpAddress ?? this.learnedAddresses.get(message.to);
    if (address === undefined) {
      this.logger.warn(`no address for ${message.to}; dropping ${message.type}`);
      return;
    }
    if (message.type === 'installSnapshot') return this.sendSnapshot(message, address);
    // A joiner takes part only once it has stored the cluster id it learned (ClusterIdentity).
    const clusterId = this.gate.identity.id;
    if (clusterId === null) return;
    const auth = this.gate.seal({ scope: 'message', clusterId, sender: this.ownTcpAddress }, message);
    const envelope: PeerEnvelope = { clusterId, fromTcpAddress: this.ownTcpAddress, message, auth };
    // A failed emit is a lost message; Raft resends. Swallow it here, nowhere else.
    this.clients
      .get(address)
      .emit(MessagePatterns.peerMessage, envelope)
      .subscribe({ error: () => undefined });
  }

  close(): Promise<void> {
    return this.clients.close();
  }
}
