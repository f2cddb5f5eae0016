import {
  appendEntries,
  committedVoters,
  grantPreVote,
  member,
  Harness,
  membershipEntry,
  MIN_TIMEOUT,
  repliesIn,
  requestVote,
  threeNodes,
  threeNodesWithLeader,
  voteReply,
  type Cmd,
} from '../test/raft-harness';
import type { LogEntry } from './log-entry';
import type { RaftNode } from './raft-node';

// How a node counts pre-votes (thesis §9.6) and votes (§5.2): only grants for the round it
// runs, only from voters with their recorded storage, and only a majority of them.

const FIVE = ['n1', 'n2', 'n3', 'n4', 'n5'];

/** Five voters sharing the committed membership entry at index 1, term 1; n1 times out first. */
function fiveNodes(): Harness {
  return committedVoters(FIVE, (id) => ({ timeout: id === 'n1' ? MIN_TIMEOUT : 40 }));
}

describe('RaftNode: counting pre-votes (thesis §9.6)', () => {
  it('the only voter of a cluster elects itself when its election timeout passes, without asking anyone', () => {
    const h = new Harness();
    const n1 = h.add('n1', {
      log: [membershipEntry(1, 1, ['n1'])],
      hardState: { term: 1, commitIndex: 1 },
      timeout: MIN_TIMEOUT,
    });
    h.settle();
    h.tick('n1', MIN_TIMEOUT);
    expect(n1.status()).toMatchObject({ role: 'leader', term: 2, leaderId: 'n1' });
    expect(n1.ready().messages).toEqual([]);
  });

  it('in a cluster of five, one pre-vote grant is not enough; the second makes a majority', () => {
    const h = fiveNodes();
    const n1 = h.node('n1');
    h.tick('n1', MIN_TIMEOUT);
    grantPreVote(n1, 'n2', 2);
    expect(n1.status()).toMatchObject({ role: 'follower', term: 1 });
    grantPreVote(n1, 'n3', 2);
    expect(n1.status()).toMatchObject({ role: 'candidate', term: 2 });
  });

  it('a pre-vote refused by a node of a higher term makes the candidate adopt that term and give up the round', () => {
    const h = threeNodes();
    const n1 = h.node('n1');
    h.tick('n1', MIN_TIMEOUT);
    voteReply(n1, 'n3', 4, { granted: false, preVote: true });
    expect(n1.status()).toMatchObject({ role: 'follower', term: 4, leaderId: null });
    // The round is over: a late grant for it counts for nothing.
    grantPreVote(n1, 'n2', 2);
    expect(n1.status()).toMatchObject({ role: 'follower', term: 4 });
  });

  it('a refusal from a node of the next term is a refusal, not a grant', () => {
    const h = threeNodes();
    const n1 = h.node('n1');
    h.tick('n1', MIN_TIMEOUT);
    voteReply(n1, 'n2', 2, { granted: false, preVote: true });
    expect(n1.status()).toMatchObject({ role: 'follower', term: 2 });
  });

  it('a refusal at our own term (a voter that still hears its leader) leaves the round open for other grants', () => {
    const h = threeNodes();
    const n1 = h.node('n1');
    h.tick('n1', MIN_TIMEOUT);
    voteReply(n1, 'n3', 1, { granted: false, preVote: true });
    expect(n1.status()).toMatchObject({ role: 'follower', term: 1 });
    grantPreVote(n1, 'n2', 2);
    expect(n1.status()).toMatchObject({ role: 'candidate', term: 2 });
  });

  it('a pre-vote grant for another term (an earlier round) does not count', () => {
    const h = threeNodes();
    const n1 = h.node('n1');
    h.tick('n1', MIN_TIMEOUT);
    grantPreVote(n1, 'n2', 1);
    grantPreVote(n1, 'n2', 3);
    expect(n1.status()).toMatchObject({ role: 'follower', term: 1 });
  });

  it('a pre-vote grant from a non-member or from a member’s replaced storage does not count', () => {
    const h = threeNodes();
    const n1 = h.node('n1');
    h.tick('n1', MIN_TIMEOUT);
    voteReply(n1, 'n9', 2, { preVote: true, storageId: 'n9-disk' });
    voteReply(n1, 'n2', 2, { preVote: true, storageId: 'n2-wiped' });
    voteReply(n1, 'n2', 2, { preVote: true, storageId: 'n3-disk' });
    expect(n1.status()).toMatchObject({ role: 'follower', term: 1 });
  });

  it('a pre-vote grant that arrives after the node heard from a leader is ignored', () => {
    const h = threeNodesWithLeader();
    const n2 = h.node('n2');
    expect(n2.status()).toMatchObject({ role: 'follower', term: 2, leaderId: 'n1' });
    grantPreVote(n2, 'n3', 3);
    expect(n2.status()).toMatchObject({ role: 'follower', term: 2, leaderId: 'n1' });
    expect(n2.hasReady()).toBe(false);
  });

  it('a node refuses a pre-vote for a term that is not above its own', () => {
    const h = threeNodes();
    const n2 = h.node('n2');
    h.tick('n2', MIN_TIMEOUT); // no leader heard: only the term decides
    n2.step({ type: 'receive', message: { ...requestVote('n1', 'n2', 1, 5, 1), preVote: true } });
    n2.step({ type: 'receive', message: { ...requestVote('n3', 'n2', 2, 5, 1), preVote: true } });
    expect(repliesIn(n2.ready(), 'requestVoteReply').map((m) => [m.to, m.granted, m.term])).toEqual([
      ['n1', false, 1],
      ['n3', true, 2],
    ]);
    expect(n2.status().term).toBe(1);
  });
});

