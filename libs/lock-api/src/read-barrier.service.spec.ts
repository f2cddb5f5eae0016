import { MessagePatterns, type MemberAddress } from '@app/protocol';
import type { NodeOptions, ReplicaService } from '@app/replica';
import type { LeaderForwarder } from './leader-forwarder';
import { ok, type LockApiResult } from './lock-api-error';
import type { LockOwnersReadModel } from './lock-owners.read-model';
import { ReadBarrier } from './read-barrier.service';

const LEADER: MemberAddress = { id: 'n1', httpAddress: '127.0.0.1:1', tcpAddress: '127.0.0.1:2' };

type ReadIndexAnswer =
  | { type: 'index'; index: number }
  | { type: 'notLeader'; leader: MemberAddress | null }
  | { type: 'unavailable'; reason: string };

/** Small stand-ins for the collaborators: each records what it was asked. */
function setUp({
  isLeader = false,
  readIndex = { type: 'index', index: 7 },
  forwarded = ok({ index: 9 }),
  appliedUpTo = 100,
}: {
  isLeader?: boolean;
  readIndex?: ReadIndexAnswer;
  forwarded?: LockApiResult<{ index: number }>;
  appliedUpTo?: number;
} = {}) {
  const waitedFor: number[] = [];
  const forwards: { pattern: string; payload: object }[] = [];
  const replica = {
    isLeader,
    readIndex: () => Promise.resolve(readIndex),
    leader: () => LEADER,
  } as unknown as ReplicaService;
  const forwarder = {
    forward: (pattern: string, payload: object) => {
      forwards.push({ pattern, payload });
      return Promise.resolve(forwarded);
    },
  } as unknown as LeaderForwarder;
  const readModel = {
    waitForIndex: (index: number) => {
      waitedFor.push(index);
      return Promise.resolve(index <= appliedUpTo);
    },
  } as unknown as LockOwnersReadModel;
  const options = { id: 'n2', requestTimeoutMs: 1000 } as NodeOptions;
  return { barrier: new ReadBarrier(replica, forwarder, readModel, options), waitedFor, forwards };
}

describe('ReadBarrier', () => {
  it('waits only for minIndex on a local-with-minIndex read, without asking the leader', async () => {
    const { barrier, waitedFor, forwards } = setUp();
    await expect(barrier.wait('local', 5)).resolves.toEqual(ok(undefined));
    expect(waitedFor).toEqual([5]);
    expect(forwards).toEqual([]);
  });

  it('on the leader, waits for its confirmed read index when that is above minIndex', async () => {
    const { barrier, waitedFor } = setUp({ isLeader: true, readIndex: { type: 'index', index: 7 } });
    await expect(barrier.wait('linearizable', 3)).resolves.toEqual(ok(undefined));
    expect(waitedFor).toEqual([7]);
  });

  it('keeps minIndex when it is above the confirmed index', async () => {
    const { barrier, waitedFor } = setUp({ isLeader: true, readIndex: { type: 'index', index: 7 } });
    await barrier.wait('linearizable', 12);
    expect(waitedFor).toEqual([12]);
  });

  it('on a follower, asks the leader for its read index', async () => {
    const { barrier, waitedFor, forwards } = setUp({ forwarded: ok({ index: 9 }) });
    await expect(barrier.wait('linearizable', 0)).resolves.toEqual(ok(undefined));
    expect(forwards).toEqual([{ pattern: MessagePatterns.readIndex, payload: {} }]);
    expect(waitedFor).toEqual([9]);
  });

  it('is unavailable when this node has not applied the index in time', async () => {
    const { barrier } = setUp({ appliedUpTo: 4 });
    await expect(barrier.wait('local', 5)).resolves.toEqual({
      type: 'unavailable',
      reason: 'this node has not applied index 5 yet; retry',
    });
  });

  it('passes a failed read index through without waiting', async () => {
    const refused = setUp({ isLeader: true, readIndex: { type: 'notLeader', leader: LEADER } });
    await expect(refused.barrier.wait('linearizable', 0)).resolves.toEqual({
      type: 'notLeader',
      leader: LEADER,
    });
    expect(refused.waitedFor).toEqual([]);

    const down = setUp({ isLeader: true, readIndex: { type: 'unavailable', reason: 'no quorum' } });
    await expect(down.barrier.wait('linearizable', 0)).resolves.toEqual({
      type: 'unavailable',
      reason: 'no quorum',
    });

    const noLeader = setUp({ forwarded: { type: 'noLeader' } });
    await expect(noLeader.barrier.wait('linearizable', 0)).resolves.toEqual({ type: 'noLeader' });
    expect(noLeader.waitedFor).toEqual([]);
  });

  it('does not forward a read index request that was itself forwarded', async () => {
    const { barrier, forwards } = setUp();
    await expect(barrier.confirmedIndex('n3')).resolves.toEqual({ type: 'notLeader', leader: LEADER });
    expect(forwards).toEqual([]);
  });
});
