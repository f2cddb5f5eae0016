import { LockTable } from '@app/lock-table';
import { LockExclusion } from './lock-exclusion';

describe('LockExclusion', () => {
  it('accepts what a correct lock table does', () => {
    const exclusion = new LockExclusion();
    const table = new LockTable();
    const commands = [
      { type: 'preempt', name: 'a', clientId: 'c1' },
      { type: 'preempt', name: 'a', clientId: 'c2' },
      { type: 'release', name: 'a', clientId: 'c2' },
      { type: 'preempt', name: 'a', clientId: 'c1' },
      { type: 'release', name: 'a', clientId: 'c1' },
      { type: 'release', name: 'a', clientId: 'c1' },
      { type: 'preempt', name: 'a', clientId: 'c2' },
    ] as const;
    commands.forEach((command, i) =>
      exclusion.onOutcome('n1', 1, i + 1, command, table.apply(i + 1, command)),
    );
    exclusion.checkTable('n1', 1, table);
  });

  it('rejects a grant to a second owner while the first holds the lock', () => {
    const exclusion = new LockExclusion();
    exclusion.onOutcome(
      'n1',
      1,
      1,
      { type: 'preempt', name: 'a', clientId: 'c1' },
      { type: 'granted', name: 'a', owner: 'c1', fencingToken: 1 },
    );
    expect(() =>
      exclusion.onOutcome(
        'n1',
        1,
        2,
        { type: 'preempt', name: 'a', clientId: 'c2' },
        { type: 'granted', name: 'a', owner: 'c2', fencingToken: 2 },
      ),
    ).toThrow(/mutual exclusion broken/);
  });

  it('rejects a fencing token that does not grow, and one that names two owners on two nodes', () => {
    const exclusion = new LockExclusion();
    exclusion.onOutcome(
      'n1',
      1,
      5,
      { type: 'preempt', name: 'a', clientId: 'c1' },
      { type: 'granted', name: 'a', owner: 'c1', fencingToken: 5 },
    );
    exclusion.onOutcome(
      'n1',
      1,
      6,
      { type: 'release', name: 'a', clientId: 'c1' },
      { type: 'released', name: 'a', previousOwner: 'c1', fencingToken: 5 },
    );
    expect(() =>
      exclusion.onOutcome(
        'n1',
        1,
        7,
        { type: 'preempt', name: 'a', clientId: 'c2' },
        { type: 'granted', name: 'a', owner: 'c2', fencingToken: 4 },
      ),
    ).toThrow(/not the granting entry's index/);
    expect(() =>
      exclusion.onOutcome(
        'n2',
        1,
        5,
        { type: 'preempt', name: 'a', clientId: 'c3' },
        { type: 'granted', name: 'a', owner: 'c3', fencingToken: 5 },
      ),
    ).toThrow(/granted to c1 elsewhere/);
  });
});
