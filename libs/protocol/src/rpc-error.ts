import type { MemberAddress } from './cluster-messages';

/**
 * Every failed TCP request answers with one of these bodies (the `err` of the Nest
 * transport). A refused preempt or release is not an error: it is a normal response
 * with `acquired: false` or `released: false`.
 */
export type RpcErrorCode =
  'bad_request' | 'not_found' | 'not_leader' | 'no_leader' | 'unavailable' | 'timeout';

export interface RpcErrorBody {
  code: RpcErrorCode;
  message: string;
  /** set with not_leader when this node knows who leads */
  leader?: MemberAddress;
}

const RPC_ERROR_CODES: ReadonlySet<string> = new Set<RpcErrorCode>([
  'bad_request',
  'not_found',
  'not_leader',
  'no_leader',
  'unavailable',
  'timeout',
]);

/**
 * True only for a body a Latchkey node sent. A socket error also has `code` and
 * `message` (ECONNREFUSED, ...), so the code must be one of ours.
 */
export function isRpcErrorBody(value: unknown): value is RpcErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Error) &&
    RPC_ERROR_CODES.has((value as RpcErrorBody).code) &&
    typeof (value as RpcErrorBody).message === 'string'
  );
}
