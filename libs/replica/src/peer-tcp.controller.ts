import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MessagePatterns } from '@app/protocol';
import type { PeerEnvelope } from './peer-envelope';
import { isPeerEnvelope } from './peer-envelope.validator';
import { ReplicaService } from './replica.service';

/** Receives replication messages from peers. Malformed ones are dropped, never thrown. */
@Controller()
export class PeerTcpController {
  private readonly logger = new Logger(PeerTcpController.name);

  constructor(private readonly replica: ReplicaService) {}

  @EventPattern(MessagePatterns.peerMessage)
  onPeerMessage(@Payload() envelope: PeerEnvelope): void {
    if (!isPeerEnvelope(envelope)) {
      this.logger.warn('dropped a malformed replication message');
      return;
    }
    this.replica.receive(envelope);
  }
}
