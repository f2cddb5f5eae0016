import { isRpcErrorBody } from '@app/protocol';
import type { RpcErrorBody } from '@app/protocol';
import { types } from 'node:util';
import { EmptyError, TimeoutError } from 'rxjs';
import type { FailureOutcome } from './attempt-outcome';
import { LockClientError } from './lock-client-error';
import { normalizeAddress } from './node-ring';

/** Socket error codes meaning "this node cannot be reached right now". */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Nest's ClientTCP fails in-flight requests with this when the socket closes under them. */
const CONNECTION_CLOSED_MESSAGE = 'Connection closed';

/**
 * Converts the expected ways a TCP request fails into an outcome. Returns null for
 * anything else (a bug, not a node failure) so the caller can rethrow it untouched.
 */
export function classifyFailure(err: unknown, timeoutMs: number): FailureOutcome | null {
  if (err instanceof TimeoutError) {
    return { kind: 'node-failed', reason: `no answer within ${timeoutMs} ms`, connectionBroken: true };
  }
  if (isConnectionError(err)) {
    const reason = err.code ?? 'connection closed';
    return { kind: 'node-failed', reason, connectionBroken: true };
  }
  // Checked after socket errors: an Error with `code` and `message` also looks like a body.
  if (!types.isNativeError(err) && isRpcErrorBody(err)) return classifyRpcError(err);
  if (isNestUnknownError(err)) {
    return { kind: 'rejected', error: new LockClientError('internal', err.message) };
  }
  if (err instanceof EmptyError) {
    return { kind: 'rejected', error: new LockClientError('internal', 'the node answered nothing') };
  }
  return null;
}

function classifyRpcError(body: RpcErrorBody): FailureOutcome {
  const reason = `${body.code}: ${body.message}`;
  switch (body.code) {
    case 'unavailable':
    case 'no_leader':
    case 'timeout':
      return { kind: 'node-failed', reason, connectionBroken: false };
    case 'not_leader': {
      const leader = body.leader ? normalizeAddress(body.leader.tcpAddress) : null;
      if (leader) return { kind: 'redirected', leader, reason };
      return { kind: 'node-failed', reason, connectionBroken: false };
    }
    case 'bad_request':
    case 'not_found':
      // Every node would answer the same: not_found is the leader's word on a session.
      return { kind: 'rejected', error: new LockClientError(body.code, body.message) };
    default:
      // A code this SDK does not know yet: surface it rather than guess it is retryable.
      return { kind: 'rejected', error: new LockClientError('internal', reason) };
  }
}

function isConnectionError(err: unknown): err is NodeJS.ErrnoException {
  // isNativeError, not instanceof: socket errors come from Node's own realm, which is not
  // the caller's under jest's VM sandbox.
  if (!types.isNativeError(err)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined) return CONNECTION_ERROR_CODES.has(code);
  return err.message === CONNECTION_CLOSED_MESSAGE;
}

/** The body Nest sends when a handler throws something other than an RpcException. */
function isNestUnknownError(err: unknown): err is { status: 'error'; message: string } {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { status?: unknown }).status === 'error' &&
    typeof (err as { message?: unknown }).message === 'string'
  );
}
