import type { RpcErrorCode } from '@app/protocol';

/**
 * `internal` covers answers outside the protocol: a node failing with a non-RpcException
 * (Nest then answers `{ status: 'error', message }`) or completing without any response.
 */
export type LockClientErrorCode = RpcErrorCode | 'internal';

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
