import type { LogEntry } from './log-entry';
import type { Member } from './member';
import type { PeerMessage } from './peer-message';
import { RaftLog } from './raft-log';
import { RaftNode } from './raft-node';
import type { Random } from './random';
import type { SnapshotMeta } from './snapshot-meta';

// Snapshots and InstallSnapshot (Raft section 7, thesis 5.3), driven by hand: the state
// machine is the list of applied commands, a snapshot a copy of it.

type Cmd = string;

function member(id: string): Member {
  return { id, tcpAddress: `${id}:tcp`, httpAddress: `${id}:http`, storageId: `${id}-disk` };
}

function entry(index: number, term: number, command = `c${index}`): LogEntry<Cmd> {
  return { index, term, leaderTimeMs: 0, body: { type: 'command', command } };
}

class FixedTimeout implements Random {
  constructor(private readonly ticks: number) {}
  intBetween(): number {
    return this.ticks;
  }
  next(): number {
    return 0;
  }
}

interface Saved {
  meta: SnapshotMeta;
  state: string[];
}

/** One node with its state machine, its latest snapshot and what it received. */
interface Peer {
  node: RaftNode<Cmd>;
  state: string[];
  snapshot: Saved | null;
  installs: number;
}

const IDS = ['n1', 'n2', 'n3'];

class Cluster {
  readonly peers = new Map<string, Peer>();
  inFlight: PeerMessage<Cmd>[] = [];
  cut = new Set<string>();

  constructor(snapshotEveryEntries: number, snapshotMarginEntries: number) {
    const membership: LogEntry<Cmd> = {
      index: 1,
      term: 1,
      leaderTimeMs: 0,
      body: { type: 'membership', members: IDS.map(member) },
    };
    IDS.forEach((id, i) => {
      const node = new RaftNode<Cmd>(
        {
          id,
          storageId: `${id}-disk`,
          electionTimeoutMinTicks: 10,
          electionTimeoutMaxTicks: 40,
          heartbeatIntervalTicks: 2,
          maxEntriesPerMessage: 4,
          snapshotEveryEntries,
          snapshotMarginEntries,
        },
        new FixedTimeout(i === 0 ? 12 : 35),
        { hardState: { term: 1, votedFor: null, commitIndex: 1 }, entries: [membership] },
      );
      this.peers.set(id, { node, state: [], snapshot: null, installs: 0 });
    });
  }

  peer(id: string): Peer {
    const peer = this.peers.get(id);
    if (peer === undefined) throw new Error(`no ${id}`);
    return peer;
  }

  /** persist (a no-op here) -> install -> send -> apply -> snapshot -> advance. */
  cycle(peer: Peer): void {
    const ready = peer.node.ready();
    if (ready.snapshotToInstall) {
      const received = this.received.get(peer.node.id);
      expect(received?.meta).toEqual(ready.snapshotToInstall);
      peer.state = [...received!.state];
      peer.snapshot = received!;
      peer.installs++;
    }
    this.inFlight.push(...ready.messages);
    for (const e of ready.committedEntries) if (e.body.type === 'command') peer.state.push(e.body.command);
    const take = ready.snapshotToTake;
    if (take) peer.snapshot = { meta: take, state: [...peer.state] };
    peer.node.advance(ready);
    if (take) peer.node.step({ type: 'snapshotWritten', snapshot: take });
  }

  /** what each follower's driver received of a leader's snapshot, before stepping it in */
  private readonly received = new Map<string, Saved>();

  settle(rounds = 200): void {
    for (let i = 0; i < rounds; i++) {
      for (const peer of this.peers.values()) {
        peer.node.step({ type: 'tick', nowMs: 0 });
        while (peer.node.hasReady()) this.cycle(peer);
      }
      const messages = this.inFlight;
      this.inFlight = [];
      for (const message of messages) {
        if (this.cut.has(message.to) || this.cut.has(message.from)) continue;
        // The driver moves the leader's snapshot bytes, then steps the message in.
        if (message.type === 'installSnapshot') {
          const saved = this.peer(message.from).snapshot;
          expect(saved?.meta).toEqual(message.snapshot);
          this.received.set(message.to, saved!);
        }
        const target = this.peer(message.to);
        target.node.step({ type: 'receive', message });
        while (target.node.hasReady()) this.cycle(target);
      }
    }
  }

  propose(command: string): void {
    const leader = this.peer('n1');
    expect(leader.node.step({ type: 'propose', body: { type: 'command', command }, nowMs: 0 }).type).toBe(
      'proposed',
    );
    while (leader.node.hasReady()) this.cycle(leader);
  }
}

