import { RpcException } from '@nestjs/microservices';
import {
  DEFAULT_SESSION_TTL_MS,
  TTL_MAX_MS,
  TTL_MIN_MS,
  WAIT_MAX_MS,
  isClientId,
  isLockName,
  isSessionId,
  parseHostPort,
  type JoinClusterRequest,
  type OpenSessionRequest,
  type PreemptLockRequest,
  type ReleaseLockRequest,
  type RpcErrorBody,
} from '@app/protocol';

function badRequest(message: string): RpcException {
  const body: RpcErrorBody = { code: 'bad_request', message };
  return new RpcException(body);
}

function asRecord(payload: unknown): Record<string, unknown> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw badRequest('payload must be an object');
  return payload as Record<string, unknown>;
}

function optionalForwardedBy(record: Record<string, unknown>): string | null {
  const value = record.forwardedBy;
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw badRequest('forwardedBy must be a string');
  return value;
}

function optionalInt(
  record: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
): number | undefined {
  const value = record[field];
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw badRequest(`${field} must be an integer from ${min} to ${max}`);
  }
  return value as number;
}

function optionalSessionId(record: Record<string, unknown>): string | undefined {
  const value = record.sessionId;
  if (value === undefined || value === null) return undefined;
  if (!isSessionId(value)) throw badRequest('sessionId must be 32 lowercase hex characters');
  return value;
}

function lockName(record: Record<string, unknown>): string {
  if (!isLockName(record.name)) throw badRequest('name must be 1-128 characters of A-Z a-z 0-9 . _ : -');
  return record.name;
}

function clientId(record: Record<string, unknown>): string {
  if (!isClientId(record.clientId)) throw badRequest('clientId must be a UUID');
  return record.clientId;
}

/** TCP payloads get the same checks as HTTP bodies, with the same messages. */
export function parsePreemptPayload(payload: unknown): {
  request: PreemptLockRequest;
  forwardedBy: string | null;
} {
  const record = asRecord(payload);
  const request: PreemptLockRequest = { name: lockName(record), clientId: clientId(record) };
  const sessionId = optionalSessionId(record);
  const ttlMs = optionalInt(record, 'ttlMs', TTL_MIN_MS, TTL_MAX_MS);
  const waitMs = optionalInt(record, 'waitMs', 0, WAIT_MAX_MS);
  const requestId = optionalInt(record, 'requestId', 1, Number.MAX_SAFE_INTEGER);
  if (requestId !== undefined) request.requestId = requestId;
  if (sessionId !== undefined) request.sessionId = sessionId;
  if (ttlMs !== undefined) request.ttlMs = ttlMs;
  if (waitMs !== undefined) request.waitMs = waitMs;
  return { request, forwardedBy: optionalForwardedBy(record) };
}

export function parseReleasePayload(payload: unknown): {
  request: ReleaseLockRequest;
  forwardedBy: string | null;
} {
  const record = asRecord(payload);
  const request: ReleaseLockRequest = { name: lockName(record), clientId: clientId(record) };
  const requestId = optionalInt(record, 'requestId', 1, Number.MAX_SAFE_INTEGER);
  if (requestId !== undefined) request.requestId = requestId;
  const sessionId = optionalSessionId(record);
  if (sessionId !== undefined) request.sessionId = sessionId;
  return { request, forwardedBy: optionalForwardedBy(record) };
}

export function parseNamePayload(payload: unknown): string {
  return lockName(asRecord(payload));
}

export function parseCheckPayload(payload: unknown): {
  name: string;
  consistency: 'local' | 'linearizable';
  minIndex: number;
} {
  const record = asRecord(payload);
  const consistency = record.consistency ?? 'local';
  if (consistency !== 'local' && consistency !== 'linearizable')
    throw badRequest('consistency must be local or linearizable');
  const minIndex = optionalInt(record, 'minIndex', 0, Number.MAX_SAFE_INTEGER) ?? 0;
  return { name: lockName(record), consistency, minIndex };
}

export function parseForwardedBy(payload: unknown): string | null {
  return payload === undefined || payload === null ? null : optionalForwardedBy(asRecord(payload));
}

export function parseOpenSessionPayload(payload: unknown): {
  request: Required<OpenSessionRequest>;
  forwardedBy: string | null;
} {
  const record = asRecord(payload);
  const ttlMs = optionalInt(record, 'ttlMs', TTL_MIN_MS, TTL_MAX_MS) ?? DEFAULT_SESSION_TTL_MS;
  return { request: { clientId: clientId(record), ttlMs }, forwardedBy: optionalForwardedBy(record) };
}

export function parseSessionPayload(payload: unknown): { sessionId: string; forwardedBy: string | null } {
  const record = asRecord(payload);
  if (!isSessionId(record.sessionId)) throw badRequest('sessionId must be 32 lowercase hex characters');
  return { sessionId: record.sessionId, forwardedBy: optionalForwardedBy(record) };
}

export function parseListPayload(payload: unknown): string {
  const prefix = payload === undefined || payload === null ? undefined : asRecord(payload).prefix;
  if (prefix === undefined || prefix === null) return '';
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9._:-]{0,128}$/.test(prefix)) {
    throw badRequest('prefix must be at most 128 characters of A-Z a-z 0-9 . _ : -');
  }
  return prefix;
}

export function parseRemoveMemberPayload(payload: unknown): { memberId: string; forwardedBy: string | null } {
  const record = asRecord(payload);
  if (typeof record.id !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(record.id))
    throw badRequest('id must be 1-64 of A-Z a-z 0-9 . _ -');
  return { memberId: record.id, forwardedBy: optionalForwardedBy(record) };
}

export function parseJoinPayload(payload: unknown): {
  member: JoinClusterRequest;
  forwardedBy: string | null;
} {
  const record = asRecord(payload);
  const { id, tcpAddress, httpAddress, storageId } = record;
  if (typeof id !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(id))
    throw badRequest('id must be 1-64 of A-Z a-z 0-9 . _ -');
  if (typeof tcpAddress !== 'string' || !parseHostPort(tcpAddress))
    throw badRequest('tcpAddress must be host:port');
  if (typeof httpAddress !== 'string' || !parseHostPort(httpAddress))
    throw badRequest('httpAddress must be host:port');
  if (typeof storageId !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(storageId))
    throw badRequest('storageId must be 1-64 of A-Z a-z 0-9 -');
  return { member: { id, tcpAddress, httpAddress, storageId }, forwardedBy: optionalForwardedBy(record) };
}
