import {
  appendEntries,
  commandEntry,
  grantPreVote,
  Harness,
  member,
  membershipEntry,
  MIN_TIMEOUT,
  repliesIn,
  threeNodes,
  threeNodesWithLeader,
  type Cmd,
} from '../test/raft-harness';
import type { LogEntry } from './log-entry';
import type { SnapshotMeta } from './snapshot-meta';

// How a follower takes AppendEntries (Raft §5.3, figure 2 "receiver implementation"): the
// consistency check, the conflict hint, truncation, and the edges a snapshot and a
// malformed message add.

const IDS = ['n1', 'n2', 'n3'];

/** A follower n2 at `term` holding `log`, committed up to `commitIndex`. */
function follower(log: LogEntry<Cmd>[], term: number, commitIndex: number, snapshot?: SnapshotMeta): Harness {
  const h = new Harness();
  h.add('n2', { log, hardState: { term, commitIndex }, snapshot });
  h.settle();
  return h;
}

describe('RaftNode: a follower takes AppendEntries (§5.3)', () => {
  it('§5.3 a rejection names the rejected prevLogIndex and skips back over the whole conflicting term', () => {
    const log = [
      membershipEntry(1, 1, IDS),
      commandEntry(2, 1),
      commandEntry(3, 2),
      commandEntry(4, 2),
      commandEntry(5, 2),
    ];
    const h = follower(log, 2, 1);
    const n2 = h.node('n2');
    n2.step({ type: 'receive', message: { ...appendEntries('n1', 'n2', 3, 5, 3, [], 5), readSeq: 4 } });
    expect(h.cycle('n2').messages).toEqual([
      {
        type: 'appendEntriesReply',
        from: 'n2',
        to: 'n1',
        term: 3,
        success: false,
        matchIndex: 0,
        // entries 3..5 are all of the conflicting term 2: the leader may retry after 2
        lastLogIndex: 2,
        readSeq: 4,
        rejectedIndex: 5,
        storageId: 'n2-disk',
      },
    ]);
    expect(n2.status()).toMatchObject({ lastIndex: 5, commitIndex: 1, leaderId: 'n1', term: 3 });
  });

  it('§5.3 the skip back over a conflicting term stops at the commit index (committed entries match)', () => {
    const log = [membershipEntry(1, 1, IDS), commandEntry(2, 2), commandEntry(3, 2), commandEntry(4, 2)];
    const h = follower(log, 2, 2);
    h.node('n2').step({ type: 'receive', message: appendEntries('n1', 'n2', 3, 4, 3, [], 4) });
    expect(repliesIn(h.cycle('n2'), 'appendEntriesReply')).toEqual([
      expect.objectContaining({ success: false, lastLogIndex: 2, rejectedIndex: 4 }),
    ]);
  });

  it('§5.3 a follower missing prevLogIndex rejects with its own last index', () => {
    const h = follower([membershipEntry(1, 1, IDS)], 1, 1);
    h.node('n2').step({
      type: 'receive',
      message: appendEntries('n1', 'n2', 1, 4, 1, [commandEntry(5, 1)], 4),
    });
    expect(repliesIn(h.cycle('n2'), 'appendEntriesReply')).toEqual([
      expect.objectContaining({ success: false, matchIndex: 0, lastLogIndex: 1, rejectedIndex: 4 }),
    ]);
  });

  it('§5.3 entries the follower already has are skipped; only the new ones are appended', () => {
    const h = follower([membershipEntry(1, 1, IDS)], 2, 1);
    const n2 = h.node('n2');
    n2.step({ type: 'receive', message: appendEntries('n1', 'n2', 2, 1, 1, [commandEntry(2, 2)], 1) });
    h.cycle('n2');
    n2.step({
      type: 'receive',
      message: appendEntries('n1', 'n2', 2, 1, 1, [commandEntry(2, 2), commandEntry(3, 2)], 1),
    });
    const ready = h.cycle('n2');
    expect(ready.entries).toEqual([commandEntry(3, 2)]);
    expect(repliesIn(ready, 'appendEntriesReply')).toEqual([
      expect.objectContaining({ success: true, matchIndex: 3 }),
    ]);
    expect(n2.status().lastIndex).toBe(3);
  });

  it('§5.3 a Ready whose entries a new leader replaced before it was advanced does not count them as persisted', () => {
    const h = follower([membershipEntry(1, 1, IDS)], 2, 1);
    const n2 = h.node('n2');
    n2.step({
      type: 'receive',
      message: appendEntries('n1', 'n2', 2, 1, 1, [commandEntry(2, 2), commandEntry(3, 2)], 1),
    });
    const old = n2.ready(); // entries 2..3 of term 2 on their way to disk
    n2.step({ type: 'receive', message: appendEntries('n3', 'n2', 3, 1, 1, [commandEntry(2, 3, 'new')], 1) });
    n2.advance(old);
    n2.invariants(); // persisted index within the (shorter) log
    const next = n2.ready();
    expect(next.entries).toEqual([commandEntry(2, 3, 'new')]);
    expect(n2.status()).toMatchObject({ lastIndex: 2, term: 3 });
  });

  it('a follower refuses to overwrite a committed entry: a conflict there means a forged or broken leader', () => {
    const log = [membershipEntry(1, 1, IDS), commandEntry(2, 2), commandEntry(3, 2)];
    const h = follower(log, 2, 3);
    const forged = appendEntries('n1', 'n2', 3, 2, 2, [commandEntry(3, 3, 'other')], 3);
    expect(() => h.node('n2').step({ type: 'receive', message: forged })).toThrow(
      'conflict at committed index 3',
    );
  });

  it('a malformed AppendEntries (entries not contiguous, terms going back or beyond the message term) is ignored', () => {
    const cases: Array<[string, number, number, LogEntry<Cmd>[]]> = [
      ['a gap in the indexes', 1, 1, [commandEntry(2, 2), commandEntry(4, 2)]],
      ['terms going back', 1, 1, [commandEntry(2, 3), commandEntry(3, 2)]],
      ['a first entry older than prevLogTerm', 2, 2, [commandEntry(3, 1)]],
      ['a term beyond the message term', 1, 1, [commandEntry(2, 4)]],
    ];
    for (const [name, prevLogIndex, prevLogTerm, entries] of cases) {
      const log = [membershipEntry(1, 1, IDS), commandEntry(2, 2)].slice(0, prevLogIndex);
      const h = follower(log, 3, 1);
      const n2 = h.node('n2');
      n2.step({
        type: 'receive',
        message: appendEntries('n1', 'n2', 3, prevLogIndex, prevLogTerm, entries, 1),
      });
      expect({ name, lastIndex: n2.status().lastIndex, messages: n2.ready().messages }).toEqual({
        name,
        lastIndex: prevLogIndex,
        messages: [],
      });
    }
    // The control: the same shape, well formed, is taken.
    const h = follower([membershipEntry(1, 1, IDS)], 3, 1);
    h.node('n2').step({
      type: 'receive',
      message: appendEntries('n1', 'n2', 3, 1, 1, [commandEntry(2, 2), commandEntry(3, 3)], 1),
    });
    expect(h.node('n2').status().lastIndex).toBe(3);
  });

  it('a message addressed to another node is ignored', () => {
    const h = follower([membershipEntry(1, 1, IDS)], 1, 1);
    const n2 = h.node('n2');
    n2.step({ type: 'receive', message: appendEntries('n1', 'n3', 2, 1, 1, [commandEntry(2, 2)], 2) });
    expect(n2.status()).toMatchObject({ term: 1, lastIndex: 1, leaderId: null });
    expect(n2.hasReady()).toBe(false);
  });
});