describe('RaftLog compaction', () => {
  function logOf(count: number): RaftLog<Cmd> {
    const log = new RaftLog<Cmd>();
    for (let i = 1; i <= count; i++) log.append(entry(i, i <= 5 ? 1 : 2));
    return log;
  }
  const meta = (index: number, term: number): SnapshotMeta => ({
    index,
    term,
    members: [member('n1')],
    membershipIndex: 0,
  });

  it('drops the entries up to the compaction point and keeps the term of the last one', () => {
    const log = logOf(10);
    log.compact(meta(8, 2), 6);
    expect([log.firstIndex, log.lastIndex, log.snapshot.index]).toEqual([7, 10, 8]);
    expect([log.termAt(5), log.termAt(6), log.termAt(7)]).toEqual([undefined, 2, 2]);
    expect(log.slice(1, 8).map((e) => e.index)).toEqual([7, 8]);
    expect(() => log.entry(6)).toThrow(/no log entry at 6/);
    expect(() => log.truncateFrom(6)).toThrow(/truncate at 6/);
    expect(log.latestMembership()).toEqual({ index: 0, members: [] });
  });

  it('install keeps a suffix that matches the snapshot, and discards a log that does not', () => {
    const matching = logOf(10);
    matching.install(meta(7, 2));
    expect([matching.firstIndex, matching.lastIndex, matching.termAt(7)]).toEqual([8, 10, 2]);
    expect(matching.latestMembership().members).toEqual([member('n1')]);
    const conflicting = logOf(10);
    conflicting.install(meta(7, 3));
    expect([conflicting.firstIndex, conflicting.lastIndex, conflicting.lastTerm]).toEqual([8, 7, 3]);
  });

  it('restarts from a snapshot: the log begins after it', () => {
    const log = new RaftLog<Cmd>(meta(100, 4));
    expect([log.firstIndex, log.lastIndex, log.lastTerm, log.termAt(100)]).toEqual([101, 100, 4, 4]);
    log.append(entry(101, 4));
    expect(log.lastIndex).toBe(101);
  });
});

describe('snapshots and InstallSnapshot', () => {
  it('compacts the log every N entries, keeping a margin', () => {
    const cluster = new Cluster(10, 3);
    cluster.settle(40);
    for (let i = 0; i < 25; i++) cluster.propose(`w${i}`);
    cluster.settle(40);
    for (const peer of cluster.peers.values()) {
      const status = peer.node.status();
      expect(status.appliedIndex).toBe(27);
      expect(status.snapshotIndex).toBeGreaterThanOrEqual(20);
      expect(status.firstLogIndex).toBe(status.snapshotIndex - 3 + 1);
      expect(peer.state).toHaveLength(25);
    }
  });

  it('a follower that missed compacted entries receives the snapshot, installs it and catches up', () => {
    const cluster = new Cluster(5, 0);
    cluster.settle(40);
    cluster.cut.add('n3');
    for (let i = 0; i < 30; i++) cluster.propose(`w${i}`);
    cluster.settle(40);
    expect(cluster.peer('n1').node.status().firstLogIndex).toBeGreaterThan(3);
    cluster.cut.clear();
    cluster.settle(80);
    const n3 = cluster.peer('n3');
    expect(n3.installs).toBe(1);
    expect(n3.state).toEqual(cluster.peer('n1').state);
    expect(n3.node.status().appliedIndex).toBe(cluster.peer('n1').node.status().appliedIndex);
    expect(n3.node.status().members.map((m) => m.id)).toEqual(IDS);
    // And it follows the log from there on.
    cluster.propose('after');
    cluster.settle(10);
    expect(n3.state.at(-1)).toBe('after');
  });

  it('a follower that lags by less than the margin gets entries, not the snapshot', () => {
    const cluster = new Cluster(20, 20);
    cluster.settle(40);
    cluster.cut.add('n3');
    for (let i = 0; i < 24; i++) cluster.propose(`w${i}`);
    cluster.settle(40);
    expect(cluster.peer('n1').node.status().snapshotIndex).toBeGreaterThan(0);
    cluster.cut.clear();
    cluster.settle(40);
    expect(cluster.peer('n3').installs).toBe(0);
    expect(cluster.peer('n3').state).toEqual(cluster.peer('n1').state);
  });

  it('a stale snapshot (at or below the commit index) changes nothing and is acknowledged', () => {
    const cluster = new Cluster(0, 0);
    cluster.settle(40);
    for (let i = 0; i < 5; i++) cluster.propose(`w${i}`);
    cluster.settle(20);
    const n2 = cluster.peer('n2').node;
    const before = n2.status();
    n2.step({
      type: 'receive',
      message: {
        type: 'installSnapshot',
        from: 'n1',
        to: 'n2',
        term: before.term,
        snapshot: { index: 3, term: 1, members: IDS.map(member), membershipIndex: 1 },
      },
    });
    const ready = n2.ready();
    expect(ready.snapshotToInstall).toBeNull();
    expect(ready.messages).toEqual([
      expect.objectContaining({ type: 'appendEntriesReply', success: true, matchIndex: 3 }),
    ]);
    n2.advance(ready);
    expect(n2.status().firstLogIndex).toBe(before.firstLogIndex);
  });
});
