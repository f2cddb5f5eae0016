import {
  grantVote,
  grantPreVote,
  Harness,
  member,
  membershipEntry,
  MIN_TIMEOUT,
  proposeMembers,
  repliesIn,
  threeNodesWithLeader,
  type Cmd,
  soloLeaderWithSilentLearner,
} from '../test/raft-harness';
import type { LogEntry } from './log-entry';
import { planJoin } from './membership-plan';

// Membership changes as the leader tracks them (Raft thesis §4.1, §4.2.1): who is probed,
// who starts over, who is forgotten, who is promoted; and who may change the membership
// or bootstrap a cluster at all.

describe('RaftNode: the leader’s view of its followers across a membership change (thesis §4.1)', () => {
  it('only the leader changes the membership; a follower names the leader it knows', () => {
    const h = threeNodesWithLeader();
    const four = ['n1', 'n2', 'n3', 'n4'].map((id) => member(id));
    expect(h.node('n2').step({ type: 'changeMembership', members: four, nowMs: 0 })).toEqual({
      type: 'notLeader',
      leaderId: 'n1',
    });
    expect(h.node('n2').status()).toMatchObject({ lastIndex: 2, members: four.slice(0, 3) });
  });

  it('a new member is probed at once from the change entry; the others keep their progress; the leader never tracks itself', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    proposeMembers(n1, { type: 'change', members: ['n1', 'n2', 'n3', 'n4'].map((id) => member(id)) });
    expect(n1.status().progress).toEqual({
      n2: { matchIndex: 2, nextIndex: 3 },
      n3: { matchIndex: 2, nextIndex: 3 },
      n4: { matchIndex: 0, nextIndex: 3 },
    });
    const appends = repliesIn(n1.ready(), 'appendEntries');
    expect(appends.map((m) => [m.to, m.prevLogIndex, m.entries.map((e) => e.index)]).sort()).toEqual([
      ['n2', 2, [3]],
      ['n3', 2, [3]],
      ['n4', 2, [3]],
    ]);
  });

  it('a member that comes back with another storage starts over: nothing the old storage acknowledged counts', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    proposeMembers(n1, { type: 'change', members: [member('n1'), member('n2'), member('n3', 'n3-new')] });
    expect(n1.status().progress).toEqual({
      n2: { matchIndex: 2, nextIndex: 3 },
      n3: { matchIndex: 0, nextIndex: 3 },
    });
  });

  it('a removed member is forgotten and hears nothing more', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    proposeMembers(n1, { type: 'change', members: [member('n1'), member('n2')] });
    expect(n1.status().progress).toEqual({ n2: { matchIndex: 2, nextIndex: 3 } });
    expect(repliesIn(n1.ready(), 'appendEntries').map((m) => m.to)).toEqual(['n2']);
  });
});

