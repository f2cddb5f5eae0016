import type { MemberAddress } from '@app/protocol';
import type { NodeOptions, ReplicaService } from '@app/replica';
import { fromPreemptOutcome, fromWaitResult } from './commands/preempt-response';
import { KeepAliveCommand } from './commands/keep-alive.command';
import { KeepAliveHandler } from './commands/keep-alive.handler';
import type { LeaderForwarder } from './leader-forwarder';
import { ok, type LockApiResult } from './lock-api-error';
import { LockOwnersReadModel } from './lock-owners.read-model';
import { CheckLockHandler } from './queries/check-lock.handler';
import { CheckLockQuery } from './queries/check-lock.query';
import { ListLocksHandler } from './queries/list-locks.handler';
import { ListLocksQuery } from './queries/list-locks.query';
import type { ReadBarrier } from './read-barrier.service';

const LEADER: MemberAddress = { id: 'n1', httpAddress: '127.0.0.1:1', tcpAddress: '127.0.0.1:2' };
const OPTIONS = { id: 'n2', requestTimeoutMs: 1000 } as NodeOptions;

describe('preempt answers', () => {
  it('answers a grant and a refusal with the holder and the index', () => {
    expect(
      fromPreemptOutcome({ type: 'granted', name: 'x', owner: 'a', fencingToken: 3 } as never, 9),
    ).toEqual(ok({ name: 'x', acquired: true, owner: 'a', fencingToken: 3, index: 9 }));
    expect(
      fromPreemptOutcome({ type: 'lockHeld', name: 'x', owner: 'b', fencingToken: 4 } as never, 10),
    ).toEqual(ok({ name: 'x', acquired: false, owner: 'b', fencingToken: 4, index: 10 }));
  });

  it('maps session outcomes to 404 and 400 errors', () => {
    expect(fromPreemptOutcome({ type: 'sessionNotFound' } as never, 1)).toMatchObject({ type: 'notFound' });
    expect(fromPreemptOutcome({ type: 'sessionMismatch' } as never, 1)).toMatchObject({ type: 'badRequest' });
  });

  it('treats an outcome a preempt cannot have as a broken invariant', () => {
    expect(() => fromPreemptOutcome({ type: 'released' } as never, 1)).toThrow(
      /unexpected lock outcome released/,
    );
  });

  it('answers a queued preempt from its wait', () => {
    expect(fromWaitResult('x', { type: 'granted', index: 5, owner: 'a', fencingToken: 7 }, null)).toEqual(
      ok({ name: 'x', acquired: true, owner: 'a', fencingToken: 7, index: 5 }),
    );
    expect(
      fromWaitResult('x', { type: 'left', index: 6, reason: 'timedOut' }, { owner: 'b', fencingToken: 2 }),
    ).toEqual(ok({ name: 'x', acquired: false, owner: 'b', fencingToken: 2, index: 6 }));
    expect(fromWaitResult('x', { type: 'left', index: 6, reason: 'sessionEnded' }, null)).toEqual(
      ok({ name: 'x', acquired: false, owner: null, fencingToken: null, index: 6 }),
    );
    expect(fromWaitResult('x', { type: 'stillWaiting' }, null)).toMatchObject({ type: 'unavailable' });
  });
});

