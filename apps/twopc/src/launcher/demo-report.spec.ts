import { buildReport, formatTransaction, type DemoTransaction } from './demo-report';

function tx(txId: string, value: string, decision: 'commit' | 'abort'): DemoTransaction {
  const votes = decision === 'commit' ? { r1: 'yes', r2: 'yes' } : { r1: 'yes', r2: 'no' };
  return {
    txId,
    value,
    votes,
    voteReasons: { r2: 'random' },
    decision,
    reason: null,
    after: [],
  } as DemoTransaction;
}

describe('demo report', () => {
  const aborted = tx('tx-1-2', 'v2', 'abort');
  const transactions = [tx('tx-1-1', 'v1', 'commit'), aborted];

  it('is consistent when every replica holds the last committed value at the committed version', () => {
    const replicas = ['r1', 'r2'].map((id) => ({ id, value: 'v1', version: 1, state: 'idle' }));
    expect(buildReport(transactions, replicas)).toMatchObject({
      rounds: 2,
      committed: 1,
      aborted: 1,
      consistent: true,
    });
  });

  it('is not consistent when one replica differs', () => {
    const replicas = [
      { id: 'r1', value: 'v1', version: 1, state: 'idle' },
      { id: 'r2', value: 'v2', version: 2, state: 'idle' },
    ];
    expect(buildReport(transactions, replicas).consistent).toBe(false);
  });

  it('prints votes, the decision and each replica after it', () => {
    const text = formatTransaction(2, {
      ...aborted,
      after: [{ id: 'r1', value: 'v1', version: 1, state: 'idle' }],
    });
    expect(text).toContain('#2 tx-1-2  write "v2"');
    expect(text).toContain('r2 no (random)');
    expect(text).toContain('decision: ABORT');
    expect(text).toContain('r1="v1" v1');
  });
});
