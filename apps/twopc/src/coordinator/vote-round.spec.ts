import { decide } from './vote-round';

describe('decide', () => {
  const ids = ['r1', 'r2', 'r3'];

  it('commits only when every replica voted yes', () => {
    const votes = { r1: 'yes', r2: 'yes', r3: 'yes' } as const;
    expect(decide({ votes, reasons: {}, refusedBy: null }, ids)).toEqual({
      decision: 'commit',
      reason: null,
    });
  });

  it('aborts on a no, naming the replica and its reason', () => {
    const round = {
      votes: { r1: 'yes', r2: 'no', r3: 'yes' } as const,
      reasons: { r2: 'random' },
      refusedBy: null,
    };
    expect(decide(round, ids)).toEqual({ decision: 'abort', reason: 'r2 voted no: random' });
  });

  it('aborts when a vote is missing or timed out', () => {
    expect(decide({ votes: { r1: 'yes', r3: 'yes' }, reasons: {}, refusedBy: null }, ids)).toMatchObject({
      decision: 'abort',
      reason: 'r2 did not vote in time',
    });
    const timedOut = {
      votes: { r1: 'yes', r2: 'yes', r3: 'timeout' } as const,
      reasons: {},
      refusedBy: null,
    };
    expect(decide(timedOut, ids).decision).toBe('abort');
  });
});
