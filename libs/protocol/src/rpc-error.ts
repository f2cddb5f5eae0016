import type { MemberAddress } from './cluster-messages';

/**
 * Every failed TCP request answers with one of these bodies (the `err` of the Nest
 * transport). A refused preempt or release is not an error: it is a normal response
 * with `acquired: false` or `released: false`.
 */
export type RpcErrorCode =
  | 'bad_request'
  | 'not_leader'
  | 'no_leader'
  | 'unavailable'
  | 'timeout';

export interface RpcErrorBody {
  code: RpcErrorCode;
  message: string;
  /** set with not_leader when this node knows who leads */
  leader?: MemberAddress;
}

export function isRpcErrorBody(value: unknown): value is RpcErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as RpcErrorBody).code === 'string' &&
    typeof (value as RpcErrorBody).message === 'string'
  );
}