describe('RaftNode: AppendEntries behind a follower snapshot (§7)', () => {
  const snapshot: SnapshotMeta = {
    index: 5,
    term: 2,
    members: IDS.map((id) => member(id)),
    membershipIndex: 1,
  };

  it('entries up to the snapshot are taken as matching, and the rest is appended', () => {
    const h = follower([], 2, 5, snapshot);
    const n2 = h.node('n2');
    expect(n2.status()).toMatchObject({ lastIndex: 5, firstLogIndex: 6, commitIndex: 5 });
    const entries = [commandEntry(4, 2), commandEntry(5, 2), commandEntry(6, 3), commandEntry(7, 3)];
    n2.step({ type: 'receive', message: appendEntries('n1', 'n2', 3, 3, 2, entries, 7) });
    const ready = h.cycle('n2');
    expect(ready.entries).toEqual([commandEntry(6, 3), commandEntry(7, 3)]);
    expect(repliesIn(ready, 'appendEntriesReply')).toEqual([
      expect.objectContaining({ success: true, matchIndex: 7, lastLogIndex: 7 }),
    ]);
    expect(n2.status()).toMatchObject({ lastIndex: 7, commitIndex: 7 });
  });

  it('a delayed AppendEntries wholly inside the snapshot is acknowledged up to its last entry and changes nothing', () => {
    const h = follower([commandEntry(6, 2)], 2, 5, snapshot);
    const n2 = h.node('n2');
    n2.step({ type: 'receive', message: appendEntries('n1', 'n2', 2, 2, 1, [commandEntry(3, 2)], 3) });
    expect(repliesIn(h.cycle('n2'), 'appendEntriesReply')).toEqual([
      expect.objectContaining({ success: true, matchIndex: 3, lastLogIndex: 6 }),
    ]);
    expect(n2.status()).toMatchObject({ lastIndex: 6, commitIndex: 5 });
  });
});

