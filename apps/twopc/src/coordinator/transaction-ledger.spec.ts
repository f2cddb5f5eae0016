import type { CoordinatorRecord } from './coordinator-record';
import { TransactionLedger } from './transaction-ledger';

function begin(txId: string, token: number, version: number, value = txId): CoordinatorRecord {
  const base = { value: null, version: version - 1 };
  return {
    t: 'begin',
    txId,
    token,
    coordinatorId: 'c1',
    value,
    version,
    expectedVersion: null,
    base,
    at: 1000,
  };
}

function decision(txId: string, token: number, outcome: 'commit' | 'abort'): CoordinatorRecord {
  return {
    t: 'decision',
    txId,
    token,
    decision: outcome,
    reason: null,
    votes: {},
    voteReasons: {},
    at: 1010,
  };
}

describe('TransactionLedger', () => {
  it('builds the committed register from commit decisions only', () => {
    const ledger = TransactionLedger.from([
      begin('tx-1-1', 1, 1),
      decision('tx-1-1', 1, 'commit'),
      begin('tx-1-2', 1, 2),
      decision('tx-1-2', 1, 'abort'),
    ]);
    expect(ledger.base).toEqual({ value: 'tx-1-1', version: 1 });
    expect(ledger.begunUnder(1)).toBe(2);
  });

  it('lists what a successor must abort and what it must tell again', () => {
    const ledger = TransactionLedger.from([
      begin('tx-1-1', 1, 1),
      decision('tx-1-1', 1, 'commit'),
      { t: 'done', txId: 'tx-1-1', token: 1, at: 1020 },
      begin('tx-1-2', 1, 2),
      decision('tx-1-2', 1, 'commit'),
      begin('tx-1-3', 1, 3),
    ]);
    expect(ledger.undecided()).toEqual(['tx-1-3']);
    expect(ledger.unfinished()).toEqual(['tx-1-2']);
    expect(ledger.get('tx-1-1')?.doneAt).toBe(1020);
  });

  it('lets the higher token win when a superseded coordinator wrote a late decision', () => {
    const ledger = TransactionLedger.from([
      begin('tx-1-1', 1, 1),
      decision('tx-1-1', 2, 'abort'),
      decision('tx-1-1', 1, 'commit'),
    ]);
    expect(ledger.get('tx-1-1')?.decision).toMatchObject({ decision: 'abort', token: 2 });
    expect(ledger.base).toEqual({ value: null, version: 0 });
  });
});
