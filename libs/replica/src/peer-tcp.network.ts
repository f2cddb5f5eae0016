import { Logger } from '@nestjs/common';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { MessagePatterns, parseHostPort } from '@app/protocol';
import type { Member, NodeId, PeerMessage, PeerNetwork } from '@app/replicated-log';
import type { LockCommand } from '@app/lock-table';
import type { PeerEnvelope } from './peer-envelope';

/**
 * Sends replication messages over the Nest TCP transport, one connection per peer.
 * Delivery is best effort: a lost message is resent by Raft's heartbeat and retry rules.
 */
export class PeerTcpNetwork implements PeerNetwork<LockCommand> {
  private readonly logger = new Logger(PeerTcpNetwork.name);
  private readonly clients = new Map<string, ClientProxy>();
  /** addresses learned from envelopes, for peers not yet in our replicated membership */
  private readonly learnedAddresses = new Map<NodeId, string>();

  constructor(
    private readonly ownTcpAddress: string,
    private readonly members: () => readonly Member[],
  ) {}

  learnAddress(id: NodeId, tcpAddress: string): void {
    this.learnedAddresses.set(id, tcpAddress);
  }

  send(message: PeerMessage<LockCommand>): void {
    const address = this.members().find((m) => m.id === message.to)?.tcpAddress ?? this.learnedAddresses.get(message.to);
    if (address === undefined) {
      this.logger.warn(`no address for ${message.to}; dropping ${message.type}`);
      return;
    }
    const envelope: PeerEnvelope = { fromTcpAddress: this.ownTcpAddress, message };
    // A failed emit is a lost message; Raft resends. Swallow it here, nowhere else.
    this.clientFor(address).emit(MessagePatterns.peerMessage, envelope).subscribe({ error: () => undefined });
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client.close()));
    this.clients.clear();
  }

  private clientFor(address: string): ClientProxy {
    let client = this.clients.get(address);
    if (!client) {
      const parsed = parseHostPort(address);
      if (!parsed) throw new Error(`malformed peer address ${address}`);
      client = ClientProxyFactory.create({ transport: Transport.TCP, options: parsed });
      this.clients.set(address, client);
    }
    return client;
  }
}
