import type { RaftStatus } from '@app/replicated-log';
import { READY_MAX_APPLY_LAG, readinessOf } from './readiness';

const member = {
  id: 'n1',
  tcpAddress: '127.0.0.1:8001',
  httpAddress: '127.0.0.1:3001',
  storageId: 'storage-n1',
};
const base: RaftStatus = {
  id: 'n1',
  role: 'follower',
  term: 2,
  leaderId: 'n2',
  commitIndex: 500,
  appliedIndex: 500,
  lastIndex: 500,
  members: [member],
  membershipIndex: 1,
  snapshotIndex: 0,
  firstLogIndex: 1,
  progress: {},
};

describe('readinessOf', () => {
  it('is ready as a member that knows a leader and has applied what is committed', () => {
    expect(readinessOf(base)).toEqual({ ready: true });
    expect(readinessOf({ ...base, appliedIndex: 500 - READY_MAX_APPLY_LAG })).toEqual({ ready: true });
  });

  it('is not ready without a leader, outside the membership, or far behind its commit index', () => {
    expect(readinessOf({ ...base, leaderId: null })).toEqual({ ready: false, reason: 'no leader known' });
    expect(readinessOf({ ...base, members: [] })).toEqual({ ready: false, reason: 'not a member' });
    expect(readinessOf({ ...base, appliedIndex: 499 - READY_MAX_APPLY_LAG })).toEqual({
      ready: false,
      reason: 'applying the log',
    });
  });
});
