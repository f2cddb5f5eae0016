import { Logger } from '@nestjs/common';
import { MessagePatterns } from '@app/protocol';
import type { InstallSnapshotMessage, Member, NodeId, PeerMessage, PeerNetwork } from '@app/replicated-log';
import type { LockCommand } from '@app/lock-table';
import { jsonWithEntries } from '@app/wal';
import type { PeerGate } from './peer-gate';
import { PeerLinks } from './peer-links';

const MAX_LEARNED_ADDRESSES = 64;

/**
 * Sends replication messages to peers' Nest TCP transport, one connection per peer
 * (PeerLinks). Delivery is best effort: a lost message is resent by Raft's heartbeat and
 * retry rules. Each message is encoded once, for its seal and the wire, and the entries it
 * carries are encoded once for every follower and the WAL (jsonWithEntries).
 */
export class PeerTcpNetwork implements PeerNetwork<LockCommand> {
  private readonly logger = new Logger(PeerTcpNetwork.name);
  private readonly links = new PeerLinks();
  /** addresses learned from envelopes, for peers not yet in our replicated membership */
  private readonly learnedAddresses = new Map<NodeId, string>();

  constructor(
    private readonly ownTcpAddress: string,
    private readonly members: () => readonly Member[],
    private readonly gate: Pick<PeerGate, 'identity' | 'sealText'>,
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
    const body = message.type === 'appendEntries' ? jsonWithEntries(message) : JSON.stringify(message);
    const auth = this.gate.sealText({ scope: 'message', clusterId, sender: this.ownTcpAddress }, body);
    // The fields of PeerEnvelope; the receiver's gate checks the seal against `message`.
    const head = `{"clusterId":${JSON.stringify(clusterId)},"fromTcpAddress":${JSON.stringify(this.ownTcpAddress)}`;
    const tail = auth === undefined ? '}' : `,"auth":${JSON.stringify(auth)}}`;
    this.links.emit(address, MessagePatterns.peerMessage, `${head},"message":${body}${tail}`);
  }

  close(): Promise<void> {
    this.links.close();
    return Promise.resolve();
  }
}
