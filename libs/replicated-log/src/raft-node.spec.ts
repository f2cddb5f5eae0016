import { defined } from '../../../test/support/defined';
import {
  grantVote,
  appendEntries,
  commandEntry,
  config,
  FixedTimeout,
  grantPreVote,
  Harness,
  HEARTBEAT,
  member,
  membershipEntry,
  MIN_TIMEOUT,
  noopEntry,
  propose,
  proposeMembers,
  repliesIn,
  requestVote,
  threeNodes,
  threeNodesWithLeader,
  wipe,
  type Cmd,
  soloLeaderWithSilentLearner,
} from '../test/raft-harness';
import type { DurableStorage, PersistRequest } from './driver/durable-storage';
import { ReadyProcessor } from './driver/ready-processor';
import type { NodeId } from './ids';
import type { LogEntry } from './log-entry';
import { planJoin, planRemoval } from './membership-plan';
import type { PeerMessage } from './peer-message';
import { RaftNode } from './raft-node';

// Nodes are driven by hand through the harness in ../test/raft-harness.ts.

describe('RaftNode: leader election (§5.2)', () => {
  it('§5.2 and thesis §9.6 a follower that hears nothing asks for pre-votes after its election timeout, without moving its term', () => {
    const h = threeNodes();
    const n1 = h.node('n1');
    h.tick('n1', MIN_TIMEOUT - 1);
    expect(n1.status().role).toBe('follower');
    expect(n1.hasReady()).toBe(false);
    h.tick('n1', 1);
    expect(n1.status()).toMatchObject({ role: 'follower', term: 1, leaderId: null });
    const preVotes = n1.ready();
    expect(preVotes.hardState).toBeNull();
    expect(preVotes.messages).toEqual([
      { ...requestVote('n1', 'n2', 2, 1, 1), preVote: true },
      { ...requestVote('n1', 'n3', 2, 1, 1), preVote: true },
    ]);
    n1.advance(preVotes);
  });

  it('thesis §9.6 a node that hears a leader refuses pre-votes, so a returning node cannot depose it', () => {
    const h = threeNodesWithLeader();
    const n2 = h.node('n2');
    n2.step({ type: 'receive', message: { ...requestVote('n3', 'n2', 3, 99, 2), preVote: true } });
    expect(repliesIn(n2.ready(), 'requestVoteReply')).toEqual([
      {
        type: 'requestVoteReply',
        from: 'n2',
        to: 'n3',
        term: 2,
        granted: false,
        preVote: true,
        storageId: 'n2-disk',
      },
    ]);
    expect(n2.status()).toMatchObject({ term: 2, leaderId: 'n1' });
  });

  it('§5.2 a follower whose pre-vote a majority grants campaigns: new term, vote for itself on disk', () => {
    const h = threeNodes();
    const n1 = h.node('n1');
    h.tick('n1', MIN_TIMEOUT);
    grantPreVote(n1, 'n2', 2);
    expect(n1.status()).toMatchObject({ role: 'candidate', term: 2, leaderId: null });
    const ready = n1.ready();
    expect(ready.hardState).toEqual({ term: 2, votedFor: 'n1', commitIndex: 1 });
    expect(ready.mustSync).toBe(true);
    const votes = repliesIn(ready, 'requestVote').filter((m) => m.type === 'requestVote' && !m.preVote);
    expect(votes).toEqual([requestVote('n1', 'n2', 2, 1, 1), requestVote('n1', 'n3', 2, 1, 1)]);
  });

  it('§5.2 a candidate with a majority of votes becomes leader and asserts itself with AppendEntries', () => {
    const h = threeNodes();
    h.tick('n1', MIN_TIMEOUT);
    h.tick('n2', MIN_TIMEOUT); // past its leader lease, so it listens to candidates
    grantPreVote(h.node('n1'), 'n2', 2);
    h.cycle('n1');
    const toN2 = h.inFlight.splice(0).find((m) => m.to === 'n2' && m.type === 'requestVote' && !m.preVote)!;
    h.node('n2').step({ type: 'receive', message: toN2 });
    h.cycle('n2');
    const reply = h.inFlight.splice(0).find((m) => m.type === 'requestVoteReply');
    expect(reply).toMatchObject({ from: 'n2', to: 'n1', term: 2, granted: true });
    h.node('n1').step({ type: 'receive', message: reply! });
    expect(h.node('n1').status()).toMatchObject({ role: 'leader', term: 2, leaderId: 'n1' });
    const ready = h.node('n1').ready();
    // Section 5.4.2: the new leader's first entry is a noop of its own term.
    expect(ready.entries).toEqual([expect.objectContaining({ index: 2, term: 2, body: { type: 'noop' } })]);
    expect(
      repliesIn(ready, 'appendEntries')
        .map((m) => m.to)
        .sort(),
    ).toEqual(['n2', 'n3']);
  });

  it('§5.2 a node votes at most once per term (and repeats the same vote to a retrying candidate)', () => {
    const h = threeNodes();
    const n3 = h.node('n3');
    h.tick('n3', MIN_TIMEOUT);
    n3.step({ type: 'receive', message: requestVote('n1', 'n3', 2, 1, 1) });
    expect(repliesIn(h.cycle('n3'), 'requestVoteReply')).toEqual([
      expect.objectContaining({ to: 'n1', granted: true }),
    ]);
    n3.step({ type: 'receive', message: requestVote('n2', 'n3', 2, 1, 1) });
    expect(repliesIn(h.cycle('n3'), 'requestVoteReply')).toEqual([
      expect.objectContaining({ to: 'n2', granted: false }),
    ]);
    n3.step({ type: 'receive', message: requestVote('n1', 'n3', 2, 1, 1) });
    expect(repliesIn(h.cycle('n3'), 'requestVoteReply')).toEqual([
      expect.objectContaining({ to: 'n1', granted: true }),
    ]);
    expect(h.disks.get('n3')!.hardState).toMatchObject({ term: 2, votedFor: 'n1' });
  });

  it('§5.2 a node restarted from disk keeps its vote for the term', () => {
    const h = threeNodes();
    h.tick('n3', MIN_TIMEOUT);
    h.node('n3').step({ type: 'receive', message: requestVote('n1', 'n3', 2, 1, 1) });
    h.cycle('n3');
    const disk = h.disks.get('n3')!;
    const restarted = new RaftNode<Cmd>(config('n3'), new FixedTimeout(30), {
      hardState: disk.hardState,
      entries: disk.entries,
    });
    restarted.step({ type: 'receive', message: requestVote('n2', 'n3', 2, 1, 1) });
    const ready = restarted.ready();
    expect(repliesIn(ready, 'requestVoteReply')).toEqual([
      expect.objectContaining({ to: 'n2', granted: false }),
    ]);
  });

  it('§5.4.1 a vote is refused to a candidate with a less up-to-date log', () => {
    const log = [membershipEntry(1, 1, ['n1', 'n2', 'n3']), noopEntry(2, 2), commandEntry(3, 2)];
    const cases: Array<[string, number, number, boolean]> = [
      ['an older last term, even with a longer log', 9, 1, false],
      ['the same last term and a shorter log', 2, 2, false],
      ['the same last term and the same length', 3, 2, true],
      ['a newer last term and a shorter log', 2, 3, true],
    ];
    for (const [name, lastLogIndex, lastLogTerm, granted] of cases) {
      const h = new Harness();
      const voter = h.add('n3', { log, hardState: { term: 3 } });
      voter.step({ type: 'receive', message: requestVote('n1', 'n3', 4, lastLogIndex, lastLogTerm) });
      const reply = defined(repliesIn(voter.ready(), 'requestVoteReply')[0], 'a vote reply');
      expect({ name, granted: reply.granted }).toEqual({
        name,
        granted,
      });
    }
  });

  it('§5.1 a node that sees a higher term adopts it, clears its vote and steps down', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    expect(n1.status()).toMatchObject({ role: 'leader', term: 2 });
    n1.step({
      type: 'receive',
      message: {
        type: 'appendEntriesReply',
        from: 'n2',
        to: 'n1',
        term: 5,
        success: false,
        matchIndex: 0,
        lastLogIndex: 0,
        storageId: 'n2-disk',
      },
    });
    expect(n1.status()).toMatchObject({ role: 'follower', term: 5, leaderId: null });
    expect(n1.ready().hardState).toMatchObject({ term: 5, votedFor: null });
  });

  it("§5.1 a stale leader's AppendEntries is answered with the newer term, which deposes it", () => {
    const h = threeNodesWithLeader();
    const n2 = h.node('n2');
    n2.step({ type: 'receive', message: requestVote('n3', 'n2', 9, 99, 9) }); // n2 is in its leader lease: ignored
    expect(n2.status().term).toBe(2);
    h.tick('n2', MIN_TIMEOUT);
    n2.step({ type: 'receive', message: requestVote('n3', 'n2', 9, 99, 9) });
    expect(n2.status().term).toBe(9);
    h.cycle('n2');
    h.inFlight = [];
    n2.step({ type: 'receive', message: appendEntries('n1', 'n2', 2, 2, 2, [], 2) });
    const answer = defined(repliesIn(h.cycle('n2'), 'appendEntriesReply')[0], 'the answer');
    expect(answer).toMatchObject({ to: 'n1', term: 9, success: false });
    h.node('n1').step({ type: 'receive', message: answer });
    expect(h.node('n1').status()).toMatchObject({ role: 'follower', term: 9 });
  });

  it('thesis §4.2.3 a follower that heard from its leader within the minimum election timeout ignores a higher-term RequestVote', () => {
    const h = threeNodesWithLeader();
    const n3 = h.node('n3');
    n3.step({ type: 'receive', message: requestVote('n2', 'n3', 3, 2, 2) });
    expect(n3.status()).toMatchObject({ term: 2, leaderId: 'n1' });
    expect(n3.hasReady()).toBe(false);
  });

  it('a node outside the membership never campaigns', () => {
    const h = new Harness();
    const outsider = h.add('n4', {
      log: [membershipEntry(1, 1, ['n1', 'n2', 'n3'])],
      hardState: { term: 1, commitIndex: 1 },
    });
    h.settle();
    h.tick('n4', 100);
    expect(outsider.status()).toMatchObject({ role: 'follower', term: 1 });
    expect(outsider.hasReady()).toBe(false);
  });
});

