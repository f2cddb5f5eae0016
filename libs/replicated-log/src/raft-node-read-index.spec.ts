import {
  member,
  propose,
  proposeMembers,
  repliesIn,
  threeNodes,
  threeNodesWithFreshLeader,
  threeNodesWithLeader,
  soloLeaderWithSilentLearner,
} from '../test/raft-harness';

// ReadIndex (Raft thesis §6.4): the leader records its commit index, confirms with one
// heartbeat round that a majority still follows it in its term, and only then hands the
// read out (as a ReadState) to be served once that index is applied.

describe('RaftNode: ReadIndex (thesis §6.4)', () => {
  it('a follower refuses a read and names the leader it knows, if any', () => {
    const h = threeNodesWithLeader();
    expect(h.node('n2').step({ type: 'readIndex', requestId: 1 })).toEqual({
      type: 'notLeader',
      leaderId: 'n1',
    });
    const fresh = threeNodes();
    expect(fresh.node('n3').step({ type: 'readIndex', requestId: 1 })).toEqual({
      type: 'notLeader',
      leaderId: null,
    });
  });

  it('the leader answers a read with its commit index only after one follower (a majority of three) confirms a heartbeat round', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    expect(n1.status()).toMatchObject({ role: 'leader', term: 2, commitIndex: 2 });
    expect(n1.hasReady()).toBe(false);

    expect(n1.step({ type: 'readIndex', requestId: 7 })).toEqual({ type: 'accepted' });
    // The round to send is the only thing the leader has to do.
    expect(n1.hasReady()).toBe(true);
    const round = h.cycle('n1');
    expect(round.readStates).toEqual([]);
    expect(repliesIn(round, 'appendEntries').map((m) => [m.to, m.readSeq, m.entries.length])).toEqual([
      ['n2', 1, 0],
      ['n3', 1, 0],
    ]);

    h.partition(['n1', 'n2'], ['n3']);
    h.deliver((m) => m.to === 'n2');
    const answer = repliesIn(h.cycle('n2'), 'appendEntriesReply');
    expect(answer).toEqual([expect.objectContaining({ to: 'n1', success: true, readSeq: 1 })]);
    h.deliver((m) => m.to === 'n1');
    expect(n1.ready().readStates).toEqual([{ requestId: 7, index: 2 }]);
  });

  it('an answer to an earlier round confirms only the reads that were pending when that round left', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    h.partition(['n1', 'n2'], ['n3']);
    n1.step({ type: 'readIndex', requestId: 1 });
    h.cycle('n1'); // round 1 leaves
    n1.step({ type: 'readIndex', requestId: 2 });
    // n2 answers round 1 only now: that says nothing about leadership when read 2 arrived.
    h.deliver((m) => m.to === 'n2');
    h.cycle('n2');
    h.deliver((m) => m.to === 'n1');
    const afterRound1 = h.cycle('n1');
    expect(afterRound1.readStates).toEqual([{ requestId: 1, index: 2 }]);
    // The same Ready sends round 2, and its answer confirms read 2.
    expect(repliesIn(afterRound1, 'appendEntries').map((m) => [m.to, m.readSeq])).toEqual([
      ['n2', 2],
      ['n3', 2],
    ]);
    h.deliver((m) => m.to === 'n2');
    h.cycle('n2');
    h.deliver((m) => m.to === 'n1');
    expect(n1.ready().readStates).toEqual([{ requestId: 2, index: 2 }]);
  });

  it('a read keeps the commit index it arrived at, even when entries commit before it is confirmed', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    h.partition(['n1', 'n2'], ['n3']);
    // Entry 3 leaves before the read (round 0) and its acknowledgement returns after it.
    const x = propose(n1, 'x');
    h.cycle('n1');
    n1.step({ type: 'readIndex', requestId: 5 });
    h.deliver((m) => m.to === 'n2');
    h.cycle('n2');
    h.deliver((m) => m.to === 'n1');
    expect(n1.status().commitIndex).toBe(x);
    const beforeRound = h.cycle('n1');
    expect(beforeRound.readStates).toEqual([]);
    h.deliver((m) => m.to === 'n2');
    h.cycle('n2');
    h.deliver((m) => m.to === 'n1');
    expect(n1.ready().readStates).toEqual([{ requestId: 5, index: x - 1 }]);
  });

  it('§5.4.2: a new leader answers a read only once its own noop commits, at the noop index', () => {
    const h = threeNodesWithFreshLeader();
    const n1 = h.node('n1');
    expect(n1.status()).toMatchObject({ role: 'leader', term: 2, commitIndex: 1, lastIndex: 2 });
    expect(n1.step({ type: 'readIndex', requestId: 3 })).toEqual({ type: 'accepted' });
    h.partition(['n1', 'n2'], ['n3']);
    expect(h.cycle('n1').readStates).toEqual([]);
    // n2's answer both confirms the round and, with n1, stores the noop: the read is
    // answered in the same step, at the index of the noop, not at the old commit index.
    h.deliver((m) => m.to === 'n2');
    h.cycle('n2');
    h.deliver((m) => m.to === 'n1' && m.type === 'appendEntriesReply' && m.readSeq === 1);
    expect(n1.status().commitIndex).toBe(2);
    expect(n1.ready().readStates).toEqual([{ requestId: 3, index: 2 }]);
  });

  it('the only voter answers a read at once, without a heartbeat round to its learner', () => {
    const h = soloLeaderWithSilentLearner();
    const n1 = h.node('n1');
    expect(n1.status().commitIndex).toBe(2);
    expect(n1.hasReady()).toBe(false);
    n1.step({ type: 'readIndex', requestId: 4 });
    expect(n1.hasReady()).toBe(true);
    const ready = n1.ready();
    expect(ready.readStates).toEqual([{ requestId: 4, index: 2 }]);
    expect(ready.messages).toEqual([]);
  });

  it('thesis §4.2.2: a leader removing itself confirms reads with the new configuration, not with its own vote', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    proposeMembers(n1, { type: 'change', members: [member('n2'), member('n3')] });
    n1.step({ type: 'readIndex', requestId: 8 });
    const round = h.cycle('n1');
    expect(repliesIn(round, 'appendEntries').map((m) => [m.to, m.readSeq])).toEqual([
      ['n2', 1],
      ['n3', 1],
    ]);
    // n2 alone is half of {n2, n3}: n1 itself no longer counts.
    h.deliver((m) => m.to === 'n2');
    h.cycle('n2');
    h.deliver((m) => m.to === 'n1');
    expect(n1.status()).toMatchObject({ role: 'leader', commitIndex: 2 });
    expect(n1.ready().readStates).toEqual([]);
    h.deliver((m) => m.to === 'n3');
    h.cycle('n3');
    h.deliver((m) => m.to === 'n1');
    // n3's answer makes the majority of {n2, n3}: the read is confirmed, and the change
    // commits, after which n1 steps down; the confirmed read still goes out.
    expect(n1.status()).toMatchObject({ role: 'follower', commitIndex: 3 });
    expect(n1.ready().readStates).toEqual([{ requestId: 8, index: 2 }]);
  });
});