describe('RaftNode: promoting learners (thesis §4.2.1)', () => {
  it('only the learner that has caught up is promoted; one that never answers stays a learner', () => {
    const h = soloLeaderWithSilentLearner();
    const n1 = h.node('n1');
    const n2 = h.add('n2', { timeout: 10 });
    proposeMembers(n1, planJoin(n1.status().members, member('n2')));
    h.settle();
    h.tickUntil(
      ['n1', 'n2'],
      () => n1.status().members.some((m) => m.id === 'n2' && m.learner !== true),
      5 * MIN_TIMEOUT,
    );
    expect(n1.status().members).toEqual([member('n1'), { ...member('ghost'), learner: true }, member('n2')]);
    h.settle();
    expect(n2.status().members).toEqual(n1.status().members);
  });
  it('a caught-up learner is not promoted while its own join is uncommitted (one change at a time)', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    const n4 = h.add('n4');
    h.partition(['n1', 'n4'], ['n2', 'n3']);
    proposeMembers(n1, planJoin(n1.status().members, member('n4')));
    h.settle();
    expect(n4.status().lastIndex).toBe(3);
    expect(n1.status()).toMatchObject({ commitIndex: 2, lastIndex: 3 });
    h.tickFor(['n1', 'n4'], 3);
    expect(n1.status().lastIndex).toBe(3);
    expect(n1.status().members.find((m) => m.id === 'n4')).toMatchObject({ learner: true });
    // Once the join commits, the learner is promoted.
    h.heal();
    h.tickUntil(['n1', 'n2', 'n3', 'n4'], () => n1.status().members.every((m) => m.learner !== true), 20);
    expect(n1.status().lastIndex).toBe(4);
  });

  it('a leader that steps down on a tick (check-quorum) promotes no learner on that tick', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    const n4 = h.add('n4');
    h.partition(['n1', 'n2', 'n3'], ['n4']);
    proposeMembers(n1, planJoin(n1.status().members, member('n4')));
    h.settle();
    expect(n1.status()).toMatchObject({ commitIndex: 3, lastIndex: 3 });
    // n2 and n3 fall silent; n1 leads for one minimum election timeout more.
    h.partition(['n1'], ['n2', 'n3'], ['n4']);
    for (let t = 1; t < MIN_TIMEOUT; t++) {
      h.tick('n1', 1);
      h.settle();
    }
    // Just before that, the learner catches up (a read round reaches it).
    h.partition(['n1', 'n4'], ['n2', 'n3']);
    n1.step({ type: 'readIndex', requestId: 1 });
    h.settle();
    expect(n1.status().progress.n4).toEqual({ matchIndex: 3, nextIndex: 4 });
    expect(n4.status().lastIndex).toBe(3);
    h.tick('n1', 1);
    expect(n1.status()).toMatchObject({ role: 'follower', lastIndex: 3 });
    expect(n1.status().members.find((m) => m.id === 'n4')).toMatchObject({ learner: true });
  });

  it('thesis §4.1 erratum: a new leader promotes no learner before it has committed an entry of its term', () => {
    const h = new Harness();
    const withLearner = [...['n1', 'n2', 'n3'].map((id) => member(id)), { ...member('n4'), learner: true }];
    const log: LogEntry<Cmd>[] = [
      { index: 1, term: 1, leaderTimeMs: 0, body: { type: 'membership', members: withLearner } },
    ];
    for (const id of ['n1', 'n2', 'n3', 'n4'])
      h.add(id, { log, hardState: { term: 1, commitIndex: 1 }, timeout: id === 'n1' ? MIN_TIMEOUT : 30 });
    h.settle();
    const n1 = h.node('n1');
    h.tick('n1', MIN_TIMEOUT);
    grantPreVote(n1, 'n2', 2);
    grantVote(n1, 'n2', 2);
    h.inFlight = [];
    h.partition(['n1', 'n4'], ['n2', 'n3']);
    h.settle();
    expect(h.node('n4').status().lastIndex).toBe(2);
    expect(n1.status()).toMatchObject({ role: 'leader', commitIndex: 1, lastIndex: 2 });
    h.tickFor(['n1', 'n4'], 3);
    expect(n1.status().lastIndex).toBe(2);
    // Once its noop commits, the learner is promoted.
    h.heal();
    h.tickUntil(['n1', 'n2', 'n3', 'n4'], () => n1.status().members.every((m) => m.learner !== true), 20);
    expect(n1.status()).toMatchObject({ lastIndex: 3 });
  });
});

describe('RaftNode: bootstrapping a cluster', () => {
  const fresh = (setup: Parameters<Harness['add']>[1] = {}) => new Harness().add('n1', setup);

  it('is refused with another node’s member record or storage, or on a node that has a log or a term', () => {
    expect(() => fresh().bootstrap(member('n2'), 0)).toThrow('bootstrap with a foreign member');
    expect(() => fresh().bootstrap(member('n1', 'elsewhere'), 0)).toThrow('bootstrap with a foreign storage');
    expect(() => fresh({ hardState: { term: 3 } }).bootstrap(member('n1'), 0)).toThrow(
      'bootstrap on a used log',
    );
    const used = fresh({ log: [membershipEntry(1, 1, ['n1'])], hardState: { term: 0 } });
    expect(() => used.bootstrap(member('n1'), 0)).toThrow('bootstrap on a used log');
  });

  it('on a fresh node makes it the leader of term 1 with itself as the only member', () => {
    const n1 = fresh();
    n1.bootstrap(member('n1'), 0);
    expect(n1.status()).toMatchObject({ role: 'leader', term: 1, lastIndex: 1, members: [member('n1')] });
  });
});
