import { TTL_MAX_MS, TTL_MIN_MS, WAIT_MAX_MS, isLockName, isSessionId } from '@app/protocol';
import { LockClientError } from './lock-client-error';

export interface PreemptOptions {
  /** Take the lock for this session: it is freed when the session ends, and only a release with the same sessionId frees it earlier. */
  sessionId?: string;
  /** The lock frees itself this long after the grant unless released earlier: 1000-600000 ms. */
  ttlMs?: number;
  /**
   * Wait in the lock's FIFO queue up to this long when it is held: 0-300000 ms. The call
   * resolves when the lock is granted (`acquired: true`) or the wait runs out (`acquired: false`).
   */
  waitMs?: number;
}

export interface ReleaseOptions {
  /** Required for a lock taken with a session: the owner's clientId alone is refused as not_owner. */
  sessionId?: string;
}

export interface CheckOptions {
  /** 'local' (default): the answering node's applied state; 'linearizable': confirmed by the leader first (ReadIndex). */
  consistency?: 'local' | 'linearizable';
  /** Answer only once the node has applied at least this log index (e.g. the index of your own write). */
  minIndex?: number;
}

export interface OpenSessionOptions {
  /** The session ends when no keepalive reaches the leader for this long: 1000-600000 ms; the server's default is 10000. */
  ttlMs?: number;
  /** Called once, with the reason, when the session is lost (see LockSession's 'lost' event). */
  onLost?: (reason: string) => void;
}

export interface SessionLockOptions {
  /** Wait in the lock's queue up to this long when it is held: 0-300000 ms (default 0: fail at once). */
  waitMs?: number;
  /** The lock frees itself this long after the grant, even while the session lives: 1000-600000 ms. */
  ttlMs?: number;
}

function badRequest(message: string): LockClientError {
  return new LockClientError('bad_request', message);
}

/** Checked locally too: an invalid name would be refused by every node anyway. */
export function requireLockName(name: unknown): asserts name is string {
  if (!isLockName(name)) {
    throw badRequest(`invalid lock name ${JSON.stringify(name)}: 1-128 of A-Z a-z 0-9 . _ : -`);
  }
}

export function requireSessionId(sessionId: unknown): asserts sessionId is string {
  if (!isSessionId(sessionId)) {
    throw badRequest(
      `invalid sessionId ${JSON.stringify(sessionId)}: expected the 32 lowercase hex characters sessions.open returned`,
    );
  }
}

function checkInteger(
  field: string,
  value: unknown,
  min: number,
  max: number,
  unit = ' (ms)',
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badRequest(
      `${field} must be an integer from ${min} to ${max}${unit}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

export function checkTtlMs(value: unknown): number | undefined {
  return checkInteger('ttlMs', value, TTL_MIN_MS, TTL_MAX_MS);
}

export function checkWaitMs(value: unknown): number | undefined {
  return checkInteger('waitMs', value, 0, WAIT_MAX_MS);
}

/** Validates the options and leaves out the ones not given, so payloads stay minimal. */
export function checkPreemptOptions(options: PreemptOptions | undefined): PreemptOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw badRequest('preempt options must be an object');
  const checked: PreemptOptions = {};
  if (options.sessionId !== undefined) {
    requireSessionId(options.sessionId);
    checked.sessionId = options.sessionId;
  }
  const ttlMs = checkTtlMs(options.ttlMs);
  if (ttlMs !== undefined) checked.ttlMs = ttlMs;
  const waitMs = checkWaitMs(options.waitMs);
  if (waitMs !== undefined) checked.waitMs = waitMs;
  return checked;
}

export function checkReleaseOptions(options: ReleaseOptions | undefined): ReleaseOptions {
  if (options === undefined || options.sessionId === undefined) return {};
  requireSessionId(options.sessionId);
  return { sessionId: options.sessionId };
}

export function checkCheckOptions(options: CheckOptions): CheckOptions {
  const checked: CheckOptions = {};
  if (options.consistency !== undefined) {
    if (options.consistency !== 'local' && options.consistency !== 'linearizable') {
      throw badRequest(
        `consistency must be 'local' or 'linearizable', got ${JSON.stringify(options.consistency)}`,
      );
    }
    checked.consistency = options.consistency;
  }
  const minIndex = checkInteger('minIndex', options.minIndex, 0, Number.MAX_SAFE_INTEGER, '');
  if (minIndex !== undefined) checked.minIndex = minIndex;
  return checked;
}
