import { isClientId, isLockName, isSessionId, parseHostPort } from '@app/protocol';
import type { PeerEnvelope } from './peer-envelope';

/**
 * Replication traffic arrives on the same TCP port as clients, so every field is
 * checked before the core sees it: a malformed message is dropped, never thrown.
 * (Checking shapes does not authenticate peers; see the README's limits.)
 */
export function isPeerEnvelope(value: unknown): value is PeerEnvelope {
  const envelope = value as Record<string, unknown> | null;
  if (typeof envelope !== 'object' || envelope === null) return false;
  if (typeof envelope.fromTcpAddress !== 'string' || !parseHostPort(envelope.fromTcpAddress)) return false;
  const message = envelope.message as Record<string, unknown> | null;
  if (typeof message !== 'object' || message === null) return false;
  if (!isNodeId(message.from) || !isNodeId(message.to) || !isIndex(message.term)) return false;
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
        isStorageId(message.storageId)
      );
    case 'requestVote':
      return (
        isIndex(message.lastLogIndex) && isIndex(message.lastLogTerm) && optionalBoolean(message.preVote)
      );
    case 'requestVoteReply':
      return (
        typeof message.granted === 'boolean' &&
        optionalBoolean(message.preVote) &&
        isStorageId(message.storageId)
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

function isMember(value: unknown): boolean {
  const member = value as Record<string, unknown> | null;
  return (
    typeof member === 'object' &&
    member !== null &&
    isNodeId(member.id) &&
    typeof member.tcpAddress === 'string' &&
    parseHostPort(member.tcpAddress) !== null &&
    typeof member.httpAddress === 'string' &&
    parseHostPort(member.httpAddress) !== null &&
    isStorageId(member.storageId) &&
    optionalBoolean(member.learner)
  );
}

function isLockCommand(value: unknown): boolean {
  const command = value as Record<string, unknown> | null;
  if (typeof command !== 'object' || command === null) return false;
  const sessionOk = command.sessionId === undefined || isSessionId(command.sessionId);
  const requestOk = command.requestId === undefined || isIndex(command.requestId);
  switch (command.type) {
    case 'preempt':
      return (
        isLockName(command.name) &&
        isClientId(command.clientId) &&
        sessionOk &&
        requestOk &&
        optionalIndex(command.ttlMs) &&
        optionalIndex(command.waitMs)
      );
    case 'release':
      return isLockName(command.name) && isClientId(command.clientId) && sessionOk && requestOk;
    case 'openSession':
      return isSessionId(command.sessionId) && isClientId(command.clientId) && isIndex(command.ttlMs);
    case 'closeSession':
    case 'expireSession':
      return isSessionId(command.sessionId);
    case 'expireLock':
      return isLockName(command.name) && isIndex(command.fencingToken);
    case 'expireWaiter':
      return (
        isIndex(command.waiterId) && (command.deadlineMs === undefined || Number.isFinite(command.deadlineMs))
      );
    default:
      return false;
  }
}

function isNodeId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(value);
}

function isStorageId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(value);
}

function isIndex(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function optionalIndex(value: unknown): boolean {
  return value === undefined || isIndex(value);
}

function optionalBoolean(value: unknown): boolean {
  return value === undefined || typeof value === 'boolean';
}