describe('RaftNode: log replication (§5.3)', () => {
  it('§5.3 a follower rejects AppendEntries whose prevLogTerm does not match, and truncates a conflicting suffix', () => {
    const h = new Harness();
    const follower = h.add('n2', {
      log: [
        membershipEntry(1, 1, ['n1', 'n2', 'n3']),
        commandEntry(2, 2, 'old2'),
        commandEntry(3, 2, 'old3'),
      ],
      hardState: { term: 2, commitIndex: 1 },
    });
    follower.step({ type: 'receive', message: appendEntries('n1', 'n2', 3, 3, 3, [noopEntry(4, 3)], 1) });
    const rejected = h.cycle('n2');
    expect(repliesIn(rejected, 'appendEntriesReply')).toEqual([
      expect.objectContaining({ success: false, term: 3 }),
    ]);
    expect(follower.status().lastIndex).toBe(3);

    follower.step({
      type: 'receive',
      message: appendEntries('n1', 'n2', 3, 1, 1, [commandEntry(2, 3, 'new2')], 1),
    });
    const accepted = h.cycle('n2');
    expect(follower.status().lastIndex).toBe(2);
    expect([follower.termAt(2), follower.termAt(3)]).toEqual([3, undefined]);
    // The disk gets a batch starting at the conflict, which replaces the old suffix.
    expect(accepted.entries).toEqual([commandEntry(2, 3, 'new2')]);
    expect(accepted.mustSync).toBe(true);
    expect(h.disks.get('n2')!.entries.map((e) => e.term)).toEqual([1, 3]);
    expect(repliesIn(accepted, 'appendEntriesReply')).toEqual([
      expect.objectContaining({ success: true, matchIndex: 2 }),
    ]);
  });

  it('§5.3 a follower missing prevLogIndex reports its last index, and the leader backs up to it', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    h.partition(['n1', 'n2'], ['n3']);
    for (let i = 0; i < 5; i++)
      n1.step({ type: 'propose', body: { type: 'command', command: `x${i}` }, nowMs: 0 });
    h.settle();
    expect(h.node('n3').status().lastIndex).toBe(2);
    h.heal();
    h.tickUntil(['n1', 'n2', 'n3'], () => h.node('n3').status().commitIndex === 7, 20);
    expect(h.node('n3').status()).toMatchObject({ lastIndex: 7, commitIndex: 7 });
  });

  it('§5.3 a follower commits min(leaderCommit, index of the last new entry)', () => {
    const h = new Harness();
    const follower = h.add('n2', {
      log: [membershipEntry(1, 1, ['n1', 'n2', 'n3'])],
      hardState: { term: 1, commitIndex: 1 },
    });
    // The leader has committed 5, but this message only carries up to 3.
    follower.step({
      type: 'receive',
      message: appendEntries('n1', 'n2', 2, 1, 1, [noopEntry(2, 2), commandEntry(3, 2)], 5),
    });
    expect(follower.status().commitIndex).toBe(3);
    // A heartbeat whose prevLogIndex is 2 vouches only for entries up to 2 matching the leader.
    follower.step({ type: 'receive', message: appendEntries('n1', 'n2', 2, 2, 2, [], 9) });
    expect(follower.status().commitIndex).toBe(3);
  });

  it('§5.3 a delayed, duplicated AppendEntries does not truncate the entries that followed it', () => {
    const h = new Harness();
    const follower = h.add('n2', {
      log: [membershipEntry(1, 1, ['n1', 'n2', 'n3'])],
      hardState: { term: 1, commitIndex: 1 },
    });
    const first = appendEntries('n1', 'n2', 2, 1, 1, [noopEntry(2, 2)], 1);
    follower.step({ type: 'receive', message: first });
    follower.step({
      type: 'receive',
      message: appendEntries('n1', 'n2', 2, 2, 2, [commandEntry(3, 2), commandEntry(4, 2)], 1),
    });
    follower.step({ type: 'receive', message: first });
    expect(follower.status().lastIndex).toBe(4);
    const replies = follower.ready().messages;
    expect(replies.map((m) => m.type === 'appendEntriesReply' && m.matchIndex)).toEqual([2, 4, 2]);
  });

  it("a follower answers non-leaders' proposals with its leader hint", () => {
    const h = threeNodesWithLeader();
    expect(h.node('n2').step({ type: 'propose', body: { type: 'command', command: 'x' }, nowMs: 0 })).toEqual(
      { type: 'notLeader', leaderId: 'n1' },
    );
  });
});

