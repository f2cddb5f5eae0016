import {
  commandEntry,
  grantPreVote,
  Harness,
  membershipEntry,
  MIN_TIMEOUT,
  noopEntry,
  propose,
  repliesIn,
  threeNodesWithLeader,
  type Cmd,
} from '../test/raft-harness';
import type { LogEntry } from './log-entry';
import type { AppendEntriesReplyMessage } from './peer-message';

// How a leader takes its followers' answers (Raft §5.3, figure 2 "rules for leaders"):
// backing up past a rejection, probing one message at a time until the logs agree, and
// ignoring answers that are stale, duplicated or could not come from an honest follower.

const IDS = ['n1', 'n2', 'n3'];

/**
 * n2 holds 12 entries of term 2, n3 only the first two; n2 wins term 3 (n1 is away) and
 * must bring n3 up to date. Returns with n2's first AppendEntries in flight.
 */
function newLeaderWithLaggingFollower(): Harness {
  const h = new Harness();
  const long: LogEntry<Cmd>[] = [membershipEntry(1, 1, IDS), noopEntry(2, 2)];
  for (let i = 3; i <= 12; i++) long.push(commandEntry(i, 2));
  h.add('n1', { log: long.slice(0, 2), hardState: { term: 2, commitIndex: 2 } });
  const n2 = h.add('n2', { log: long, hardState: { term: 2, commitIndex: 2 }, timeout: MIN_TIMEOUT });
  h.add('n3', { log: long.slice(0, 2), hardState: { term: 2, commitIndex: 2 } });
  h.settle();
  h.partition(['n2', 'n3'], ['n1']);
  h.tick('n2', MIN_TIMEOUT);
  grantPreVote(n2, 'n3', 3);
  n2.step({
    type: 'receive',
    message: { type: 'requestVoteReply', from: 'n3', to: 'n2', term: 3, granted: true, storageId: 'n3-disk' },
  });
  expect(n2.status()).toMatchObject({ role: 'leader', term: 3, lastIndex: 13 });
  h.cycle('n2');
  h.inFlight = h.inFlight.filter((m) => m.type === 'appendEntries');
  return h;
}

function appendsTo(h: Harness, to: string): Array<[number, number[]]> {
  return h.inFlight
    .filter((m) => m.to === to && m.type === 'appendEntries')
    .map((m) => (m.type === 'appendEntries' ? [m.prevLogIndex, m.entries.map((e) => e.index)] : [0, []]));
}