describe('RaftNode: one leader per term (§5.2)', () => {
  it('a leader ignores AppendEntries and InstallSnapshot of its own term from another node (two leaders in a term cannot be)', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    n1.step({
      type: 'receive',
      message: appendEntries('n2', 'n1', 2, 2, 2, [commandEntry(3, 2, 'forged')], 3),
    });
    n1.step({
      type: 'receive',
      message: { type: 'installSnapshot', from: 'n2', to: 'n1', term: 2, snapshot: { ...snapshotOf(9, 2) } },
    });
    expect(n1.status()).toMatchObject({
      role: 'leader',
      term: 2,
      lastIndex: 2,
      commitIndex: 2,
      snapshotIndex: 0,
    });
    expect(n1.hasReady()).toBe(false);
  });

  it('a candidate that hears AppendEntries of its term from the winner becomes its follower', () => {
    const h = threeNodes();
    const n1 = h.node('n1');
    h.tick('n1', MIN_TIMEOUT);
    grantPreVote(n1, 'n2', 2);
    expect(n1.status()).toMatchObject({ role: 'candidate', term: 2 });
    n1.step({ type: 'receive', message: appendEntries('n3', 'n1', 2, 1, 1, [], 1) });
    expect(n1.status()).toMatchObject({ role: 'follower', term: 2, leaderId: 'n3' });
  });

  it('a candidate that receives InstallSnapshot of its term becomes the sender’s follower', () => {
    const h = threeNodes();
    const n1 = h.node('n1');
    h.tick('n1', MIN_TIMEOUT);
    grantPreVote(n1, 'n2', 2);
    n1.ready();
    n1.step({
      type: 'receive',
      message: { type: 'installSnapshot', from: 'n3', to: 'n1', term: 2, snapshot: snapshotOf(1, 1) },
    });
    expect(n1.status()).toMatchObject({ role: 'follower', term: 2, leaderId: 'n3' });
    expect(repliesIn(n1.ready(), 'appendEntriesReply')).toEqual([
      expect.objectContaining({ to: 'n3', success: true, matchIndex: 1 }),
    ]);
  });
});

function snapshotOf(index: number, term: number): SnapshotMeta {
  return { index, term, members: IDS.map((id) => member(id)), membershipIndex: 1 };
}