describe('RaftNode: commitment (§5.3, §5.4.2)', () => {
  it('§5.4.2 a new leader appends a noop and does not commit an old-term entry by counting replicas', () => {
    const h = new Harness();
    const members = ['n1', 'n2', 'n3'];
    // n1 holds entry 2 from term 2 that never reached a majority (Figure 8's situation).
    const n1 = h.add('n1', {
      log: [membershipEntry(1, 1, members), commandEntry(2, 2)],
      hardState: { term: 2, commitIndex: 1 },
      timeout: 10,
    });
    h.add('n2', { log: [membershipEntry(1, 1, members)], hardState: { term: 2, commitIndex: 1 } });
    h.add('n3', { log: [membershipEntry(1, 1, members)], hardState: { term: 2, commitIndex: 1 } });
    h.tick('n1', 10);
    grantPreVote(n1, 'n2', 3);
    grantVote(n1, 'n2', 3);
    expect(n1.status()).toMatchObject({ role: 'leader', term: 3, lastIndex: 3 });
    const ready = n1.ready();
    expect(ready.entries.at(-1)).toEqual(
      expect.objectContaining({ index: 3, term: 3, body: { type: 'noop' } }),
    );
    n1.advance(ready); // the noop is on the leader's disk

    // n2 now stores entry 2 too: a majority has it, yet it is from an older term.
    const reply = (matchIndex: number): PeerMessage<Cmd> => ({
      type: 'appendEntriesReply',
      from: 'n2',
      to: 'n1',
      term: 3,
      success: true,
      matchIndex,
      lastLogIndex: matchIndex,
      storageId: 'n2-disk',
    });
    n1.step({ type: 'receive', message: reply(2) });
    expect(n1.status().commitIndex).toBe(1);
    // Once the noop of term 3 is on a majority, entry 2 is committed with it.
    n1.step({ type: 'receive', message: reply(3) });
    expect(n1.status().commitIndex).toBe(3);
  });

  it('a leader commits only after a majority has the entry on disk (advance after persist)', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    h.partition(['n1', 'n2'], ['n3']);
    const proposed = n1.step({ type: 'propose', body: { type: 'command', command: 'x' }, nowMs: 0 });
    expect(proposed).toEqual({ type: 'proposed', index: 3, term: 2 });
    const ready = n1.ready(); // the leader's own write is in flight: not advanced yet
    const toN2 = ready.messages.find((m) => m.to === 'n2')!;
    h.node('n2').step({ type: 'receive', message: toN2 });
    const followerReady = h.cycle('n2');
    // The follower's acknowledgement leaves in the Ready that writes the entry, i.e. after it is on disk.
    expect(followerReady.entries.map((e) => e.index)).toEqual([3]);
    expect(repliesIn(followerReady, 'appendEntriesReply')).toEqual([
      expect.objectContaining({ success: true, matchIndex: 3 }),
    ]);
    h.inFlight = [];
    const ack = defined(repliesIn(followerReady, 'appendEntriesReply')[0], 'the acknowledgement');
    n1.step({ type: 'receive', message: ack });
    expect(n1.status().commitIndex).toBe(2);
    n1.advance(ready);
    expect(n1.status().commitIndex).toBe(3);
    expect(n1.ready().committedEntries.map((e) => e.index)).toEqual([3]);
  });

  it('a single-member bootstrapped cluster commits its own entries after persisting', () => {
    const h = new Harness();
    const n1 = h.add('n1');
    n1.bootstrap(member('n1'), 0);
    expect(n1.status()).toMatchObject({ role: 'leader', term: 1, commitIndex: 0 });
    const first = n1.ready();
    expect(first.entries).toEqual([
      expect.objectContaining({ index: 1, term: 1, body: { type: 'membership', members: [member('n1')] } }),
    ]);
    expect(first.committedEntries).toEqual([]);
    n1.advance(first);
    expect(n1.status().commitIndex).toBe(1);
    expect(n1.ready().committedEntries.map((e) => e.index)).toEqual([1]);

    n1.step({ type: 'propose', body: { type: 'command', command: 'x' }, nowMs: 5 });
    const second = n1.ready();
    expect(second.committedEntries).toEqual([]);
    expect(n1.status().commitIndex).toBe(1);
    h.cycle('n1'); // nothing new; commit waits for the advance of the Ready that wrote entry 2
    n1.advance(second);
    expect(n1.status().commitIndex).toBe(2);
    expect(n1.ready().committedEntries).toEqual([
      expect.objectContaining({ index: 2, leaderTimeMs: 5, body: { type: 'command', command: 'x' } }),
    ]);
  });

  it('a leader that hears from no majority for an election timeout steps down', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    h.partition(['n1'], ['n2', 'n3']);
    let ticks = 0;
    while (n1.isLeader && ticks < 5 * MIN_TIMEOUT) {
      n1.step({ type: 'tick', nowMs: ticks++ });
      h.settle();
    }
    expect(n1.status()).toMatchObject({ role: 'follower', term: 2, leaderId: null });
    // One check-quorum round may still count the replies from before the partition.
    expect(ticks).toBeGreaterThanOrEqual(MIN_TIMEOUT);
    expect(ticks).toBeLessThanOrEqual(2 * MIN_TIMEOUT);
  });

  it('a leader that hears from one follower (a majority of three) keeps leading', () => {
    const h = threeNodesWithLeader();
    h.partition(['n1', 'n2'], ['n3']);
    for (let t = 0; t < 5 * MIN_TIMEOUT; t++) {
      h.node('n1').step({ type: 'tick', nowMs: t });
      h.settle();
    }
    expect(h.node('n1').isLeader).toBe(true);
  });
});

