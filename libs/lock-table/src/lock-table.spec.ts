import { LockTable } from './lock-table';

describe('LockTable', () => {
  it('grants a free lock with the entry index as fencing token', () => {
    const table = new LockTable();
    expect(table.apply(3, { type: 'preempt', name: 'a', clientId: 'c1' })).toEqual({
      type: 'granted', name: 'a', owner: 'c1', fencingToken: 3,
    });
  });
});
