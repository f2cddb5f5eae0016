import {
  LockTable,
  type AppliedEntry,
  type LockCommand,
  type LockEvent,
  type LockOutcome,
} from '@app/lock-table';
import { LockInvariants } from './lock-invariants';

/** Applies `steps` ([leader time, command]) to a real table at indexes 1, 2, ... */
function run(steps: Array<[number, LockCommand]>, table = new LockTable()): AppliedEntry[] {
  return steps.map(([timeMs, command], i) => {
    const index = i + 1;
    const { outcome, events } = table.applyEntry(index, timeMs, command);
    return applied(index, timeMs, command, outcome, events);
  });
}

function applied(
  index: number,
  leaderTimeMs: number,
  command: LockCommand,
  outcome: LockOutcome,
  events: LockEvent[],
): AppliedEntry {
  return {
    entry: { term: 1, index, leaderTimeMs, body: { type: 'command', command } },
    command,
    outcome,
    events,
  };
}

const open = (sessionId: string, clientId: string): LockCommand => ({
  type: 'openSession',
  sessionId,
  clientId,
  ttlMs: 500,
});
const preempt = (
  name: string,
  clientId: string,
  more: Partial<Extract<LockCommand, { type: 'preempt' }>> = {},
) => ({ type: 'preempt', name, clientId, ...more }) as const;

