import { Controller, Logger } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { MessagePatterns } from '@app/protocol';
import { PeerGate } from './peer-gate';
import { ReplicaService } from './replica.service';
import {
  isSnapshotChunkMessage,
  type SnapshotChunkAnswer,
  type SnapshotChunkMessage,
} from './snapshot-chunk';

/**
 * Receives replication messages from peers. Each passes the gate (shape, MAC, freshness,
 * cluster id) first; a refused one is dropped, counted and logged, never thrown.
 */
@Controller()
export class PeerTcpController {
  private readonly logger = new Logger(PeerTcpController.name);

  constructor(
    private readonly replica: ReplicaService,
    private readonly gate: PeerGate,
  ) {}

  @EventPattern(MessagePatterns.peerMessage)
  onPeerMessage(@Payload() value: unknown): void {
    const envelope = this.gate.admit(value);
    if (envelope !== null) this.replica.receive(envelope);
  }

  /** A chunk of the leader's snapshot (thesis 5.3); the answer says where to go on. */
  @MessagePattern(MessagePatterns.snapshotChunk)
  async onSnapshotChunk(@Payload() chunk: SnapshotChunkMessage): Promise<SnapshotChunkAnswer> {
    if (!isSnapshotChunkMessage(chunk)) {
      this.logger.warn('dropped a malformed snapshot chunk');
      return { nextOffset: 0, done: false };
    }
    // Refused chunks are logged and counted by the gate.
    if (!this.gate.admitSnapshotChunk(chunk)) return { nextOffset: 0, done: false };
    return this.replica.receiveSnapshotChunk(chunk);
  }
}
