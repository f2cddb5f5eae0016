import { AssertionError, EMPTY_HARD_STATE } from '@app/replicated-log';
import type { LogEntry } from '@app/replicated-log';
import { rebuildLog } from './log-rebuild';
import type { WalRecord } from './wal-record';

const entry = (index: number, term: number): LogEntry<string> => ({
  index,
  term,
  leaderTimeMs: 0,
  body: { type: 'noop' },
});
const entries = (
  first: number,
  last: number,
  term: number,
): Extract<WalRecord<string>, { t: 'entries' }> => ({
  t: 'entries',
  entries: Array.from({ length: last - first + 1 }, (_, i) => entry(first + i, term)),
});

describe('rebuildLog', () => {
  it('starts empty', () => {
    expect(rebuildLog([])).toEqual({ hardState: EMPTY_HARD_STATE, entries: [] });
  });

  it('keeps the last hard state', () => {
    const recovered = rebuildLog<string>([
      { t: 'hardState', hardState: { term: 1, votedFor: 'n1', commitIndex: 0 } },
      { t: 'hardState', hardState: { term: 3, votedFor: null, commitIndex: 2 } },
    ]);
    expect(recovered.hardState).toEqual({ term: 3, votedFor: null, commitIndex: 2 });
  });

  it('lets a record starting at i replace everything from i on', () => {
    const recovered = rebuildLog([entries(1, 5, 1), entries(3, 4, 2), entries(5, 5, 3)]);
    expect(recovered.entries.map((e) => [e.index, e.term])).toEqual([
      [1, 1],
      [2, 1],
      [3, 2],
      [4, 2],
      [5, 3],
    ]);
  });

  it('reads one-record writes, and the two-record persists of earlier versions, alike', () => {
    const hardState = { term: 2, votedFor: 'n1', commitIndex: 3 };
    const written = rebuildLog<string>([
      { t: 'write', entries: entries(1, 3, 1).entries, hardState: null, syncedBytes: 0 },
      { t: 'write', entries: entries(3, 4, 2).entries, hardState, syncedBytes: 0 },
      { t: 'write', entries: [], hardState: { ...hardState, commitIndex: 4 }, syncedBytes: 0 },
    ]);
    expect(written.hardState).toEqual({ ...hardState, commitIndex: 4 });
    expect(written.entries.map((e) => e.term)).toEqual([1, 1, 2, 2]);
    const older = rebuildLog<string>([
      entries(1, 3, 1),
      entries(3, 4, 2),
      { t: 'hardState', hardState: { ...hardState, commitIndex: 4 } },
    ]);
    expect(older).toEqual(written);
  });

  it('asserts on a gap or a non-contiguous record', () => {
    expect(() => rebuildLog([entries(1, 2, 1), entries(4, 4, 1)])).toThrow(AssertionError);
    expect(() => rebuildLog([entries(2, 2, 1)])).toThrow(AssertionError);
    expect(() => rebuildLog<string>([{ t: 'entries', entries: [entry(1, 1), entry(3, 1)] }])).toThrow(
      AssertionError,
    );
  });
});