describe('RaftNode: the Ready contract', () => {
  it('messages of a Ready must be sent only after its entries/hardState are persisted: a vote reply is in the same Ready as the hardState carrying votedFor', () => {
    const h = threeNodes();
    const n2 = h.node('n2');
    h.tick('n2', MIN_TIMEOUT);
    n2.step({ type: 'receive', message: requestVote('n1', 'n2', 2, 1, 1) });
    const ready = n2.ready();
    expect(ready.hardState).toEqual({ term: 2, votedFor: 'n1', commitIndex: 1 });
    expect(ready.mustSync).toBe(true);
    expect(ready.messages).toEqual([
      { type: 'requestVoteReply', from: 'n2', to: 'n1', term: 2, granted: true, storageId: 'n2-disk' },
    ]);
    n2.advance(ready);
    expect(n2.hasReady()).toBe(false);
  });

  it('a Ready that only moves the commit index need not be synced', () => {
    const h = threeNodesWithLeader();
    const n2 = h.node('n2');
    n2.step({ type: 'receive', message: appendEntries('n1', 'n2', 2, 2, 2, [commandEntry(3, 2)], 2) });
    h.cycle('n2');
    n2.step({ type: 'receive', message: appendEntries('n1', 'n2', 2, 3, 2, [], 3) });
    const ready = n2.ready();
    expect(ready).toMatchObject({ entries: [], mustSync: false, hardState: { commitIndex: 3 } });
  });

  it('inputs that arrive while a Ready is being persisted land in the next Ready', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    n1.step({ type: 'propose', body: { type: 'command', command: 'a' }, nowMs: 0 });
    const first = n1.ready();
    n1.step({ type: 'propose', body: { type: 'command', command: 'b' }, nowMs: 0 });
    expect(first.entries.map((e) => e.index)).toEqual([3]);
    n1.advance(first);
    expect(n1.ready().entries.map((e) => e.index)).toEqual([4]);
  });

  it('a restarted node applies its committed entries again from index 1', () => {
    const h = threeNodesWithLeader();
    h.node('n1').step({ type: 'propose', body: { type: 'command', command: 'x' }, nowMs: 0 });
    h.settle();
    h.tick('n1', HEARTBEAT);
    h.settle();
    const disk = h.disks.get('n2')!;
    expect(disk.hardState.commitIndex).toBe(3);
    const restarted = new RaftNode<Cmd>(config('n2'), new FixedTimeout(30), {
      hardState: disk.hardState,
      entries: disk.entries,
    });
    expect(restarted.status()).toMatchObject({ term: 2, commitIndex: 3, appliedIndex: 0, role: 'follower' });
    expect(restarted.ready().committedEntries.map((e) => e.index)).toEqual([1, 2, 3]);
  });
});

