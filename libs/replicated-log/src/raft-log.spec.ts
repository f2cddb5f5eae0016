import type { LogEntry } from './log-entry';
import { RaftLog } from './raft-log';

function entry(index: number, term: number): LogEntry<string> {
  return { index, term, leaderTimeMs: 0, body: { type: 'command', command: `c${index}` } };
}

/** A log holding one entry per given term, at indexes 1, 2, ... */
function logOf(...terms: number[]): RaftLog<string> {
  const log = new RaftLog<string>();
  terms.forEach((term, i) => log.append(entry(i + 1, term)));
  return log;
}

describe('RaftLog', () => {
  it('is empty at first: last index and term 0, termAt(0) = 0', () => {
    const log = new RaftLog<string>();
    expect(log.lastIndex).toBe(0);
    expect(log.lastTerm).toBe(0);
    expect(log.termAt(0)).toBe(0);
    expect(log.termAt(1)).toBeUndefined();
  });

  it('appends at lastIndex + 1 and answers termAt and entry', () => {
    const log = logOf(1, 1, 2);
    expect(log.lastIndex).toBe(3);
    expect(log.lastTerm).toBe(2);
    expect([log.termAt(1), log.termAt(2), log.termAt(3), log.termAt(4)]).toEqual([1, 1, 2, undefined]);
    expect(log.entry(2)).toEqual(entry(2, 1));
  });

  it('refuses a gap, a repeated index and a term going backwards', () => {
    const log = logOf(1, 2);
    expect(() => log.append(entry(4, 2))).toThrow(/append at 4 after 2/);
    expect(() => log.append(entry(2, 2))).toThrow(/append at 2 after 2/);
    expect(() => log.append(entry(3, 1))).toThrow(/append term 1 below 2/);
  });

  it('entry() of a missing index is an assertion, not undefined', () => {
    expect(() => logOf(1).entry(2)).toThrow(/no log entry at 2/);
  });

  it('slice is inclusive and clamped to the log', () => {
    const log = logOf(1, 1, 2, 3);
    expect(log.slice(2, 3).map((e) => e.index)).toEqual([2, 3]);
    expect(log.slice(0, 99).map((e) => e.index)).toEqual([1, 2, 3, 4]);
    expect(log.slice(5, 9)).toEqual([]);
  });

  it('§5.3 truncateFrom drops the entry and everything after it, then appending continues there', () => {
    const log = logOf(1, 1, 2, 2);
    log.truncateFrom(3);
    expect(log.lastIndex).toBe(2);
    expect(log.termAt(3)).toBeUndefined();
    log.append(entry(3, 3));
    expect([log.lastIndex, log.lastTerm]).toEqual([3, 3]);
  });

  it('truncateFrom outside the log is an assertion', () => {
    const log = logOf(1, 1);
    expect(() => log.truncateFrom(0)).toThrow(/truncate at 0/);
    expect(() => log.truncateFrom(3)).toThrow(/truncate at 3/);
  });

  describe('§5.4.1 isUpToDate: compare last terms first, then lengths', () => {
    const log = logOf(1, 1, 2); // last (index 3, term 2)

    it.each([
      ['a later last term wins even with a shorter log', 1, 3, true],
      ['the same last term and a longer log', 4, 2, true],
      ['the same last term and the same length', 3, 2, true],
      ['the same last term and a shorter log', 2, 2, false],
      ['an earlier last term loses even with a longer log', 10, 1, false],
    ])('%s', (_name, lastIndex, lastTerm, expected) => {
      expect(log.isUpToDate(lastIndex, lastTerm)).toBe(expected);
    });

    it('any log is at least as up to date as an empty one', () => {
      expect(new RaftLog<string>().isUpToDate(0, 0)).toBe(true);
    });
  });

  it('keeps the latest membership on append and truncation without scanning the log', () => {
    const members = (id: string) => [{ id, tcpAddress: 'h:1', httpAddress: 'h:2', storageId: `${id}-disk` }];
    const log = new RaftLog<string>();
    expect(log.latestMembership()).toEqual({ index: 0, members: [] });
    log.append({ index: 1, term: 1, leaderTimeMs: 0, body: { type: 'membership', members: members('a') } });
    log.append({ index: 2, term: 1, leaderTimeMs: 0, body: { type: 'noop' } });
    log.append({ index: 3, term: 2, leaderTimeMs: 0, body: { type: 'membership', members: members('b') } });
    expect(log.latestMembership()).toEqual({ index: 3, members: members('b') });
    log.truncateFrom(3);
    expect(log.latestMembership()).toEqual({ index: 1, members: members('a') });
    log.truncateFrom(1);
    expect(log.latestMembership()).toEqual({ index: 0, members: [] });
  });
});