describe('RaftNode: a leader brings a lagging follower up to date (§5.3)', () => {
  it('after a rejection it probes once from just past the follower’s log, then streams once the logs agree', () => {
    const h = newLeaderWithLaggingFollower();
    const n2 = h.node('n2');
    // The first probe: from just past n2's log as it was before its noop.
    expect(appendsTo(h, 'n3')).toEqual([[12, [13]]]);
    h.deliver((m) => m.to === 'n3');
    const rejection = repliesIn(h.cycle('n3'), 'appendEntriesReply')[0]!;
    expect(rejection).toMatchObject({ success: false, rejectedIndex: 12, lastLogIndex: 2 });
    h.inFlight = [];
    n2.step({ type: 'receive', message: rejection });
    expect(n2.status().progress.n3).toEqual({ matchIndex: 0, nextIndex: 3 });
    h.cycle('n2');
    // One message while probing (maxEntriesPerMessage 8), however much is left to send.
    expect(appendsTo(h, 'n3')).toEqual([[2, [3, 4, 5, 6, 7, 8, 9, 10]]]);
    expect(n2.status().progress.n3).toEqual({ matchIndex: 0, nextIndex: 3 });

    // The same rejection, duplicated by the network, is about an older probe: ignored.
    n2.step({ type: 'receive', message: rejection });
    expect(n2.hasReady()).toBe(false);
    // A rejection that does not say which probe it rejects is taken as one of the latest.
    const { rejectedIndex, ...unnamed } = rejection;
    expect(rejectedIndex).toBe(12);
    n2.step({ type: 'receive', message: unnamed });
    expect(n2.status().progress.n3).toEqual({ matchIndex: 0, nextIndex: 2 });
    h.inFlight = [];
    h.cycle('n2');
    expect(appendsTo(h, 'n3')).toEqual([[1, [2, 3, 4, 5, 6, 7, 8, 9]]]);

    h.deliver((m) => m.to === 'n3');
    h.cycle('n3');
    h.deliver((m) => m.to === 'n2');
    expect(n2.status().progress.n3).toEqual({ matchIndex: 9, nextIndex: 10 });
    h.cycle('n2');
    expect(appendsTo(h, 'n3')).toEqual([[9, [10, 11, 12, 13]]]);
  });

  it('a rejection of what the follower has since matched is stale and ignored', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    expect(n1.status().progress.n2).toEqual({ matchIndex: 2, nextIndex: 3 });
    n1.step({
      type: 'receive',
      message: reply({ success: false, matchIndex: 0, lastLogIndex: 1, rejectedIndex: 2 }),
    });
    expect(n1.status().progress.n2).toEqual({ matchIndex: 2, nextIndex: 3 });
    expect(n1.hasReady()).toBe(false);
  });

  it('a success older than what the follower has matched does not move its match index back', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    n1.step({ type: 'receive', message: reply({ success: true, matchIndex: 1, lastLogIndex: 2 }) });
    expect(n1.status().progress.n2).toEqual({ matchIndex: 2, nextIndex: 3 });
  });

  it('answers no honest follower can give (more than was sent, a negative log) and answers from non-members are ignored', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    // Entries 3 and 4 leave in two messages (prevLogIndex 2, then 3); nothing is answered yet.
    propose(n1, 'x');
    h.cycle('n1');
    propose(n1, 'y');
    h.cycle('n1');
    h.inFlight = [];
    n1.step({ type: 'receive', message: reply({ success: true, matchIndex: 9, lastLogIndex: 9 }) });
    n1.step({
      type: 'receive',
      message: reply({ success: false, matchIndex: 0, lastLogIndex: -5, rejectedIndex: 3 }),
    });
    n1.step({
      type: 'receive',
      message: reply({ success: false, matchIndex: 0, lastLogIndex: 0, rejectedIndex: 3, from: 'n9' }),
    });
    expect(n1.status().progress).toEqual({
      n2: { matchIndex: 2, nextIndex: 5 },
      n3: { matchIndex: 2, nextIndex: 5 },
    });
    expect(n1.status().commitIndex).toBe(2);
    expect(n1.hasReady()).toBe(false);
  });

  it('a follower ignores an answer meant for a leader', () => {
    const h = threeNodesWithLeader();
    const n2 = h.node('n2');
    n2.step({
      type: 'receive',
      message: { ...reply({ success: true, matchIndex: 2, lastLogIndex: 2 }), from: 'n3', to: 'n2' },
    });
    expect(n2.status()).toMatchObject({ role: 'follower', progress: {} });
    expect(n2.hasReady()).toBe(false);
  });
});

describe('RaftNode: a follower whose storage was replaced', () => {
  it('an answer from another storage resets its progress to a probe past the leader’s log, and the answer itself counts for nothing', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    n1.step({
      type: 'receive',
      message: {
        ...reply({ success: true, matchIndex: 2, lastLogIndex: 2 }),
        from: 'n3',
        storageId: 'n3-wiped',
      },
    });
    expect(n1.status().progress.n3).toEqual({ matchIndex: 0, nextIndex: 3 });
    // Probing: new entries do not stream to it before it answers a probe.
    propose(n1, 'x');
    expect(repliesIn(n1.ready(), 'appendEntries').map((m) => m.to)).toEqual(['n2']);
  });
});

describe('RaftNode: check-quorum', () => {
  it('a leader steps down on the very tick a minimum election timeout has passed since it last heard from a majority', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    h.partition(['n1'], ['n2', 'n3']);
    for (let t = 1; t < MIN_TIMEOUT; t++) {
      h.tick('n1', 1);
      h.settle();
    }
    expect(n1.isLeader).toBe(true);
    h.tick('n1', 1);
    expect(n1.status()).toMatchObject({ role: 'follower', term: 2, leaderId: null });
  });
});

/** An AppendEntries reply from n2 to the leader n1 in term 2. */
function reply(fields: Partial<AppendEntriesReplyMessage>): AppendEntriesReplyMessage {
  return {
    type: 'appendEntriesReply',
    from: 'n2',
    to: 'n1',
    term: 2,
    success: true,
    matchIndex: 0,
    lastLogIndex: 0,
    storageId: 'n2-disk',
    ...fields,
  };
}