describe('ReadyProcessor: leader sends early, applies before fsync, answers after it', () => {
  /** A ReadyProcessor whose persists stay pending until the test resolves them, in order. */
  function driven(node: RaftNode<Cmd>, { reportsWrites = true } = {}) {
    const events: string[] = [];
    const persists: (() => void)[] = [];
    const storage: DurableStorage<Cmd> = {
      persist: (request: PersistRequest<Cmd>, onWritten?: () => void) => {
        events.push(`persist ${request.entries.map((e) => e.index).join(',')} sync=${request.mustSync}`);
        // The bytes are in the file at once; the fsync stays pending until the test ends it.
        if (reportsWrites) onWritten?.();
        return new Promise<void>((resolve) => persists.push(resolve));
      },
    };
    const processor = new ReadyProcessor(
      node,
      storage,
      { send: (m) => events.push(`send ${m.type}`) },
      { apply: (entries) => events.push(`apply ${entries.map((e) => e.index).join(',')}`) },
    );
    const finishPersist = async () => {
      defined(persists.shift(), 'a pending persist')();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };
    const finishAll = async () => {
      while (persists.length > 0) await finishPersist();
      await processor.idle();
    };
    return { events, processor, finishPersist, finishAll };
  }

  const fresh = (id: NodeId) =>
    new RaftNode<Cmd>(config(id), new FixedTimeout(30), {
      hardState: { term: 0, votedFor: null, commitIndex: 0 },
      entries: [],
    });

  it('applies committed entries once their Ready is written, before its fsync ends', async () => {
    const node = fresh('n1');
    const { events, processor, finishPersist, finishAll } = driven(node);
    node.bootstrap(member('n1'), 0);
    processor.kick();
    await Promise.resolve();
    expect(events).toEqual(['persist 1 sync=true']);
    await finishPersist();
    // The commit (known only after advance) comes in the next Ready; its fsync is still pending.
    expect(events).toEqual(['persist 1 sync=true', 'persist  sync=false', 'apply 1']);
    await finishAll();
  });

  it('with a storage that does not report the write, applies only after the persist resolves', async () => {
    const node = fresh('n1');
    const { events, processor, finishPersist, finishAll } = driven(node, { reportsWrites: false });
    node.bootstrap(member('n1'), 0);
    processor.kick();
    await Promise.resolve();
    await finishPersist();
    expect(events).toEqual(['persist 1 sync=true', 'persist  sync=false']);
    await finishPersist();
    expect(events).toEqual(['persist 1 sync=true', 'persist  sync=false', 'apply 1']);
    await finishAll();
  });

  it('thesis 10.2.1: a leader sends AppendEntries while its own fsync is pending, and commits only after it', async () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    const { events, processor, finishPersist, finishAll } = driven(n1);
    const proposed = n1.step({ type: 'propose', body: { type: 'command', command: 'x' }, nowMs: 0 });
    expect(proposed).toMatchObject({ type: 'proposed' });
    const index = (proposed as { index: number }).index;
    processor.kick();
    await Promise.resolve();
    expect(events).toEqual(['send appendEntries', 'send appendEntries', `persist ${index} sync=true`]);
    // One follower's ack alone is a majority only with the leader's own disk.
    n1.step({
      type: 'receive',
      message: {
        type: 'appendEntriesReply',
        from: 'n2',
        to: 'n1',
        term: n1.status().term,
        success: true,
        matchIndex: index,
        lastLogIndex: index,
        storageId: 'n2-disk',
      },
    });
    expect(n1.status().commitIndex).toBeLessThan(index);
    await finishPersist();
    expect(n1.status().commitIndex).toBe(index);
    expect(events).toContain(`apply ${index}`);
    await finishAll();
  });

  it('a leader sends entries proposed while its fsync runs at once, in one message per follower per turn', async () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    const { events, processor, finishAll } = driven(n1);
    const scheduled: (() => void)[] = [];
    processor.sendEarlyWith((task) => scheduled.push(task));
    const propose = (command: string) => {
      n1.step({ type: 'propose', body: { type: 'command', command }, nowMs: 0 });
      processor.kick();
    };
    propose('a');
    await Promise.resolve();
    expect(events).toEqual([
      'send appendEntries',
      'send appendEntries',
      expect.stringMatching(/^persist \d+ sync=true$/),
    ]);
    events.length = 0;
    // Two proposals while that fsync is pending: one send scheduled, then both entries in it.
    propose('b');
    propose('c');
    expect(scheduled).toHaveLength(1);
    expect(events).toEqual([]);
    scheduled.shift()!();
    expect(events).toEqual(['send appendEntries', 'send appendEntries']);
    await finishAll();
  });

  it('tells the failure listener of an error that stops the cycle, and idle() rejects with it', async () => {
    const node = fresh('n1');
    const processor = new ReadyProcessor(
      node,
      { persist: () => Promise.reject(new Error('disk on fire')) },
      { send: () => undefined },
      { apply: () => undefined },
    );
    const reported: unknown[] = [];
    processor.reportFailuresTo((error) => reported.push(error));
    node.bootstrap(member('n1'), 0);
    processor.kick();
    await expect(processor.idle()).rejects.toThrow('disk on fire');
    expect(reported).toEqual([new Error('disk on fire')]);
  });

  it("a follower acknowledges entries only after they are fsync'd", async () => {
    const n2 = fresh('n2');
    const { events, processor, finishPersist, finishAll } = driven(n2);
    n2.step({
      type: 'receive',
      message: {
        type: 'appendEntries',
        from: 'n1',
        to: 'n2',
        term: 1,
        prevLogIndex: 0,
        prevLogTerm: 0,
        entries: [membershipEntry(1, 1, ['n1', 'n2'])],
        leaderCommit: 0,
        readSeq: 0,
      },
    });
    processor.kick();
    await Promise.resolve();
    expect(events).toEqual(['persist 1 sync=true']);
    await finishPersist();
    expect(events).toEqual(['persist 1 sync=true', 'send appendEntriesReply']);
    await finishAll();
  });
});

