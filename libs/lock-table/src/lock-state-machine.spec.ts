import type { LogEntry } from '@app/replicated-log';
import type { LockCommand } from './lock-command';
import { LockStateMachine, type AppliedEntry } from './lock-state-machine';

const GRACE_MS = 1_000;

/** Applies `commands` as consecutive entries from `firstIndex`, stamped `leaderTimeMs`. */
function applyAll(
  machine: LockStateMachine,
  firstIndex: number,
  leaderTimeMs: number,
  commands: LockCommand[],
): AppliedEntry[] {
  const entries: LogEntry<LockCommand>[] = commands.map((command, i) => ({
    index: firstIndex + i,
    term: 1,
    leaderTimeMs,
    body: { type: 'command', command },
  }));
  const applied: AppliedEntry[] = [];
  machine.apply(entries, (entry) => applied.push(entry));
  return applied;
}

describe('LockStateMachine', () => {
  it('applies entries in order, skipping noops, and reports each one before the next', () => {
    const machine = new LockStateMachine(GRACE_MS);
    const seen: number[] = [];
    machine.apply(
      [
        { index: 1, term: 1, leaderTimeMs: 0, body: { type: 'noop' } },
        { index: 2, term: 1, leaderTimeMs: 0, body: { type: 'command', command: preempt('a', 'c1') } },
      ],
      ({ entry }) => seen.push(entry.index, machine.appliedIndex),
    );
    expect(seen).toEqual([1, 1, 2, 2]);
    expect(machine.table.ownerOf('a')).toEqual({ name: 'a', owner: 'c1', fencingToken: 2 });
  });

  it('proposes a lock TTL expiry once its time is up, and only once until settled', () => {
    const machine = new LockStateMachine(GRACE_MS);
    applyAll(machine, 1, 1_000, [{ type: 'preempt', name: 'a', clientId: 'c1', ttlMs: 500 }]);
    expect(machine.dueExpiries(1_499, 0, 1)).toEqual([]);
    const due = machine.dueExpiries(1_500, 0, 1);
    expect(due).toEqual([{ type: 'expireLock', name: 'a', fencingToken: 1 }]);
    expect(machine.dueExpiries(1_600, 0, 1)).toEqual([]);
    machine.expirySettled({ type: 'expireLock', name: 'a', fencingToken: 1 });
    expect(machine.dueExpiries(1_600, 0, 1)).toEqual(due);
    const [expired] = applyAll(machine, 2, 1_600, due);
    expect(expired?.events).toEqual([
      { type: 'expired', name: 'a', owner: 'c1', fencingToken: 1, reason: 'lockTtl' },
    ]);
    expect(machine.table.ownerOf('a')).toBeNull();
  });

  it('grants waiters in FIFO order, and a timed-out waiter leaves the queue', () => {
    const machine = new LockStateMachine(GRACE_MS);
    applyAll(machine, 1, 0, [
      preempt('a', 'c1'),
      { type: 'preempt', name: 'a', clientId: 'c2', waitMs: 10_000 },
      { type: 'preempt', name: 'a', clientId: 'c3', waitMs: 100 },
      { type: 'preempt', name: 'a', clientId: 'c4', waitMs: 10_000 },
    ]);
    expect(machine.table.waitingCount('a')).toBe(3);
    const due = machine.dueExpiries(100, 0, 1);
    expect(due).toEqual([{ type: 'expireWaiter', waiterId: 3, deadlineMs: 100 }]);
    applyAll(machine, 5, 100, due);
    applyAll(machine, 6, 200, [release('a', 'c1')]);
    expect(machine.table.ownerOf('a')).toEqual({ name: 'a', owner: 'c2', fencingToken: 6 });
    applyAll(machine, 7, 300, [release('a', 'c2')]);
    expect(machine.table.ownerOf('a')).toEqual({ name: 'a', owner: 'c4', fencingToken: 7 });
    expect(machine.table.waitingCount('a')).toBe(0);
  });

  it('keeps a session alive while keepalives come within its TTL, then expires it with its locks and waiters', () => {
    const machine = new LockStateMachine(GRACE_MS);
    applyAll(machine, 1, 0, [
      { type: 'openSession', sessionId: 's1', clientId: 'c1', ttlMs: 2_000 },
      { type: 'preempt', name: 'a', clientId: 'c1', sessionId: 's1' },
      preempt('b', 'c2'),
      { type: 'preempt', name: 'b', clientId: 'c1', sessionId: 's1', waitMs: 60_000 },
    ]);
    // A new leader first gives every session the grace, then the TTL counts from the last keepalive.
    expect(machine.dueExpiries(0, 0, 1)).toEqual([]);
    expect(machine.keepAlive('s1', 2_500, 1)).toEqual({ type: 'alive', ttlMs: 2_000 });
    expect(machine.dueExpiries(0, 4_499, 1)).toEqual([]);
    expect(machine.keepAlive('s1', 4_000, 1)).toEqual({ type: 'alive', ttlMs: 2_000 });
    const due = machine.dueExpiries(0, 6_000, 1);
    expect(due).toEqual([{ type: 'expireSession', sessionId: 's1' }]);
    // Past its TTL a keepalive is refused, though the expiry is not applied yet.
    expect(machine.keepAlive('s1', 6_000, 1)).toEqual({ type: 'notFound' });

    const [expired] = applyAll(machine, 5, 6_000, due);
    expect(expired?.events).toEqual([
      { type: 'waiterLeft', name: 'b', waiterId: 4, reason: 'sessionEnded' },
      { type: 'expired', name: 'a', owner: 'c1', fencingToken: 2, reason: 'session' },
    ]);
    expect(machine.table.ownerOf('a')).toBeNull();
    expect(machine.table.waitingCount('b')).toBe(0);
    expect(machine.table.hasSession('s1')).toBe(false);
    expect(machine.keepAlive('s1', 6_001, 1)).toEqual({ type: 'notFound' });
  });

  it('starts every lease afresh when leadership moves to a new term', () => {
    const machine = new LockStateMachine(GRACE_MS);
    applyAll(machine, 1, 0, [{ type: 'openSession', sessionId: 's1', clientId: 'c1', ttlMs: 2_000 }]);
    expect(machine.dueExpiries(0, 0, 1)).toEqual([]);
    // Term 1's lease would have run out at 3000; term 2's leader counts from its own first look.
    expect(machine.dueExpiries(0, 5_000, 2)).toEqual([]);
    expect(machine.dueExpiries(0, 7_999, 2)).toEqual([]);
    expect(machine.dueExpiries(0, 8_000, 2)).toEqual([{ type: 'expireSession', sessionId: 's1' }]);
  });

  it('closing a session releases its locks to the next waiter and forgets its lease', () => {
    const machine = new LockStateMachine(GRACE_MS);
    applyAll(machine, 1, 0, [
      { type: 'openSession', sessionId: 's1', clientId: 'c1', ttlMs: 2_000 },
      { type: 'preempt', name: 'a', clientId: 'c1', sessionId: 's1' },
      { type: 'preempt', name: 'a', clientId: 'c2', waitMs: 60_000 },
    ]);
    expect(machine.keepAlive('s1', 0, 1)).toEqual({ type: 'alive', ttlMs: 2_000 });
    const [closed] = applyAll(machine, 4, 10, [{ type: 'closeSession', sessionId: 's1' }]);
    expect(closed?.outcome).toEqual({ type: 'sessionClosed', sessionId: 's1' });
    expect(machine.table.ownerOf('a')).toEqual({ name: 'a', owner: 'c2', fencingToken: 4 });
    expect(machine.keepAlive('s1', 20, 1)).toEqual({ type: 'notFound' });
    expect(machine.dueExpiries(10, 100_000, 1)).toEqual([]);
  });
});

function preempt(name: string, clientId: string): LockCommand {
  return { type: 'preempt', name, clientId };
}

function release(name: string, clientId: string): LockCommand {
  return { type: 'release', name, clientId };
}
