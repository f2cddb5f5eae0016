import type { LockCommand } from './lock-command';
import { LockStateMachine } from './lock-state-machine';
import type { AppliedEntry } from './lock-state-machine';
import { LockTable } from './lock-table';

const S1 = '1'.repeat(32);
const S2 = '2'.repeat(32);

const open = (sessionId: string, clientId: string): LockCommand => ({
  type: 'openSession',
  sessionId,
  clientId,
  ttlMs: 5_000,
});

describe('LockTable outcomes and events', () => {
  it('answers an opened session with its id, owner and TTL', () => {
    const table = new LockTable();
    expect(table.apply(1, open(S1, 'c1'))).toEqual({
      type: 'sessionOpened',
      sessionId: S1,
      clientId: 'c1',
      ttlMs: 5_000,
    });
  });

  it('reports a queued preempt with a waiterQueued event', () => {
    const table = new LockTable();
    table.apply(1, { type: 'preempt', name: 'x', clientId: 'c1' });
    expect(
      table.applyEntry(2, 0, { type: 'preempt', name: 'x', clientId: 'c2', waitMs: 1_000 }).events,
    ).toEqual([{ type: 'waiterQueued', name: 'x', waiterId: 2 }]);
  });

  it('reports the locks of a closed session as released (an expired one as expired)', () => {
    const table = new LockTable();
    table.apply(1, open(S1, 'c1'));
    table.apply(2, { type: 'preempt', name: 'x', clientId: 'c1', sessionId: S1 });
    expect(table.applyEntry(3, 0, { type: 'closeSession', sessionId: S1 })).toEqual({
      outcome: { type: 'sessionClosed', sessionId: S1 },
      events: [{ type: 'released', name: 'x', owner: 'c1', fencingToken: 2 }],
    });
  });

  it('answers an applied lock expiry with noChange', () => {
    const table = new LockTable();
    table.apply(1, { type: 'preempt', name: 'x', clientId: 'c1', ttlMs: 1_000 });
    expect(table.applyEntry(2, 0, { type: 'expireLock', name: 'x', fencingToken: 1 }).outcome).toEqual({
      type: 'noChange',
    });
  });

  it('answers a retried release the same, without applying it again', () => {
    const table = new LockTable();
    table.apply(1, { type: 'preempt', name: 'x', clientId: 'c1' });
    const release: LockCommand = { type: 'release', name: 'x', clientId: 'c1', requestId: 9 };
    const released = { type: 'released', name: 'x', previousOwner: 'c1', fencingToken: 1 };
    expect(table.apply(2, release)).toEqual(released);
    expect(table.applyEntry(3, 0, release)).toEqual({ outcome: released, events: [] });
  });

  it('tells requests with the same requestId apart by their session', () => {
    const table = new LockTable();
    table.apply(1, open(S1, 'c1'));
    table.apply(2, open(S2, 'c1'));
    expect(
      table.apply(3, { type: 'preempt', name: 'x', clientId: 'c1', sessionId: S1, requestId: 5 }),
    ).toMatchObject({
      type: 'granted',
    });
    // Another session's preempt is a different request: the lock is held by the first session.
    expect(
      table.apply(4, { type: 'preempt', name: 'x', clientId: 'c1', sessionId: S2, requestId: 5 }),
    ).toEqual({
      type: 'lockHeld',
      name: 'x',
      owner: 'c1',
      fencingToken: 3,
    });
  });

  it('queues the same client again for another session: a wait is per client and session', () => {
    const table = new LockTable();
    table.apply(1, open(S1, 'c2'));
    table.apply(2, { type: 'preempt', name: 'x', clientId: 'c1' });
    table.apply(3, { type: 'preempt', name: 'x', clientId: 'c2', waitMs: 1_000 });
    expect(
      table.apply(4, { type: 'preempt', name: 'x', clientId: 'c2', sessionId: S1, waitMs: 1_000 }),
    ).toMatchObject({ type: 'queued', waiterId: 4 });
    expect(table.waitingCount('x')).toBe(2);
  });

  it('forgets a granted waiter in its session, so closing the session later frees only its lock', () => {
    const table = new LockTable();
    table.apply(1, open(S1, 'c2'));
    table.apply(2, { type: 'preempt', name: 'x', clientId: 'c1' });
    table.apply(3, { type: 'preempt', name: 'x', clientId: 'c2', sessionId: S1, waitMs: 1_000 });
    table.apply(4, { type: 'release', name: 'x', clientId: 'c1' });
    expect(table.session(S1)?.waiterIds.size).toBe(0);
    expect(table.applyEntry(5, 0, { type: 'closeSession', sessionId: S1 }).events).toEqual([
      { type: 'released', name: 'x', owner: 'c2', fencingToken: 4 },
    ]);
  });
});

describe('LockStateMachine reports', () => {
  it('reports a noop entry with no command, no outcome and no events', () => {
    const machine = new LockStateMachine(1_000);
    const applied: AppliedEntry[] = [];
    machine.apply([{ index: 1, term: 1, leaderTimeMs: 0, body: { type: 'noop' } }], (entry) =>
      applied.push(entry),
    );
    expect(applied).toEqual([
      {
        entry: { index: 1, term: 1, leaderTimeMs: 0, body: { type: 'noop' } },
        command: null,
        outcome: null,
        events: [],
      },
    ]);
  });
});
