import type { RpcErrorCode } from '@app/protocol';

/**
 * `internal` covers answers outside the protocol: a node failing with a non-RpcException
 * (Nest then answers `{ status: 'error', message }`) or completing without any response.
 * `not_found` is the service's answer for an unknown, closed or expired session.
 * Two codes come from `LockSession` alone: `lock_held` (`lock()` was not granted the lock)
 * and `lock_lost` (`release()` found the lock no longer held by the session: its TTL ran
 * out or the session ended, so the critical section was not protected to the end).
 */
export type LockClientErrorCode = RpcErrorCode | 'internal' | 'lock_held' | 'lock_lost';

/** Thrown by `LockClient` when a request cannot be answered. Refusals are not errors. */
export class LockClientError extends Error {
  override readonly name = 'LockClientError';

  constructor(
    readonly code: LockClientErrorCode,
    message: string,
  ) {
    super(message);
  }
}
