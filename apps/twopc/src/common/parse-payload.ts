import type {
  DecideRequest,
  FenceRequest,
  OutcomeRequest,
  PrepareRequest,
  RegisterValue,
} from './twopc-messages';

/** Transaction ids: what coordinators generate (`tx-<token>-<seq>`), bounded for safety. */
export const TX_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const MAX_VALUE_LENGTH = 1024;

type Fields = Record<string, unknown>;

function fields(payload: unknown): Fields | string {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return 'payload must be an object';
  return payload as Fields;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isTxId(value: unknown): value is string {
  return typeof value === 'string' && TX_ID_PATTERN.test(value);
}

function isValue(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_VALUE_LENGTH;
}

function parseBase(value: unknown): RegisterValue | null {
  const base = fields(value);
  if (typeof base === 'string' || !isCount(base.version)) return null;
  if (base.value !== null && !isValue(base.value)) return null;
  return { value: base.value, version: base.version };
}

/** Each parser answers the typed request, or a message naming the bad field. */
export function parsePrepare(payload: unknown): PrepareRequest | string {
  const f = fields(payload);
  if (typeof f === 'string') return f;
  if (!isTxId(f.txId)) return 'txId must match [A-Za-z0-9._-]{1,64}';
  if (!isCount(f.token)) return 'token must be a non-negative integer';
  if (!isValue(f.value)) return `value must be a string of at most ${MAX_VALUE_LENGTH} characters`;
  if (!isCount(f.version) || f.version < 1) return 'version must be a positive integer';
  if (f.expectedVersion !== undefined && !isCount(f.expectedVersion))
    return 'expectedVersion must be a non-negative integer';
  const base = parseBase(f.base);
  if (base === null) return 'base must be {value, version}';
  const request: PrepareRequest = { txId: f.txId, token: f.token, value: f.value, version: f.version, base };
  if (f.expectedVersion !== undefined) request.expectedVersion = f.expectedVersion;
  return request;
}

export function parseDecide(payload: unknown): DecideRequest | string {
  const f = fields(payload);
  if (typeof f === 'string') return f;
  if (!isTxId(f.txId)) return 'txId must match [A-Za-z0-9._-]{1,64}';
  if (!isCount(f.token)) return 'token must be a non-negative integer';
  if (f.decision !== 'commit' && f.decision !== 'abort') return 'decision must be "commit" or "abort"';
  return { txId: f.txId, token: f.token, decision: f.decision };
}

export function parseFence(payload: unknown): FenceRequest | string {
  const f = fields(payload);
  if (typeof f === 'string') return f;
  if (!isCount(f.token)) return 'token must be a non-negative integer';
  return { token: f.token };
}

export function parseOutcome(payload: unknown): OutcomeRequest | string {
  const f = fields(payload);
  if (typeof f === 'string') return f;
  if (!isTxId(f.txId)) return 'txId must match [A-Za-z0-9._-]{1,64}';
  return { txId: f.txId };
}
