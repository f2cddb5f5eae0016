import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MessagePatterns } from '@app/protocol';
import { PeerGate } from './peer-gate';
import { ReplicaService } from './replica.service';

/**
 * Receives replication messages from peers. Each passes the gate (shape, MAC, freshness,
 * cluster id) first; a refused one is dropped, counted and logged, never thrown.
 */
@Controller()
export class PeerTcpController {
  constructor(
    private readonly replica: ReplicaService,
    private readonly gate: PeerGate,
  ) {}

  @EventPattern(MessagePatterns.peerMessage)
  onPeerMessage(@Payload() value: unknown): void {
    const envelope = this.gate.admit(value);
    if (envelope !== null) this.replica.receive(envelope);
  }
}
