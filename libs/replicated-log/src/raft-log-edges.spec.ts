import type { LogEntry } from './log-entry';
import type { Member } from './member';
import { RaftLog } from './raft-log';
import type { SnapshotMeta } from './snapshot-meta';

const members = (id: string): Member[] => [
  { id, tcpAddress: 'h:1', httpAddress: 'h:2', storageId: `${id}-disk` },
];
const command = (index: number, term: number): LogEntry<string> => ({
  index,
  term,
  leaderTimeMs: 0,
  body: { type: 'command', command: `c${index}` },
});
const membership = (index: number, term: number, id: string): LogEntry<string> => ({
  index,
  term,
  leaderTimeMs: 0,
  body: { type: 'membership', members: members(id) },
});
const meta = (index: number, term: number, id = 'base'): SnapshotMeta => ({
  index,
  term,
  members: members(id),
  membershipIndex: 0,
});

/** Entries 1..10, term 1 up to 5 and term 2 after, with the given membership entries. */
function logOf(membershipAt: Record<number, string> = {}): RaftLog<string> {
  const log = new RaftLog<string>();
  for (let i = 1; i <= 10; i++) {
    const term = i <= 5 ? 1 : 2;
    const id = membershipAt[i];
    log.append(id === undefined ? command(i, term) : membership(i, term, id));
  }
  return log;
}

describe('RaftLog edges: compaction, truncation and membership bookkeeping', () => {
  it('truncates a compacted log at the right entry', () => {
    const log = logOf();
    log.compact(meta(8, 2), 6);
    log.truncateFrom(9);
    expect([log.firstIndex, log.lastIndex, log.lastTerm]).toEqual([7, 8, 2]);
    log.append(command(9, 3));
    expect(log.slice(7, 9).map((e) => [e.index, e.term])).toEqual([
      [7, 2],
      [8, 2],
      [9, 3],
    ]);
  });

  it('forgets a truncated membership entry, even once its index is reused', () => {
    const log = logOf({ 2: 'a', 3: 'b' });
    log.truncateFrom(3);
    log.append(command(3, 2));
    expect(log.latestMembership()).toEqual({ index: 2, members: members('a') });
  });

  it('finds the membership in force at an index, not the latest one', () => {
    const log = logOf({ 2: 'a', 5: 'b' });
    expect(log.membershipAt(1)).toEqual({ index: 0, members: [] });
    expect(log.membershipAt(3)).toEqual({ index: 2, members: members('a') });
    expect(log.membershipAt(5)).toEqual({ index: 5, members: members('b') });
  });

  it('compacting through a membership entry makes it the base membership', () => {
    const log = logOf({ 6: 'a' });
    log.compact(meta(8, 2), 6);
    expect(log.latestMembership()).toEqual({ index: 6, members: members('a') });
    expect(log.membershipAt(7)).toEqual({ index: 6, members: members('a') });
  });

  it('refuses a snapshot past the log and a compaction past the snapshot', () => {
    expect(() => logOf().compact(meta(11, 2), 5)).toThrow(/snapshot at 11 past the log \(10\)/);
    expect(() => logOf().compact(meta(6, 2), 7)).toThrow(/compacting to 7 past the snapshot at 6/);
  });

  it('compacting to or below what is already compacted only records a newer snapshot', () => {
    const log = logOf();
    log.compact(meta(8, 2), 6);
    log.compact(meta(9, 2), 6);
    log.compact(meta(9, 2), 4);
    expect([log.firstIndex, log.lastIndex, log.snapshot.index]).toEqual([7, 10, 9]);
    log.compact(meta(7, 2), 7);
    // an older snapshot never replaces the latest one
    expect([log.firstIndex, log.snapshot.index]).toEqual([8, 9]);
  });

  it('installing a snapshot on a compacted log keeps the entries after it', () => {
    const log = logOf();
    log.compact(meta(8, 2), 6);
    log.install(meta(8, 2, 'installed'));
    expect([log.firstIndex, log.lastIndex, log.termAt(8)]).toEqual([9, 10, 2]);
    expect(log.slice(9, 10).map((e) => e.index)).toEqual([9, 10]);
    expect(log.latestMembership()).toEqual({ index: 0, members: members('installed') });
  });
});