describe('KeepAliveHandler', () => {
  type KeepAliveAnswer =
    | { type: 'alive'; ttlMs: number }
    | { type: 'notFound' }
    | { type: 'unavailable'; reason: string }
    | { type: 'notLeader'; leader: MemberAddress | null };

  function handler(
    answer: KeepAliveAnswer,
    forwarded: LockApiResult<unknown> = ok({ sessionId: 's', ttlMs: 5 }),
  ) {
    const forwards: unknown[] = [];
    const replica = { keepAlive: () => Promise.resolve(answer) } as unknown as ReplicaService;
    const forwarder = {
      forward: (_pattern: string, payload: unknown) => {
        forwards.push(payload);
        return Promise.resolve(forwarded);
      },
    } as unknown as LeaderForwarder;
    return { handler: new KeepAliveHandler(replica, forwarder), forwards };
  }

  it('answers alive with the TTL, and unknown sessions with notFound', async () => {
    await expect(
      handler({ type: 'alive', ttlMs: 900 }).handler.execute(new KeepAliveCommand('s')),
    ).resolves.toEqual(ok({ sessionId: 's', ttlMs: 900 }));
    await expect(
      handler({ type: 'notFound' }).handler.execute(new KeepAliveCommand('s')),
    ).resolves.toMatchObject({
      type: 'notFound',
    });
    await expect(
      handler({ type: 'unavailable', reason: 'no quorum' }).handler.execute(new KeepAliveCommand('s')),
    ).resolves.toEqual({ type: 'unavailable', reason: 'no quorum' });
  });

  it('forwards to the leader from a follower, but not a keepalive that was already forwarded', async () => {
    const follower = handler({ type: 'notLeader', leader: LEADER });
    await expect(follower.handler.execute(new KeepAliveCommand('s'))).resolves.toEqual(
      ok({ sessionId: 's', ttlMs: 5 }),
    );
    expect(follower.forwards).toEqual([{ sessionId: 's' }]);

    const twice = handler({ type: 'notLeader', leader: LEADER });
    await expect(twice.handler.execute(new KeepAliveCommand('s', 'n3'))).resolves.toEqual({
      type: 'notLeader',
      leader: LEADER,
    });
    expect(twice.forwards).toEqual([]);
  });
});

describe('the read handlers', () => {
  function readModel(): LockOwnersReadModel {
    const model = new LockOwnersReadModel();
    model.grant({ name: 'b:1', owner: 'o1', fencingToken: 1 });
    model.grant({ name: 'a:1', owner: 'o2', fencingToken: 2 });
    model.grant({ name: 'a:2', owner: 'o3', fencingToken: 3 });
    model.changeWaiters('a:1', 2);
    model.advanceTo(4);
    return model;
  }

  function barrier(answer: LockApiResult<void>) {
    const asked: unknown[] = [];
    const fake = {
      wait: (consistency: string, minIndex: number) => {
        asked.push({ consistency, minIndex });
        return Promise.resolve(answer);
      },
    } as unknown as ReadBarrier;
    return { fake, asked };
  }

  it('answers a local check from the map without the barrier', async () => {
    const { fake, asked } = barrier(ok(undefined));
    const check = new CheckLockHandler(readModel(), fake, OPTIONS);
    await expect(check.execute(new CheckLockQuery('a:1'))).resolves.toEqual(
      ok({ name: 'a:1', owner: 'o2', fencingToken: 2, waiters: 2, appliedIndex: 4, servedBy: 'n2' }),
    );
    await expect(check.execute(new CheckLockQuery('free'))).resolves.toEqual(
      ok({ name: 'free', owner: null, fencingToken: null, waiters: 0, appliedIndex: 4, servedBy: 'n2' }),
    );
    expect(asked).toEqual([]);
  });

  it('waits at the barrier for a linearizable read or an index not applied yet, and passes its refusal on', async () => {
    const passing = barrier(ok(undefined));
    const check = new CheckLockHandler(readModel(), passing.fake, OPTIONS);
    await check.execute(new CheckLockQuery('a:1', 'linearizable'));
    await check.execute(new CheckLockQuery('a:1', 'local', 5));
    await check.execute(new CheckLockQuery('a:1', 'local', 4));
    expect(passing.asked).toEqual([
      { consistency: 'linearizable', minIndex: 0 },
      { consistency: 'local', minIndex: 5 },
    ]);

    const refusing = barrier({ type: 'noLeader' });
    const refused = new CheckLockHandler(readModel(), refusing.fake, OPTIONS);
    await expect(refused.execute(new CheckLockQuery('a:1', 'linearizable'))).resolves.toEqual({
      type: 'noLeader',
    });
  });

  it('lists the locks under a prefix in name order', async () => {
    const list = new ListLocksHandler(readModel());
    await expect(list.execute(new ListLocksQuery('a:'))).resolves.toEqual([
      { name: 'a:1', owner: 'o2', fencingToken: 2 },
      { name: 'a:2', owner: 'o3', fencingToken: 3 },
    ]);
    await expect(list.execute(new ListLocksQuery(''))).resolves.toHaveLength(3);
  });
});