describe('RaftNode: membership changes (thesis §4.1)', () => {
  it('thesis §4.1 one change at a time: a second change waits until the first is committed', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    h.partition(['n1'], ['n2', 'n3']);
    const four = ['n1', 'n2', 'n3', 'n4'].map((id) => member(id));
    expect(n1.step({ type: 'changeMembership', members: four, nowMs: 0 })).toMatchObject({
      type: 'proposed',
      index: 3,
    });
    expect(n1.step({ type: 'changeMembership', members: [...four, member('n5')], nowMs: 0 })).toEqual({
      type: 'membershipChangePending',
    });
    // A membership entry takes effect as soon as it is in the log (uncommitted).
    expect(n1.status().members.map((m) => m.id)).toEqual(['n1', 'n2', 'n3', 'n4']);
  });

  it('a joining server catches up from index 1 and becomes a voter once the entry is in its log', () => {
    const h = new Harness();
    const n1 = h.add('n1');
    n1.bootstrap(member('n1'), 0);
    h.settle();
    const n2 = h.add('n2', { timeout: 10 });
    h.tick('n2', 100);
    expect(n2.status().role).toBe('follower'); // not a member: it never campaigns
    n1.step({ type: 'changeMembership', members: [member('n1'), member('n2')], nowMs: 0 });
    h.settle();
    expect(n2.status()).toMatchObject({ lastIndex: 2, leaderId: 'n1' });
    expect(n2.status().members.map((m) => m.id)).toEqual(['n1', 'n2']);
    expect(n1.status().commitIndex).toBe(2);
  });

  // Ongaro, raft-dev 2015-07 ("bug in single-server membership changes"): a leader must not
  // append a membership change before an entry of its own term is committed; otherwise two
  // configurations can each reach a (disjoint) majority and commit different entries.
  it('thesis §4.1 erratum: a new leader refuses a membership change until it has committed an entry of its term', () => {
    const h = threeNodes();
    h.tick('n1', MIN_TIMEOUT);
    grantPreVote(h.node('n1'), 'n2', 2);
    grantVote(h.node('n1'), 'n2', 2);
    const n1 = h.node('n1');
    expect(n1.status()).toMatchObject({ role: 'leader', term: 2, commitIndex: 1, lastIndex: 2 });
    const four = ['n1', 'n2', 'n3', 'n4'].map((id) => member(id));
    expect(n1.step({ type: 'changeMembership', members: four, nowMs: 0 })).toEqual({
      type: 'membershipChangePending',
    });
  });

  it('thesis §4.1 erratum: without that rule, two leaders commit different entries at the same index', () => {
    const h = erratumScenario();
    const nodes = [...h.nodes.values()];
    const conflicts: string[] = [];
    for (const a of nodes) {
      for (const b of nodes) {
        const upTo = Math.min(a.status().commitIndex, b.status().commitIndex);
        for (let i = 1; i <= upTo; i++) {
          if (a.id < b.id && a.termAt(i) !== b.termAt(i))
            conflicts.push(`index ${i}: ${a.id} committed term ${a.termAt(i)}, ${b.id} term ${b.termAt(i)}`);
        }
      }
    }
    expect(conflicts).toEqual([]);
  });
});

