import { Controller, Logger } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { MessagePatterns } from '@app/protocol';
import type { PeerEnvelope } from './peer-envelope';
import { isPeerEnvelope } from './peer-envelope.validator';
import { ReplicaService } from './replica.service';
import {
  isSnapshotChunkMessage,
  type SnapshotChunkAnswer,
  type SnapshotChunkMessage,
} from './snapshot-chunk';

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

  /** A chunk of the leader's snapshot (thesis 5.3); the answer says where to go on. */
  @MessagePattern(MessagePatterns.snapshotChunk)
  async onSnapshotChunk(@Payload() chunk: SnapshotChunkMessage): Promise<SnapshotChunkAnswer> {
    if (!isSnapshotChunkMessage(chunk)) {
      this.logger.warn('dropped a malformed snapshot chunk');
      return { nextOffset: 0, done: false };
    }
    return this.replica.receiveSnapshotChunk(chunk);
  }
}