describe('RaftNode: counting votes (§5.2)', () => {
  /** n1 of five nodes is a candidate of term 2 (pre-votes from n2 and n3). */
  function candidateOfFive(): RaftNode<Cmd> {
    const h = fiveNodes();
    const n1 = h.node('n1');
    h.tick('n1', MIN_TIMEOUT);
    grantPreVote(n1, 'n2', 2);
    grantPreVote(n1, 'n3', 2);
    expect(n1.status()).toMatchObject({ role: 'candidate', term: 2 });
    return n1;
  }

  it('in a cluster of five, a candidate needs two votes besides its own', () => {
    const n1 = candidateOfFive();
    voteReply(n1, 'n2', 2);
    expect(n1.status().role).toBe('candidate');
    voteReply(n1, 'n3', 2);
    expect(n1.status()).toMatchObject({ role: 'leader', term: 2 });
  });

  it('a vote from a non-member or from a member’s replaced storage does not count', () => {
    const n1 = candidateOfFive();
    voteReply(n1, 'n9', 2, { storageId: 'n9-disk' });
    voteReply(n1, 'n2', 2, { storageId: 'n2-wiped' });
    voteReply(n1, 'n3', 2);
    expect(n1.status().role).toBe('candidate');
  });

  it('thesis §4.2.1: a learner’s grant does not count, it holds no place in any majority', () => {
    const h = new Harness();
    const members = ['n1', 'n2', 'n3'].map((id) => member(id));
    const withLearner: LogEntry<Cmd> = {
      index: 1,
      term: 1,
      leaderTimeMs: 0,
      body: { type: 'membership', members: [...members, { ...member('n4'), learner: true }] },
    };
    const n1 = h.add('n1', {
      log: [withLearner],
      hardState: { term: 1, commitIndex: 1 },
      timeout: MIN_TIMEOUT,
    });
    h.tick('n1', MIN_TIMEOUT);
    grantPreVote(n1, 'n4', 2);
    expect(n1.status()).toMatchObject({ role: 'follower', term: 1 });
    grantPreVote(n1, 'n2', 2);
    expect(n1.status()).toMatchObject({ role: 'candidate', term: 2 });
    voteReply(n1, 'n4', 2);
    expect(n1.status().role).toBe('candidate');
    voteReply(n1, 'n3', 2);
    expect(n1.status().role).toBe('leader');
  });

  it('§5.2 a candidate that steps down to the winner of its term keeps its vote for itself', () => {
    const h = threeNodes();
    const n1 = h.node('n1');
    h.tick('n1', MIN_TIMEOUT);
    grantPreVote(n1, 'n2', 2);
    h.cycle('n1');
    n1.step({ type: 'receive', message: appendEntries('n3', 'n1', 2, 1, 1, [], 1) });
    expect(n1.status()).toMatchObject({ role: 'follower', term: 2, leaderId: 'n3' });
    h.tick('n1', MIN_TIMEOUT); // out of n3's lease
    n1.step({ type: 'receive', message: requestVote('n2', 'n1', 2, 9, 1) });
    const ready = h.cycle('n1');
    expect(repliesIn(ready, 'requestVoteReply')).toEqual([
      expect.objectContaining({ to: 'n2', granted: false }),
    ]);
    expect(h.disks.get('n1')!.hardState).toMatchObject({ term: 2, votedFor: 'n1' });
  });

  it('§5.2 a candidate without a majority waits a whole election timeout before its next pre-vote round', () => {
    const h = threeNodes();
    const n1 = h.node('n1');
    h.tick('n1', MIN_TIMEOUT);
    grantPreVote(n1, 'n2', 2);
    h.cycle('n1');
    h.tick('n1', MIN_TIMEOUT - 1);
    expect(n1.hasReady()).toBe(false);
    h.tick('n1', 1);
    expect(n1.status()).toMatchObject({ role: 'candidate', term: 2 });
    expect(repliesIn(n1.ready(), 'requestVote').map((m) => [m.to, m.term, m.preVote])).toEqual([
      ['n2', 3, true],
      ['n3', 3, true],
    ]);
  });

  it('a refused vote does not count', () => {
    const n1 = candidateOfFive();
    voteReply(n1, 'n2', 2, { granted: false });
    voteReply(n1, 'n3', 2, { granted: false });
    expect(n1.status().role).toBe('candidate');
  });
});
