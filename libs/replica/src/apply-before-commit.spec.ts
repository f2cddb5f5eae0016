import { LockStateMachine, type AppliedEntry, type LockCommand } from '@app/lock-table';
import type { LogEntry } from '@app/replicated-log';
import { ApplyBeforeCommit } from './apply-before-commit';

const CLIENT = '5f0c8a1e-7b9d-5c3e-9a41-0d2b6f7e8c11';

function preempt(index: number, term: number, name: string): LogEntry<LockCommand> {
  return {
    index,
    term,
    leaderTimeMs: 0,
    body: { type: 'command', command: { type: 'preempt', name, clientId: CLIENT } },
  };
}

describe('ApplyBeforeCommit (a negative control)', () => {
  it('applies entries once written, answers proposers only at commit, and keeps a truncated entry applied', async () => {
    const machine = new LockStateMachine(1000);
    const served: AppliedEntry[] = [];
    const early = new ApplyBeforeCommit(machine, (applied) => void served.push(applied));
    const storage = early.wrap({ persist: () => Promise.resolve() });

    await storage.persist({
      hardState: null,
      entries: [preempt(1, 1, 'a'), preempt(2, 1, 'b')],
      mustSync: true,
    });
    expect(served.map((a) => a.entry.index)).toEqual([1, 2]);
    expect(machine.appliedIndex).toBe(2);

    const settled: number[] = [];
    const rest: number[] = [];
    // Index 2 was truncated: a new leader committed another entry there, and then index 3.
    early.committed(
      [preempt(1, 1, 'a'), preempt(2, 2, 'c'), preempt(3, 2, 'd')],
      (applied) => void settled.push(applied.entry.index),
      (entries) => void rest.push(...entries.map((e) => e.index)),
    );
    expect(settled).toEqual([1, 2]);
    expect(rest).toEqual([3]);
    expect(machine.table.ownerOf('b')).toMatchObject({ owner: CLIENT, fencingToken: 2 });
    expect(machine.table.ownerOf('c')).toBeNull();
  });
});
