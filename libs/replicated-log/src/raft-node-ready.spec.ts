import {
  committedVoters,
  grantVote,
  appendEntries,
  commandEntry,
  config,
  FixedTimeout,
  grantPreVote,
  Harness,
  member,
  membershipEntry,
  MIN_TIMEOUT,
  propose,
  repliesIn,
  requestVote,
  threeNodes,
  threeNodesWithLeader,
  type Cmd,
} from '../test/raft-harness';
import { planJoin } from './membership-plan';
import { RaftNode } from './raft-node';
import type { SnapshotMeta } from './snapshot-meta';

// What a node hands its driver (the Ready contract, etcd-io/raft's shape): what must be
// made durable and synced before the messages leave, what to apply, which snapshots to
// install or take, and when there is anything to do at all.

const IDS = ['n1', 'n2', 'n3'];

describe('RaftNode: what a Ready must make durable (§5.1, §5.2)', () => {
  it('§5.1 a term learned from a heartbeat is synced before the answer leaves, though no entry changed', () => {
    const h = threeNodes();
    const n3 = h.node('n3');
    expect(n3.step({ type: 'receive', message: appendEntries('n1', 'n3', 3, 1, 1, [], 1) })).toEqual({
      type: 'accepted',
    });
    const ready = n3.ready();
    expect(ready).toMatchObject({
      entries: [],
      hardState: { term: 3, votedFor: null, commitIndex: 1 },
      mustSync: true,
    });
    expect(repliesIn(ready, 'appendEntriesReply')).toEqual([
      expect.objectContaining({ success: true, term: 3 }),
    ]);
  });

  it('§5.2 a vote granted within the current term is synced before the grant leaves', () => {
    const h = threeNodes();
    const n3 = h.node('n3');
    n3.step({ type: 'receive', message: appendEntries('n1', 'n3', 2, 1, 1, [], 1) });
    h.cycle('n3');
    n3.step({ type: 'receive', message: requestVote('n2', 'n3', 2, 1, 1) });
    const ready = n3.ready();
    expect(ready).toMatchObject({ entries: [], hardState: { term: 2, votedFor: 'n2' }, mustSync: true });
    expect(repliesIn(ready, 'requestVoteReply')).toEqual([
      expect.objectContaining({ to: 'n2', granted: true }),
    ]);
  });

  it('a restarted node has its committed entries to apply, and nothing else, in its first Ready', () => {
    const log = [membershipEntry(1, 1, IDS), commandEntry(2, 1), commandEntry(3, 1)];
    const node = new RaftNode<Cmd>(config('n2'), new FixedTimeout(30), {
      hardState: { term: 1, votedFor: null, commitIndex: 3 },
      entries: log,
    });
    expect(node.hasReady()).toBe(true);
    expect(node.status().progress).toEqual({});
    const ready = node.ready();
    expect(ready).toEqual({
      hardState: null,
      entries: [],
      mustSync: false,
      messages: [],
      committedEntries: log,
      readStates: [],
      snapshotToInstall: null,
      snapshotToTake: null,
    });
    node.advance(ready);
    expect(node.hasReady()).toBe(false);
    expect(node.status().appliedIndex).toBe(3);
  });
});

