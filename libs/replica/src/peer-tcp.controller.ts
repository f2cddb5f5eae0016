import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MessagePatterns } from '@app/protocol';
import type { PeerEnvelope } from './peer-envelope';
import { ReplicaService } from './replica.service';

const PEER_MESSAGE_TYPES = new Set(['appendEntries', 'appendEntriesReply', 'requestVote', 'requestVoteReply']);

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

function isPeerEnvelope(value: unknown): value is PeerEnvelope {
  const envelope = value as PeerEnvelope | null;
  const message = envelope?.message;
  return (
    typeof envelope?.fromTcpAddress === 'string' &&
    typeof message === 'object' &&
    message !== null &&
    PEER_MESSAGE_TYPES.has(message.type) &&
    typeof message.from === 'string' &&
    typeof message.to === 'string' &&
    isIndex(message.term) &&
    (message.type !== 'requestVote' && message.type !== 'requestVoteReply' ? true : message.preVote === undefined || typeof message.preVote === 'boolean') &&
    (message.type !== 'appendEntries' || (Array.isArray(message.entries) && isIndex(message.prevLogIndex) && isIndex(message.leaderCommit))) &&
    (message.type !== 'appendEntriesReply' ||
      (isIndex(message.matchIndex) && Number.isInteger(message.lastLogIndex) && (message.rejectedIndex === undefined || isIndex(message.rejectedIndex))))
  );
}

function isIndex(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
