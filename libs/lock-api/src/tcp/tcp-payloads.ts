import { RpcException } from '@nestjs/microservices';
import { isClientId, isLockName, parseHostPort, type MemberAddress, type RpcErrorBody } from '@app/protocol';

function badRequest(message: string): RpcException {
  const body: RpcErrorBody = { code: 'bad_request', message };
  return new RpcException(body);
}

function asRecord(payload: unknown): Record<string, unknown> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw badRequest('payload must be an object');
  return payload as Record<string, unknown>;
}

function optionalForwardedBy(record: Record<string, unknown>): string | null {
  const value = record.forwardedBy;
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw badRequest('forwardedBy must be a string');
  return value;
}

/** TCP payloads get the same checks as HTTP bodies, with the same messages. */
export function parseLockPayload(payload: unknown, needsClientId: boolean): { name: string; clientId?: string; forwardedBy: string | null } {
  const record = asRecord(payload);
  if (!isLockName(record.name)) throw badRequest('name must be 1-128 characters of A-Z a-z 0-9 . _ : -');
  if (needsClientId && !isClientId(record.clientId)) throw badRequest('clientId must be a UUID');
  for (const field of ['sessionId', 'ttlMs', 'waitMs']) {
    if (record[field] !== undefined) throw badRequest(`${field} is not supported yet`);
  }
  return { name: record.name, clientId: record.clientId as string | undefined, forwardedBy: optionalForwardedBy(record) };
}

export function parseListPayload(payload: unknown): string {
  const prefix = payload === undefined || payload === null ? undefined : asRecord(payload).prefix;
  if (prefix === undefined || prefix === null) return '';
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9._:-]{0,128}$/.test(prefix)) {
    throw badRequest('prefix must be at most 128 characters of A-Z a-z 0-9 . _ : -');
  }
  return prefix;
}

export function parseJoinPayload(payload: unknown): { member: MemberAddress; forwardedBy: string | null } {
  const record = asRecord(payload);
  const { id, tcpAddress, httpAddress } = record;
  if (typeof id !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw badRequest('id must be 1-64 of A-Z a-z 0-9 . _ -');
  if (typeof tcpAddress !== 'string' || !parseHostPort(tcpAddress)) throw badRequest('tcpAddress must be host:port');
  if (typeof httpAddress !== 'string' || !parseHostPort(httpAddress)) throw badRequest('httpAddress must be host:port');
  return { member: { id, tcpAddress, httpAddress }, forwardedBy: optionalForwardedBy(record) };
}