describe('RaftNode: snapshots in the Ready (§7, thesis 5.3)', () => {
  it('a snapshot installed from the leader is synced, counts as applied, and the follower takes its own snapshots afterwards', () => {
    const h = new Harness();
    const n2 = h.add('n2', {
      log: [membershipEntry(1, 1, IDS)],
      hardState: { term: 2, commitIndex: 1 },
      config: { snapshotEveryEntries: 4 },
    });
    const snapshot: SnapshotMeta = {
      index: 9,
      term: 2,
      members: IDS.map((id) => member(id)),
      membershipIndex: 1,
    };
    n2.step({
      type: 'receive',
      message: { type: 'installSnapshot', from: 'n1', to: 'n2', term: 2, snapshot },
    });
    const ready = n2.ready();
    // Only the snapshot makes this Ready one to sync: no entry, no new term or vote.
    expect(ready).toMatchObject({
      snapshotToInstall: snapshot,
      entries: [],
      mustSync: true,
      snapshotToTake: null,
    });
    expect(ready.hardState).toEqual({ term: 2, votedFor: null, commitIndex: 9 });
    n2.advance(ready);
    expect(n2.status()).toMatchObject({ appliedIndex: 9, commitIndex: 9, snapshotIndex: 9, lastIndex: 9 });

    const more = [10, 11, 12, 13].map((i) => commandEntry(i, 2));
    n2.step({ type: 'receive', message: appendEntries('n1', 'n2', 2, 9, 2, more, 13) });
    const next = n2.ready();
    expect(next.committedEntries.map((e) => e.index)).toEqual([10, 11, 12, 13]);
    expect(next.snapshotToTake).toMatchObject({ index: 13, term: 2 });
  });

  it('§7 a snapshot is asked for once `snapshotEveryEntries` entries are committed, and one at a time', () => {
    const h = new Harness();
    const n1 = h.add('n1', { config: { snapshotEveryEntries: 2 } });
    n1.bootstrap(member('n1'), 0);
    expect(h.cycle('n1').snapshotToTake).toBeNull(); // writes entry 1
    propose(n1, 'a');
    expect(h.cycle('n1').snapshotToTake).toBeNull(); // applies 1, writes 2
    const asked = h.cycle('n1'); // applies 2
    expect(asked.snapshotToTake).toMatchObject({ index: 2, term: 1 });
    propose(n1, 'b');
    propose(n1, 'c');
    h.cycle('n1');
    const whileWriting = h.cycle('n1');
    expect(whileWriting.committedEntries.map((e) => e.index)).toEqual([3, 4]);
    expect(whileWriting.snapshotToTake).toBeNull(); // the first one is not written yet
    expect(n1.step({ type: 'snapshotWritten', snapshot: asked.snapshotToTake! })).toEqual({
      type: 'accepted',
    });
    expect(n1.hasReady()).toBe(true);
    expect(n1.ready().snapshotToTake).toMatchObject({ index: 4 });
  });
});

describe('RaftNode: sending appends between Readys (thesis 10.2.1)', () => {
  it('a follower has no appends to send early; its answers wait for the Ready that persists', () => {
    const h = threeNodesWithLeader();
    const n2 = h.node('n2');
    n2.step({ type: 'receive', message: appendEntries('n1', 'n2', 2, 2, 2, [commandEntry(3, 2)], 2) });
    expect(n2.takeAppendsToSend()).toEqual([]);
    const ready = n2.ready();
    expect(ready.entries.map((e) => e.index)).toEqual([3]);
    expect(repliesIn(ready, 'appendEntriesReply')).toEqual([expect.objectContaining({ matchIndex: 3 })]);
  });

  it('a leader takes out only its AppendEntries early; its other messages stay for the Ready', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    // A stale candidate's RequestVote: the answer is no append.
    n1.step({ type: 'receive', message: requestVote('n3', 'n1', 1, 1, 1) });
    const x = propose(n1, 'x');
    const early = n1.takeAppendsToSend();
    expect(
      early.map((m) => [m.type, m.to, m.type === 'appendEntries' && m.entries.map((e) => e.index)]),
    ).toEqual([
      ['appendEntries', 'n2', [x]],
      ['appendEntries', 'n3', [x]],
    ]);
    const ready = n1.ready();
    expect(ready.entries.map((e) => e.index)).toEqual([x]);
    expect(ready.messages).toEqual([
      { type: 'requestVoteReply', from: 'n1', to: 'n3', term: 2, granted: false, storageId: 'n1-disk' },
    ]);
  });
});

