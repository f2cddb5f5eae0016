import type { LogEntry } from '@app/replicated-log';
import type { LockCommand } from './lock-command';
import { LockStateMachine } from './lock-state-machine';
import { checkLockTableSnapshot } from './lock-table-snapshot';

const S1 = 'a'.repeat(32);
const S2 = 'b'.repeat(32);

function entries(firstIndex: number, commands: LockCommand[]): LogEntry<LockCommand>[] {
  return commands.map((command, i) => ({
    index: firstIndex + i,
    term: 1,
    leaderTimeMs: 1_000 * (firstIndex + i),
    body: { type: 'command', command },
  }));
}

const HISTORY: LockCommand[] = [
  { type: 'openSession', sessionId: S1, clientId: 'c1', ttlMs: 10_000 },
  { type: 'openSession', sessionId: S2, clientId: 'c2', ttlMs: 10_000 },
  { type: 'preempt', name: 'a', clientId: 'c1', sessionId: S1, requestId: 1 },
  { type: 'preempt', name: 'a', clientId: 'c2', sessionId: S2, waitMs: 60_000, requestId: 1 },
  { type: 'preempt', name: 'a', clientId: 'c3', waitMs: 60_000, requestId: 7 },
  { type: 'preempt', name: 'b', clientId: 'c3', ttlMs: 5_000, requestId: 8 },
  { type: 'release', name: 'zzz', clientId: 'c4', requestId: 1 },
];

/** What follows the snapshot: grants to waiters, a session ending, retried requests. */
const AFTER: LockCommand[] = [
  { type: 'release', name: 'a', clientId: 'c1', sessionId: S1, requestId: 2 },
  { type: 'preempt', name: 'a', clientId: 'c2', sessionId: S2, waitMs: 60_000, requestId: 1 },
  { type: 'closeSession', sessionId: S2 },
  { type: 'preempt', name: 'a', clientId: 'c3', waitMs: 60_000, requestId: 7 },
  { type: 'expireLock', name: 'b', fencingToken: 6 },
  { type: 'release', name: 'zzz', clientId: 'c4', requestId: 1 },
];

describe('lock table snapshots', () => {
  it('a machine restored from a snapshot (through JSON) applies what follows exactly as the original', () => {
    const original = new LockStateMachine(1_000);
    original.apply(entries(1, HISTORY), () => undefined);
    const saved = JSON.parse(JSON.stringify(original.snapshot())) as unknown;
    const checked = checkLockTableSnapshot(saved);
    if (typeof checked === 'string') throw new Error(checked);
    const restored = new LockStateMachine(1_000);
    restored.restore(checked);
    expect(restored.appliedIndex).toBe(HISTORY.length);
    expect(restored.table.ownerOf('a')).toEqual(original.table.ownerOf('a'));
    expect(restored.table.waitingCount('a')).toBe(2);
    expect(restored.table.hasSession(S1)).toBe(true);

    const outcomes = (machine: LockStateMachine) => {
      const seen: unknown[] = [];
      machine.apply(entries(HISTORY.length + 1, AFTER), ({ outcome, events }) => seen.push(outcome, events));
      return seen;
    };
    expect(outcomes(restored)).toEqual(outcomes(original));
    expect(restored.snapshot()).toEqual(original.snapshot());
  });

  it('the snapshot is a copy: applying more entries does not change it', () => {
    const machine = new LockStateMachine(1_000);
    machine.apply(entries(1, HISTORY), () => undefined);
    const saved = machine.snapshot();
    const text = JSON.stringify(saved);
    machine.apply(entries(HISTORY.length + 1, AFTER), () => undefined);
    expect(JSON.stringify(saved)).toBe(text);
  });

  it('refuses what is not a snapshot state, with a reason', () => {
    expect(checkLockTableSnapshot(null)).toMatch(/not an object/);
    expect(checkLockTableSnapshot({ version: 2 })).toMatch(/version 2/);
    expect(checkLockTableSnapshot({ version: 1, appliedIndex: 3, locks: [] })).toMatch(/queues/);
  });
});
