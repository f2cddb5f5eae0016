import type { MemberAddress, RpcErrorBody } from '@app/protocol';
import { unreachable } from '@app/replicated-log';

/**
 * Why a lock request could not be decided. These are values inside the service; the
 * HTTP and TCP controllers map them to status codes and RPC errors at the edge.
 */
export type LockApiError =
  | { type: 'notLeader'; leader: MemberAddress | null }
  | { type: 'noLeader' }
  | { type: 'notFound'; message: string }
  | { type: 'unavailable'; reason: string }
  | { type: 'badRequest'; message: string };

export type LockApiResult<T> = { type: 'ok'; value: T } | LockApiError;

export function ok<T>(value: T): LockApiResult<T> {
  return { type: 'ok', value };
}

export function isLockApiError<T>(result: LockApiResult<T>): result is LockApiError {
  return result.type !== 'ok';
}

/** The error an RPC caller (a follower, the SDK) receives for a LockApiError. */
export function toRpcErrorBody(error: LockApiError): RpcErrorBody {
  switch (error.type) {
    case 'notLeader':
      return {
        code: 'not_leader',
        message: 'this node does not lead',
        ...(error.leader ? { leader: error.leader } : {}),
      };
    case 'noLeader':
      return { code: 'no_leader', message: 'no leader is known right now; retry shortly' };
    case 'unavailable':
      return { code: 'unavailable', message: error.reason };
    case 'badRequest':
      return { code: 'bad_request', message: error.message };
    case 'notFound':
      return { code: 'not_found', message: error.message };
  }
}

/** The inverse, for answers a forwarded request got back from the leader. */
export function fromRpcErrorBody(body: RpcErrorBody): LockApiError {
  switch (body.code) {
    case 'not_leader':
      return { type: 'notLeader', leader: body.leader ?? null };
    case 'no_leader':
      return { type: 'noLeader' };
    case 'bad_request':
      return { type: 'badRequest', message: body.message };
    case 'not_found':
      return { type: 'notFound', message: body.message };
    case 'unavailable':
    case 'timeout':
      return { type: 'unavailable', reason: body.message };
    default:
      return unreachable(body.code);
  }
}
