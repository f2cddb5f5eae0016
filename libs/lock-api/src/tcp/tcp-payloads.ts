import { RpcException } from '@nestjs/microservices';
import {
  CLIENT_ID,
  DEFAULT_SESSION_TTL_MS,
  HOST_PORT,
  LOCK_NAME,
  LOCK_NAME_PREFIX,
  LOG_INDEX,
  MEMBER_ID,
  REQUEST_ID,
  SESSION_ID,
  TTL_MS,
  WAIT_MS,
  STORAGE_ID,
  FORWARDABLE_IN_BATCH,
  MAX_FORWARD_BATCH_SIZE,
  isForwardableInBatch,
  type ForwardBatchRequest,
  CLUSTER_ID,
  type JoinClusterRequest,
  type OpenSessionRequest,
  type PreemptLockRequest,
  type ReleaseLockRequest,
  type RpcErrorBody,
  type ValidationRule,
} from '@app/protocol';
import { isPeerAuth } from '@app/replica';

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

/** The field, checked by the rule every edge shares; the message names the field. */
function required<T>(record: Record<string, unknown>, field: string, rule: ValidationRule<T>): T {
  const value = record[field];
  if (!rule.test(value)) throw badRequest(rule.message(field));
  return value;
}

/** Absent (undefined or null) is fine; anything else must pass the rule. */
function optional<T>(record: Record<string, unknown>, field: string, rule: ValidationRule<T>): T | undefined {
  const value = record[field];
  if (value === undefined || value === null) return undefined;
  return required(record, field, rule);
}

/** TCP payloads get the same checks as HTTP bodies, with the same messages. */
export function parsePreemptPayload(payload: unknown): {
  request: PreemptLockRequest;
  forwardedBy: string | null;
} {
  const record = asRecord(payload);
  const request: PreemptLockRequest = {
    name: required(record, 'name', LOCK_NAME),
    clientId: required(record, 'clientId', CLIENT_ID),
  };
  const sessionId = optional(record, 'sessionId', SESSION_ID);
  const ttlMs = optional(record, 'ttlMs', TTL_MS);
  const waitMs = optional(record, 'waitMs', WAIT_MS);
  const requestId = optional(record, 'requestId', REQUEST_ID);
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
  const request: ReleaseLockRequest = {
    name: required(record, 'name', LOCK_NAME),
    clientId: required(record, 'clientId', CLIENT_ID),
  };
  const requestId = optional(record, 'requestId', REQUEST_ID);
  if (requestId !== undefined) request.requestId = requestId;
  const sessionId = optional(record, 'sessionId', SESSION_ID);
  if (sessionId !== undefined) request.sessionId = sessionId;
  return { request, forwardedBy: optionalForwardedBy(record) };
}

export function parseNamePayload(payload: unknown): string {
  return required(asRecord(payload), 'name', LOCK_NAME);
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
  const minIndex = optional(record, 'minIndex', LOG_INDEX) ?? 0;
  return { name: required(record, 'name', LOCK_NAME), consistency, minIndex };
}

export function parseForwardedBy(payload: unknown): string | null {
  return payload === undefined || payload === null ? null : optionalForwardedBy(asRecord(payload));
}

export function parseOpenSessionPayload(payload: unknown): {
  request: Required<OpenSessionRequest>;
  forwardedBy: string | null;
} {
  const record = asRecord(payload);
  const ttlMs = optional(record, 'ttlMs', TTL_MS) ?? DEFAULT_SESSION_TTL_MS;
  return {
    request: { clientId: required(record, 'clientId', CLIENT_ID), ttlMs },
    forwardedBy: optionalForwardedBy(record),
  };
}

export function parseSessionPayload(payload: unknown): { sessionId: string; forwardedBy: string | null } {
  const record = asRecord(payload);
  return { sessionId: required(record, 'sessionId', SESSION_ID), forwardedBy: optionalForwardedBy(record) };
}

export function parseListPayload(payload: unknown): string {
  if (payload === undefined || payload === null) return '';
  return optional(asRecord(payload), 'prefix', LOCK_NAME_PREFIX) ?? '';
}

export function parseRemoveMemberPayload(payload: unknown): { memberId: string; forwardedBy: string | null } {
  const record = asRecord(payload);
  return { memberId: required(record, 'id', MEMBER_ID), forwardedBy: optionalForwardedBy(record) };
}

export function parseJoinPayload(payload: unknown): {
  member: JoinClusterRequest;
  forwardedBy: string | null;
} {
  const record = asRecord(payload);
  const member: JoinClusterRequest = {
    id: required(record, 'id', MEMBER_ID),
    tcpAddress: required(record, 'tcpAddress', HOST_PORT),
    httpAddress: required(record, 'httpAddress', HOST_PORT),
    storageId: required(record, 'storageId', STORAGE_ID),
  };
  // Checked by the PeerGate in the handler: the cluster and, with a secret, the MAC.
  const clusterId = optional(record, 'clusterId', CLUSTER_ID);
  if (clusterId !== undefined) member.clusterId = clusterId;
  if (record.auth !== undefined) {
    if (!isPeerAuth(record.auth)) throw badRequest('auth must be a peer seal');
    member.auth = record.auth;
  }
  return { member, forwardedBy: optionalForwardedBy(record) };
}

/** A follower's batch: a bounded list of forwardable requests, each checked when it is executed. */
export function parseForwardBatchPayload(payload: unknown): ForwardBatchRequest {
  const record = asRecord(payload);
  const forwardedBy = required(record, 'forwardedBy', MEMBER_ID);
  const requests = record.requests;
  if (!Array.isArray(requests) || requests.length === 0 || requests.length > MAX_FORWARD_BATCH_SIZE)
    throw badRequest(`requests must be a list of 1 to ${MAX_FORWARD_BATCH_SIZE} requests`);
  return {
    forwardedBy,
    requests: requests.map((item: unknown) => {
      const request = asRecord(item);
      if (typeof request.pattern !== 'string' || !isForwardableInBatch(request.pattern))
        throw badRequest(`each request's pattern must be one of ${FORWARDABLE_IN_BATCH.join(', ')}`);
      return { pattern: request.pattern, payload: asRecord(request.payload) };
    }),
  };
}
