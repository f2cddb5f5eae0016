import type { MemberAddress, RpcErrorBody } from '@app/protocol';
import { fromRpcErrorBody, isLockApiError, ok, toRpcErrorBody, type LockApiError } from './lock-api-error';

const LEADER: MemberAddress = { id: 'n1', httpAddress: '127.0.0.1:1', tcpAddress: '127.0.0.1:2' };

describe('LockApiError at the RPC edge', () => {
  it.each<LockApiError>([
    { type: 'notLeader', leader: LEADER },
    { type: 'notLeader', leader: null },
    { type: 'noLeader' },
    { type: 'notFound', message: 'session not found' },
    { type: 'unavailable', reason: 'no quorum' },
    { type: 'badRequest', message: 'bad name' },
  ])('survives the trip to an RPC error body and back: %j', (error) => {
    expect(fromRpcErrorBody(toRpcErrorBody(error))).toEqual(error);
  });

  it('names the leader in not_leader only when one is known', () => {
    expect(toRpcErrorBody({ type: 'notLeader', leader: LEADER })).toEqual({
      code: 'not_leader',
      message: 'this node does not lead',
      leader: LEADER,
    });
    expect(toRpcErrorBody({ type: 'notLeader', leader: null })).not.toHaveProperty('leader');
  });

  it('reads a forwarded timeout as unavailable', () => {
    const body: RpcErrorBody = { code: 'timeout', message: 'not committed in time' };
    expect(fromRpcErrorBody(body)).toEqual({ type: 'unavailable', reason: 'not committed in time' });
  });

  it('tells errors from successes', () => {
    expect(isLockApiError(ok(1))).toBe(false);
    expect(isLockApiError({ type: 'noLeader' })).toBe(true);
  });
});
