import type { Member } from '@app/replicated-log';
import {
  CLIENT_ID,
  CLUSTER_ID,
  HOST_PORT,
  LOCK_NAME,
  MEMBER_ID,
  REQUEST_ID,
  SESSION_ID,
  STORAGE_ID,
  TTL_MS,
  WAIT_MS,
  type ValidationRule,
} from '@app/protocol';
import type { PeerAuth, PeerEnvelope } from './peer-envelope';

const MAX_EPOCH_LENGTH = 64;
const MAX_MAC_LENGTH = 64;

/** The envelope's own fields, which the MAC check needs; the message is checked after it. */
export function isPeerEnvelopeHeader(value: unknown): value is Omit<PeerEnvelope, 'message'> & {
  message: unknown;
} {
  const envelope = value as Record<string, unknown> | null;
  if (typeof envelope !== 'object' || envelope === null) return false;
  return (
    CLUSTER_ID.test(envelope.clusterId) &&
    HOST_PORT.test(envelope.fromTcpAddress) &&
    (envelope.auth === undefined || isPeerAuth(envelope.auth))
  );
}

export function isPeerAuth(value: unknown): value is PeerAuth {
  const auth = value as Record<string, unknown> | null;
  return (
    typeof auth === 'object' &&
    auth !== null &&
    typeof auth.epoch === 'string' &&
    auth.epoch.length > 0 &&
    auth.epoch.length <= MAX_EPOCH_LENGTH &&
    isIndex(auth.epochStartMs) &&
    isIndex(auth.seq) &&
    auth.seq > 0 &&
    isIndex(auth.sentAtMs) &&
    typeof auth.mac === 'string' &&
    auth.mac.length <= MAX_MAC_LENGTH
  );
}

/**
 * Replication traffic arrives on the same TCP port as clients, so every field is
 * checked before the core sees it: a malformed message is dropped, never thrown.
 * Shapes say nothing about the sender: PeerGate checks the MAC and the cluster.
 */
export function isPeerEnvelope(value: unknown): value is PeerEnvelope {
  if (!isPeerEnvelopeHeader(value)) return false;
  const envelope = value as unknown as Record<string, unknown>;
  const message = envelope.message as Record<string, unknown> | null;
  if (typeof message !== 'object' || message === null) return false;
  if (!MEMBER_ID.test(message.from) || !MEMBER_ID.test(message.to) || !isIndex(message.term)) return false;
  switch (message.type) {
    case 'appendEntries':
      return (
        isIndex(message.prevLogIndex) &&
        isIndex(message.prevLogTerm) &&
        isIndex(message.leaderCommit) &&
        optionalIndex(message.readSeq) &&
        Array.isArray(message.entries) &&
        message.entries.every(isLogEntry)
      );
    case 'appendEntriesReply':
      return (
        typeof message.success === 'boolean' &&
        isIndex(message.matchIndex) &&
        Number.isSafeInteger(message.lastLogIndex) &&
        optionalIndex(message.rejectedIndex) &&
        optionalIndex(message.readSeq) &&
        STORAGE_ID.test(message.storageId)
      );
    case 'requestVote':
      return (
        isIndex(message.lastLogIndex) && isIndex(message.lastLogTerm) && optionalBoolean(message.preVote)
      );
    case 'requestVoteReply':
      return (
        typeof message.granted === 'boolean' &&
        optionalBoolean(message.preVote) &&
        STORAGE_ID.test(message.storageId)
      );
    default:
      return false;
  }
}

function isLogEntry(value: unknown): boolean {
  const entry = value as Record<string, unknown> | null;
  if (typeof entry !== 'object' || entry === null) return false;
  if (!isIndex(entry.index) || !isIndex(entry.term) || !Number.isFinite(entry.leaderTimeMs)) return false;
  const body = entry.body as Record<string, unknown> | null;
  if (typeof body !== 'object' || body === null) return false;
  switch (body.type) {
    case 'noop':
      return true;
    case 'membership':
      return Array.isArray(body.members) && body.members.length > 0 && body.members.every(isMember);
    case 'command':
      return isLockCommand(body.command);
    default:
      return false;
  }
}

/** A member as the membership carries it; shared with the snapshot chunk's check. */
export function isMember(value: unknown): value is Member {
  const member = value as Record<string, unknown> | null;
  return (
    typeof member === 'object' &&
    member !== null &&
    MEMBER_ID.test(member.id) &&
    HOST_PORT.test(member.tcpAddress) &&
    HOST_PORT.test(member.httpAddress) &&
    STORAGE_ID.test(member.storageId) &&
    optionalBoolean(member.learner)
  );
}

function isLockCommand(value: unknown): boolean {
  const command = value as Record<string, unknown> | null;
  if (typeof command !== 'object' || command === null) return false;
  const sessionOk = optional(command.sessionId, SESSION_ID);
  const requestOk = optional(command.requestId, REQUEST_ID);
  switch (command.type) {
    case 'preempt':
      return (
        LOCK_NAME.test(command.name) &&
        CLIENT_ID.test(command.clientId) &&
        sessionOk &&
        requestOk &&
        optional(command.ttlMs, TTL_MS) &&
        optional(command.waitMs, WAIT_MS)
      );
    case 'release':
      return LOCK_NAME.test(command.name) && CLIENT_ID.test(command.clientId) && sessionOk && requestOk;
    case 'openSession':
      return (
        SESSION_ID.test(command.sessionId) && CLIENT_ID.test(command.clientId) && TTL_MS.test(command.ttlMs)
      );
    case 'closeSession':
    case 'expireSession':
      return SESSION_ID.test(command.sessionId);
    case 'expireLock':
      return LOCK_NAME.test(command.name) && isIndex(command.fencingToken);
    case 'expireWaiter':
      return (
        isIndex(command.waiterId) && (command.deadlineMs === undefined || Number.isFinite(command.deadlineMs))
      );
    default:
      return false;
  }
}

function isIndex(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** The same rules the HTTP and TCP edges apply to what clients send. */
function optional(value: unknown, rule: ValidationRule<unknown>): boolean {
  return value === undefined || rule.test(value);
}

function optionalIndex(value: unknown): boolean {
  return value === undefined || isIndex(value);
}

function optionalBoolean(value: unknown): boolean {
  return value === undefined || typeof value === 'boolean';
}