describe('RaftNode: a member that comes back with an empty data directory', () => {
  // The scenario of the safety report: X is committed on n1 and n3 only; n3 loses its
  // directory and restarts under its old id; n1 dies. n2 lacks X and must not win with the
  // emptied n3's vote, or it would commit its own entry where X was.
  it('its vote does not count: n2, which lacks a committed entry, cannot win with it', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    h.partition(['n1', 'n3'], ['n2']);
    const x = propose(n1, 'X');
    h.settle();
    expect(x).toBe(3);
    expect(n1.status().commitIndex).toBe(3);
    expect(h.node('n3').termAt(3)).toBe(2);

    wipe(h, 'n3');
    h.partition(['n1'], ['n2', 'n3']);
    h.tickFor(['n2', 'n3'], 20 * MIN_TIMEOUT);
    const n2 = h.node('n2');
    expect(n2.isLeader).toBe(false);
    expect(n2.status().commitIndex).toBeLessThan(3);
    // Nor can the emptied node lead with anyone's votes: it never campaigns.
    expect(h.node('n3').status()).toMatchObject({ role: 'follower', lastIndex: 0 });

    // n1 comes back: X survives, and n2 learns it.
    h.heal();
    h.tickUntil(
      ['n1', 'n2', 'n3'],
      () => (h.node('n1').isLeader || n2.isLeader) && n2.status().commitIndex >= 3,
      400,
    );
    expect(n2.termAt(3)).toBe(2);
    expect(h.disks.get('n2')!.entries[2]).toEqual(
      expect.objectContaining({ index: 3, body: { type: 'command', command: 'X' } }),
    );
  });

  it('the leader forgets the match index of the old storage, so the emptied node counts in no majority', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    propose(n1, 'a');
    h.settle();
    expect(n1.status().progress.n3?.matchIndex).toBe(3);

    wipe(h, 'n3');
    h.partition(['n1', 'n3'], ['n2']);
    h.tickFor(['n1', 'n3'], 2 * HEARTBEAT);
    expect(n1.status().progress.n3?.matchIndex).toBe(0);
    const b = propose(n1, 'b');
    h.tickFor(['n1', 'n3'], MIN_TIMEOUT - 2 * HEARTBEAT - 1);
    // Only n1 holds b for sure: it must stay uncommitted.
    expect(n1.status().commitIndex).toBeLessThan(b);
  });

  it('a join under its id with the new storage is refused; once removed, the same id joins again as a learner, catches up and votes', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    propose(n1, 'a');
    h.settle();
    wipe(h, 'n3');
    h.settle();
    const refused = planJoin(n1.status().members, member('n3', 'n3-wiped'));
    expect(refused).toMatchObject({ type: 'refused' });
    expect(refused.type === 'refused' && refused.reason).toMatch(/DELETE \/cluster\/members\/n3/);
    // The same storage coming back (a plain restart) is no change at all.
    expect(planJoin(n1.status().members, member('n2'))).toEqual({ type: 'unchanged' });

    proposeMembers(n1, planRemoval(n1.status().members, 'n3'));
    h.settle();
    expect(n1.status().members.map((m) => m.id)).toEqual(['n1', 'n2']);
    proposeMembers(n1, planJoin(n1.status().members, member('n3', 'n3-wiped')));
    h.settle();
    expect(n1.status().members.find((m) => m.id === 'n3')).toMatchObject({
      learner: true,
      storageId: 'n3-wiped',
    });
    h.tickFor(['n1', 'n2', 'n3'], 2 * HEARTBEAT);
    expect(n1.status().members.find((m) => m.id === 'n3')).toEqual(member('n3', 'n3-wiped'));
    expect(h.node('n3').status()).toMatchObject({
      lastIndex: n1.status().lastIndex,
      commitIndex: n1.status().commitIndex,
    });
    // n3 now counts: with n2 cut off, n1 and n3 commit.
    h.partition(['n1', 'n3'], ['n2']);
    const c = propose(n1, 'c');
    h.settle();
    expect(n1.status().commitIndex).toBe(c);
  });
});

