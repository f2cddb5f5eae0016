import {
  followerReadsAgainstGrants,
  followerReadsAgainstLog,
  monotonicReads,
  replayTo,
} from './follower-reads';
import type { CommittedChange, FollowerRead } from './follower-reads';

const log: CommittedChange[] = [
  { index: 3, key: 'x', change: 'grant', owner: 'c1', token: 3 },
  { index: 5, key: 'y', change: 'grant', owner: 'c2', token: 5 },
  { index: 7, key: 'x', change: 'release', owner: 'c1', token: 3 },
  { index: 9, key: 'x', change: 'grant', owner: 'c2', token: 9 },
];

let n = 0;
function read(
  node: string,
  appliedIndex: number,
  owner: string | null,
  token: number | null,
  call: number,
  ret: number,
): FollowerRead {
  return { id: `r${++n}`, key: 'x', node, owner, token, appliedIndex, call, ret };
}

describe('follower reads (stale but monotonic)', () => {
  it('replays the committed log to an index', () => {
    expect(replayTo(log, 'x', 2)).toEqual({ owner: null, token: null });
    expect(replayTo(log, 'x', 6)).toEqual({ owner: 'c1', token: 3 });
    expect(replayTo(log, 'x', 8)).toEqual({ owner: null, token: null });
    expect(replayTo(log, 'x', 9)).toEqual({ owner: 'c2', token: 9 });
  });

  it('accepts stale reads that match the log and never go back', () => {
    const reads = [
      read('n2', 4, 'c1', 3, 0, 10),
      read('n2', 8, null, null, 20, 30),
      read('n3', 3, 'c1', 3, 25, 35),
    ];
    expect(followerReadsAgainstLog(reads, log, 9)).toEqual([]);
  });

  it('catches a read of an index beyond the committed log (an uncommitted entry)', () => {
    expect(followerReadsAgainstLog([read('n2', 12, 'c3', 12, 0, 10)], log, 9)).toEqual([
      expect.stringMatching(/beyond the committed 9/),
    ]);
  });

  it('catches a read whose state is not the log state at its index', () => {
    expect(followerReadsAgainstLog([read('n2', 8, 'c1', 3, 0, 10)], log, 9)).toEqual([
      expect.stringMatching(/showed c1@3 at index 8, the log says free/),
    ]);
  });

  it('catches a node going back in time', () => {
    const reads = [read('n2', 9, 'c2', 9, 0, 10), read('n2', 4, 'c1', 3, 20, 30)];
    expect(monotonicReads(reads)).toEqual([expect.stringMatching(/n2 went back from index 9/)]);
    // overlapping reads may come back in either order; another node may lag
    expect(monotonicReads([read('n2', 9, 'c2', 9, 0, 30), read('n2', 4, 'c1', 3, 10, 20)])).toEqual([]);
    expect(monotonicReads([read('n2', 9, 'c2', 9, 0, 10), read('n3', 4, 'c1', 3, 20, 30)])).toEqual([]);
  });

  it('without a log: a token beyond the applied index, or naming another client than its grant, is caught', () => {
    const grants = [{ key: 'x', client: 'c1', token: 3 }];
    expect(followerReadsAgainstGrants([read('n2', 4, 'c1', 3, 0, 10)], grants)).toEqual([]);
    expect(followerReadsAgainstGrants([read('n2', 4, 'c2', 3, 0, 10)], grants)).toEqual([
      expect.stringMatching(/token 3 went to c1/),
    ]);
    expect(followerReadsAgainstGrants([read('n2', 2, 'c1', 3, 0, 10)], grants)).toEqual([
      expect.stringMatching(/beyond the applied index 2/),
    ]);
  });
});