describe('RaftNode: what a leader sends on its own', () => {
  it('a leader sends a heartbeat to every follower each `heartbeatIntervalTicks` ticks', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    const sentPerTick: number[] = [];
    for (let t = 0; t < 4; t++) {
      expect(n1.step({ type: 'tick', nowMs: t })).toEqual({ type: 'accepted' });
      const ready = h.cycle('n1');
      sentPerTick.push(repliesIn(ready, 'appendEntries').length);
      h.settle();
    }
    expect(sentPerTick).toEqual([0, 2, 0, 2]);
  });

  it('once an entry commits, streaming followers hear the new commit index at once, not at the next heartbeat', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    h.partition(['n1', 'n2'], ['n3']);
    const x = propose(n1, 'x');
    h.cycle('n1');
    h.deliver((m) => m.to === 'n2');
    h.cycle('n2');
    h.deliver((m) => m.to === 'n1');
    expect(n1.status().commitIndex).toBe(x);
    expect(n1.hasReady()).toBe(true);
    const news = repliesIn(n1.ready(), 'appendEntries');
    expect(news.map((m) => [m.to, m.leaderCommit, m.entries.length])).toEqual([
      ['n2', x, 0],
      ['n3', x, 0],
    ]);
  });

  it('a new leader stamps its noop with the latest clock the driver gave it, never an earlier one', () => {
    const h = threeNodes();
    const n1 = h.node('n1');
    n1.step({ type: 'tick', nowMs: 5_000 });
    for (let t = 1; t < MIN_TIMEOUT; t++) n1.step({ type: 'tick', nowMs: 3_000 }); // a clock that went back
    grantPreVote(n1, 'n2', 2);
    grantVote(n1, 'n2', 2);
    expect(n1.ready().entries).toEqual([{ index: 2, term: 2, leaderTimeMs: 5_000, body: { type: 'noop' } }]);
  });

  it('an entry the leader stamps itself (a promotion) is never stamped earlier than the entries before it', () => {
    const h = new Harness();
    const n1 = h.add('n1');
    n1.bootstrap(member('n1'), 0);
    h.settle();
    h.tick('n1', 1, 1_000);
    const n2 = h.add('n2');
    // The driver stamped this proposal with a later clock than its last tick.
    const joined = planJoin(n1.status().members, member('n2'));
    if (joined.type !== 'change') throw new Error('expected a change');
    expect(n1.step({ type: 'changeMembership', members: joined.members, nowMs: 9_000 })).toMatchObject({
      index: 2,
    });
    h.settle();
    expect(n2.status().lastIndex).toBe(2);
    h.tick('n1', 1, 1_001);
    const ready = n1.ready();
    expect(ready.entries).toEqual([
      {
        index: 3,
        term: 1,
        leaderTimeMs: 9_000,
        body: { type: 'membership', members: [member('n1'), member('n2')] },
      },
    ]);
  });
});

describe('RaftNode: flow control toward one follower', () => {
  /** Three nodes sending one entry per message, so at most four messages are in flight per follower. */
  function oneEntryPerMessage(): Harness {
    const h = committedVoters(IDS, (id) => ({
      timeout: id === 'n1' ? MIN_TIMEOUT : 30,
      maxEntriesPerMessage: 1,
    }));
    h.tickUntil(IDS, () => h.node('n1').isLeader);
    h.settle();
    return h;
  }

  it('a leader streams a backlog one message per Ready up to four unacknowledged messages, and the next once one is acknowledged', () => {
    const h = oneEntryPerMessage();
    const n1 = h.node('n1');
    h.partition(['n1', 'n2'], ['n3']);
    const first = propose(n1, 'a');
    for (const c of ['b', 'c', 'd', 'e', 'f']) propose(n1, c);
    const sent: number[][] = [];
    while (n1.hasReady()) {
      const ready = h.cycle('n1');
      sent.push(
        repliesIn(ready, 'appendEntries')
          .filter((m) => m.to === 'n2')
          .flatMap((m) => m.entries.map((e) => e.index)),
      );
    }
    expect(sent).toEqual([[first], [first + 1], [first + 2], [first + 3]]);
    // n2 acknowledges the first: room for one more message.
    const toN2 = h.inFlight.filter((m) => m.to === 'n2');
    h.inFlight = [];
    const n2 = h.node('n2');
    n2.step({ type: 'receive', message: toN2[0]! });
    h.cycle('n2');
    h.deliver((m) => m.to === 'n1');
    expect(n1.status().progress.n2).toEqual({ matchIndex: first, nextIndex: first + 4 });
    expect(n1.hasReady()).toBe(true);
    const next = repliesIn(h.cycle('n1'), 'appendEntries').filter((m) => m.to === 'n2');
    expect(next.flatMap((m) => m.entries.map((e) => e.index))).toEqual([first + 4]);
  });
});
