import { checkHistory } from './check-history';
import { parseHistory, splitHistory } from './history-record';
import type { HistoryRecord } from './history-record';

const base = { client: 'c1', key: 'x', node: '127.0.0.1:3001' };

describe('history files', () => {
  it('splits records into linearizable operations and follower reads, dropping failures', () => {
    const records: HistoryRecord[] = [
      {
        ...base,
        opId: 'a',
        f: 'preempt',
        tInvoke: 0,
        tComplete: 5,
        type: 'ok',
        result: { acquired: true, fencingToken: 4 },
      },
      {
        ...base,
        opId: 'b',
        f: 'check',
        linearizable: true,
        tInvoke: 6,
        tComplete: 9,
        type: 'ok',
        result: { owner: 'c1', fencingToken: 4 },
      },
      {
        ...base,
        opId: 'c',
        f: 'check',
        tInvoke: 6,
        tComplete: 9,
        type: 'ok',
        result: { owner: 'c1', fencingToken: 4, appliedIndex: 4, servedBy: 'n2' },
      },
      { ...base, opId: 'd', f: 'release', tInvoke: 10, tComplete: 20, type: 'info' },
      { ...base, opId: 'e', f: 'preempt', tInvoke: 10, tComplete: 20, type: 'fail', result: { status: 400 } },
      { ...base, opId: 'f', f: 'check', linearizable: true, tInvoke: 10, tComplete: 20, type: 'info' },
    ];
    const split = splitHistory(records);
    expect(split.operations.map((o) => [o.id, o.kind, o.ret])).toEqual([
      ['a', 'preempt', 5],
      ['b', 'check', 9],
      ['d', 'release', Infinity],
    ]);
    expect(split.followerReads).toEqual([
      { id: 'c', key: 'x', node: 'n2', owner: 'c1', token: 4, appliedIndex: 4, call: 6, ret: 9 },
    ]);
    expect(split.dropped).toBe(2);
    expect(checkHistory(split.operations).verdict).toBe('ok');
  });

  it('parses JSONL and names a malformed line', () => {
    const line = JSON.stringify({ ...base, opId: 'a', f: 'check', tInvoke: 0, tComplete: 1, type: 'ok' });
    expect(parseHistory(`${line}\n\n${line}\n`)).toHaveLength(2);
    expect(() => parseHistory(`${line}\n{oops`)).toThrow(/line 2 is not JSON/);
  });
});