describe('LockInvariants', () => {
  it('accepts what a correct lock table does: sessions, TTLs, waits, expiries and retries', () => {
    const invariants = new LockInvariants();
    const table = new LockTable();
    const entries = run(
      [
        [0, open('s1', 'c1')],
        [0, preempt('a', 'c1', { sessionId: 's1', requestId: 1 })],
        [10, preempt('a', 'c2', { waitMs: 100, requestId: 1 })],
        [20, preempt('a', 'c3', { waitMs: 300, ttlMs: 50 })],
        [30, preempt('a', 'c1', { sessionId: 's1', requestId: 1 })],
        [40, { type: 'release', name: 'a', clientId: 'c2' }],
        [110, { type: 'expireWaiter', waiterId: 3, deadlineMs: 110 }],
        [120, { type: 'expireSession', sessionId: 's1' }],
        [130, preempt('a', 'c2', { waitMs: 100, requestId: 1 })],
        [170, { type: 'expireLock', name: 'a', fencingToken: 8 }],
        [180, { type: 'release', name: 'a', clientId: 'c1' }],
      ],
      table,
    );
    for (const entry of entries) invariants.onApplied('n1', 1, entry);
    invariants.checkTable('n1', 1, table);
    expect(entries.map((e) => e.outcome?.type)).toEqual([
      'sessionOpened',
      'granted',
      'queued',
      'queued',
      'granted',
      'notOwner',
      'noChange',
      'sessionClosed',
      'queued',
      'noChange',
      'notHeld',
    ]);
  });

  it('rejects a later waiter granted while an earlier one still waits (FIFO)', () => {
    const invariants = new LockInvariants();
    const entries = run([
      [0, preempt('a', 'c1')],
      [0, preempt('a', 'c2', { waitMs: 100 })],
      [0, preempt('a', 'c3', { waitMs: 100 })],
    ]);
    for (const entry of entries) invariants.onApplied('n1', 1, entry);
    const release: LockCommand = { type: 'release', name: 'a', clientId: 'c1' };
    const outOfOrder = applied(
      4,
      0,
      release,
      { type: 'released', name: 'a', previousOwner: 'c1', fencingToken: 1 },
      [
        { type: 'released', name: 'a', owner: 'c1', fencingToken: 1 },
        { type: 'granted', name: 'a', owner: 'c3', fencingToken: 4, waiterId: 3 },
      ],
    );
    expect(() => invariants.onApplied('n1', 1, outOfOrder)).toThrow(/FIFO broken/);
  });

  it('rejects a grant to a session that has ended', () => {
    const invariants = new LockInvariants();
    for (const entry of run([
      [0, open('s1', 'c1')],
      [0, { type: 'closeSession', sessionId: 's1' }],
    ]))
      invariants.onApplied('n1', 1, entry);
    const command = preempt('a', 'c1', { sessionId: 's1' });
    const grant = applied(3, 0, command, { type: 'granted', name: 'a', owner: 'c1', fencingToken: 3 }, [
      { type: 'granted', name: 'a', owner: 'c1', fencingToken: 3, waiterId: null },
    ]);
    expect(() => invariants.onApplied('n1', 1, grant)).toThrow(/granted to session s1, which has ended/);
  });

  it("rejects a session's end that leaves its lock held", () => {
    const invariants = new LockInvariants();
    for (const entry of run([
      [0, open('s1', 'c1')],
      [0, preempt('a', 'c1', { sessionId: 's1' })],
    ]))
      invariants.onApplied('n1', 1, entry);
    const end = applied(
      3,
      0,
      { type: 'expireSession', sessionId: 's1' },
      { type: 'sessionClosed', sessionId: 's1' },
      [],
    );
    expect(() => invariants.onApplied('n1', 1, end)).toThrow(/the ended session still holds \[a\]/);
  });

  it('rejects a lock TTL expired before its time, and a wait expired early', () => {
    const invariants = new LockInvariants();
    for (const entry of run([
      [100, preempt('a', 'c1', { ttlMs: 50 })],
      [100, preempt('a', 'c2', { waitMs: 80 })],
    ]))
      invariants.onApplied('n1', 1, entry);
    const early = applied(3, 149, { type: 'expireLock', name: 'a', fencingToken: 1 }, { type: 'noChange' }, [
      { type: 'expired', name: 'a', owner: 'c1', fencingToken: 1, reason: 'lockTtl' },
    ]);
    expect(() => invariants.onApplied('n1', 1, early)).toThrow(
      /lock TTL expired at 149 ms, before its end at 150 ms/,
    );
    const second = new LockInvariants();
    for (const entry of run([
      [100, preempt('a', 'c1', { ttlMs: 50 })],
      [100, preempt('a', 'c2', { waitMs: 80 })],
    ]))
      second.onApplied('n1', 1, entry);
    const waitEarly = applied(
      3,
      170,
      { type: 'expireWaiter', waiterId: 2, deadlineMs: 180 },
      { type: 'noChange' },
      [{ type: 'waiterLeft', name: 'a', waiterId: 2, reason: 'timedOut' }],
    );
    expect(() => second.onApplied('n1', 1, waitEarly)).toThrow(/waiter expired at 170 ms, before 180/);
  });

  it('rejects a retried requestId applied a second time', () => {
    const invariants = new LockInvariants();
    const release: LockCommand = { type: 'release', name: 'a', clientId: 'c1', requestId: 7 };
    for (const entry of run([
      [0, preempt('a', 'c1')],
      [0, release],
      [0, preempt('a', 'c1')],
    ]))
      invariants.onApplied('n1', 1, entry);
    const again = applied(
      4,
      0,
      release,
      { type: 'released', name: 'a', previousOwner: 'c1', fencingToken: 3 },
      [{ type: 'released', name: 'a', owner: 'c1', fencingToken: 3 }],
    );
    expect(() => invariants.onApplied('n1', 1, again)).toThrow(
      /a retried requestId was applied a second time/,
    );
  });

  it('rejects a fencing token that does not grow, and one that names two owners on two nodes', () => {
    const invariants = new LockInvariants();
    for (const entry of run([
      [0, preempt('a', 'c1')],
      [0, { type: 'release', name: 'a', clientId: 'c1' }],
    ]))
      invariants.onApplied('n1', 1, entry);
    const stale = applied(
      3,
      0,
      preempt('a', 'c2'),
      { type: 'granted', name: 'a', owner: 'c2', fencingToken: 3 },
      [{ type: 'granted', name: 'a', owner: 'c2', fencingToken: 3, waiterId: null }],
    );
    invariants.onApplied('n1', 1, stale);
    const elsewhere = applied(
      1,
      0,
      preempt('a', 'c3'),
      { type: 'granted', name: 'a', owner: 'c3', fencingToken: 1 },
      [{ type: 'granted', name: 'a', owner: 'c3', fencingToken: 1, waiterId: null }],
    );
    expect(() => invariants.onApplied('n2', 1, elsewhere)).toThrow(/token a#1 was granted to c1 elsewhere/);
    const lower = new LockInvariants();
    for (const entry of run([
      [0, preempt('b', 'c1')],
      [0, { type: 'release', name: 'b', clientId: 'c1' }],
    ]))
      lower.onApplied('n1', 1, entry);
    const backwards = applied(
      3,
      0,
      preempt('b', 'c2'),
      { type: 'granted', name: 'b', owner: 'c2', fencingToken: 1 },
      [{ type: 'granted', name: 'b', owner: 'c2', fencingToken: 1, waiterId: null }],
    );
    expect(() => lower.onApplied('n1', 1, backwards)).toThrow(
      /fencing token is not the granting entry's index/,
    );
  });

  it('rejects a grant while another client holds the lock', () => {
    const invariants = new LockInvariants();
    for (const entry of run([[0, preempt('a', 'c1')]])) invariants.onApplied('n1', 1, entry);
    const second = applied(
      2,
      0,
      preempt('a', 'c2'),
      { type: 'granted', name: 'a', owner: 'c2', fencingToken: 2 },
      [{ type: 'granted', name: 'a', owner: 'c2', fencingToken: 2, waiterId: null }],
    );
    expect(() => invariants.onApplied('n1', 1, second)).toThrow(/mutual exclusion broken/);
  });
});