describe('RaftNode: learners (thesis §4.2.1)', () => {
  it('a one-member cluster that adds a node it never hears from stays writable, and the learner can be removed', () => {
    const h = soloLeaderWithSilentLearner();
    const n1 = h.node('n1');
    expect(n1.status().commitIndex).toBe(2);
    // The learner never answers (no such node in the harness): ten election timeouts pass.
    h.tickFor(['n1'], 10 * MIN_TIMEOUT);
    expect(n1.isLeader).toBe(true);
    expect(n1.status().members).toEqual([member('n1'), { ...member('ghost'), learner: true }]);
    const index = propose(n1, 'still writable');
    h.settle();
    expect(n1.status().commitIndex).toBe(index);
    proposeMembers(n1, planRemoval(n1.status().members, 'ghost'));
    h.settle();
    expect(n1.status().members).toEqual([member('n1')]);
    expect(n1.status().commitIndex).toBe(index + 1);
    expect(planRemoval(n1.status().members, 'n1')).toMatchObject({ type: 'refused' });
  });

  it('a learner receives the log, never campaigns and never counts; it is promoted by a membership entry once caught up', () => {
    const h = new Harness();
    const n1 = h.add('n1', { maxEntriesPerMessage: 4 });
    n1.bootstrap(member('n1'), 0);
    for (let i = 0; i < 20; i++) propose(n1, `c${i}`);
    h.settle();
    const n2 = h.add('n2', { timeout: 10 });
    h.partition(['n1'], ['n2']);
    proposeMembers(n1, planJoin(n1.status().members, member('n2')));
    h.settle();
    // Committed by n1 alone: the learner is no part of any majority.
    expect(n1.status().commitIndex).toBe(22);
    h.tickFor(['n1', 'n2'], 5 * MIN_TIMEOUT);
    expect(n2.status()).toMatchObject({ role: 'follower', term: 0 });
    expect(n1.status().members.find((m) => m.id === 'n2')?.learner).toBe(true);

    h.heal();
    h.tickUntil(['n1', 'n2'], () => n1.status().members.every((m) => m.learner !== true), 50);
    const promotedAt = n1.status().lastIndex;
    expect(n2.status().lastIndex).toBeGreaterThanOrEqual(22);
    h.settle();
    expect(n1.status().commitIndex).toBe(promotedAt);
    expect(n2.status().members).toEqual([member('n1'), member('n2')]);
    // A voter now: without it nothing commits.
    h.partition(['n1'], ['n2']);
    const index = propose(n1, 'needs n2');
    h.settle();
    expect(n1.status().commitIndex).toBeLessThan(index);
  });
});

describe('RaftNode: work per append (a follower under load)', () => {
  /** How many entries of the recovered log are looked at while one new entry is appended. */
  function entriesVisitedByOneAppend(logLength: number): number {
    let visited = 0;
    const entries: LogEntry<Cmd>[] = [membershipEntry(1, 1, ['n1', 'n2', 'n3'])];
    for (let i = 2; i <= logLength; i++) entries.push(commandEntry(i, 1));
    const counted = entries.map((entry) => {
      const { body, ...rest } = entry;
      return Object.defineProperty({ ...rest }, 'body', {
        get: () => {
          visited++;
          return body;
        },
        enumerable: true,
      }) as LogEntry<Cmd>;
    });
    const follower = new RaftNode<Cmd>(config('n2'), new FixedTimeout(30), {
      hardState: { term: 1, votedFor: null, commitIndex: 1 },
      entries: counted,
    });
    visited = 0;
    const next = commandEntry(logLength + 1, 1);
    follower.step({ type: 'receive', message: appendEntries('n1', 'n2', 1, logLength, 1, [next], 1) });
    expect(follower.status().lastIndex).toBe(logLength + 1);
    return visited;
  }

  it('does not grow with the length of the log: the latest membership is kept as state', () => {
    const short = entriesVisitedByOneAppend(10);
    const long = entriesVisitedByOneAppend(20_000);
    expect({ short, long }).toEqual({ short, long: short });
    expect(long).toBeLessThanOrEqual(2);
  });
});

/**
 * The erratum's counterexample on C0 = {n1..n4}: n1 (term 2) adds n5, reaching only n5;
 * n2 wins term 3 with {n2, n3, n4} (n4 never receives its entries) and at once removes
 * n4, committing with {n2, n3} under the new {n1, n2, n3};
 * n1 then wins term 4 with {n1, n4, n5}, a majority of its {n1..n5}, and commits its own
 * entry 4. With the rule, n2's change is refused and n1 cannot commit a conflicting entry.
 */
function erratumScenario(): Harness {
  const h = new Harness();
  const c0 = ['n1', 'n2', 'n3', 'n4'];
  const timeouts: Record<NodeId, number> = { n1: 10, n2: 12, n3: 40, n4: 40 };
  for (const id of c0)
    h.add(id, {
      log: [membershipEntry(1, 1, c0)],
      hardState: { term: 1, commitIndex: 1 },
      timeout: timeouts[id],
    });
  h.add('n5', { timeout: 40 });
  h.tickUntil(c0, () => h.node('n1').isLeader && h.node('n4').status().commitIndex === 2);

  h.partition(['n1', 'n5'], ['n2', 'n3', 'n4']);
  h.node('n1').step({ type: 'changeMembership', members: [...c0, 'n5'].map((id) => member(id)), nowMs: 0 });
  h.settle();

  // n4 votes for n2 but never hears from it as leader.
  h.dropIf = (m) => m.from === 'n2' && m.to === 'n4' && m.type === 'appendEntries';
  h.tickUntil(['n2', 'n3', 'n4'], () => h.node('n2').isLeader);
  h.partition(['n1', 'n5'], ['n2', 'n3'], ['n4']);
  h.node('n2').step({
    type: 'changeMembership',
    members: ['n1', 'n2', 'n3'].map((id) => member(id)),
    nowMs: 0,
  });
  h.settle();
  h.tickFor(['n2', 'n3'], 2 * HEARTBEAT);

  h.partition(['n1', 'n4', 'n5'], ['n2', 'n3']);
  h.tickUntil(['n1', 'n4', 'n5'], () => h.node('n1').isLeader && h.node('n1').status().term >= 4, 100);
  h.tickUntil(['n1', 'n4', 'n5'], () => h.node('n1').status().commitIndex >= 4, 20);
  return h;
}
