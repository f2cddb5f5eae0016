import type { HardState } from '../src/hard-state';
import type { NodeId } from '../src/ids';
import type { LogEntry } from '../src/log-entry';
import type { Member } from '../src/member';
import { planJoin, type MembershipPlan } from '../src/membership-plan';
import type {
  AppendEntriesMessage,
  PeerMessage,
  RequestVoteMessage,
  RequestVoteReplyMessage,
} from '../src/peer-message';
import type { RaftConfig } from '../src/raft-config';
import { RaftNode } from '../src/raft-node';
import type { Random } from '../src/random';
import type { SnapshotMeta } from '../src/snapshot-meta';
import type { Ready } from '../src/ready';

// A hand-driven cluster for the RaftNode specs. Nodes are driven by hand: step inputs, take
// ready(), "persist" it into an in-memory disk, deliver its messages to the other nodes,
// then advance(ready). Like the simulator, it checks each node's invariants after every
// input and every advance.

export type Cmd = string;

export const MIN_TIMEOUT = 10;
export const HEARTBEAT = 2;

/** Each node's storage is `<id>-disk` unless a test gives it another (a wiped directory). */
export function member(id: NodeId, storageId = `${id}-disk`): Member {
  return { id, tcpAddress: `${id}:tcp`, httpAddress: `${id}:http`, storageId };
}

/** Election timeouts are fixed per node, so a test decides who campaigns first. */
export class FixedTimeout implements Random {
  constructor(private readonly ticks: number) {}
  intBetween(): number {
    return this.ticks;
  }
  next(): number {
    return 0;
  }
}

export function config(id: NodeId, maxEntriesPerMessage = 8, storageId = `${id}-disk`): RaftConfig {
  return {
    id,
    storageId,
    electionTimeoutMinTicks: MIN_TIMEOUT,
    electionTimeoutMaxTicks: 40,
    heartbeatIntervalTicks: HEARTBEAT,
    maxEntriesPerMessage,
  };
}

export function membershipEntry(index: number, term: number, ids: NodeId[]): LogEntry<Cmd> {
  return { index, term, leaderTimeMs: 0, body: { type: 'membership', members: ids.map((id) => member(id)) } };
}

export function commandEntry(index: number, term: number, command: Cmd = `c${index}`): LogEntry<Cmd> {
  return { index, term, leaderTimeMs: 0, body: { type: 'command', command } };
}

export function noopEntry(index: number, term: number): LogEntry<Cmd> {
  return { index, term, leaderTimeMs: 0, body: { type: 'noop' } };
}

export interface NodeSetup {
  log?: LogEntry<Cmd>[];
  hardState?: Partial<HardState>;
  timeout?: number;
  maxEntriesPerMessage?: number;
  storageId?: string;
  /** the snapshot the node restarts from; `log` then holds only what follows it */
  snapshot?: SnapshotMeta;
  /** anything else of the configuration (snapshots, test-only switches) */
  config?: Partial<RaftConfig>;
}

export interface Disk {
  hardState: HardState;
  entries: LogEntry<Cmd>[];
}

/**
 * A hand-driven cluster. `cycle` runs one Ready exactly as the driver contract says;
 * `settle` cycles everyone and delivers every message not cut, until nothing moves.
 */
export class Harness {
  readonly nodes = new Map<NodeId, RaftNode<Cmd>>();
  readonly disks = new Map<NodeId, Disk>();
  readonly applied = new Map<NodeId, LogEntry<Cmd>[]>();
  inFlight: PeerMessage<Cmd>[] = [];
  private groups: NodeId[][] | null = null;
  /** one-way losses on top of the partition, e.g. a leader's AppendEntries to one follower */
  dropIf: (message: PeerMessage<Cmd>) => boolean = () => false;

  add(id: NodeId, setup: NodeSetup = {}): RaftNode<Cmd> {
    const hardState: HardState = { term: 0, votedFor: null, commitIndex: 0, ...setup.hardState };
    const entries = setup.log ?? [];
    const node = new RaftNode<Cmd>(
      { ...config(id, setup.maxEntriesPerMessage, setup.storageId), ...setup.config },
      new FixedTimeout(setup.timeout ?? 30),
      { hardState, entries: [...entries], snapshot: setup.snapshot },
    );
    this.nodes.set(id, node);
    this.disks.set(id, { hardState: { ...hardState }, entries: [...entries] });
    this.applied.set(id, []);
    return node;
  }

  node(id: NodeId): RaftNode<Cmd> {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  /** persist -> send -> apply -> advance, for one Ready. */
  cycle(id: NodeId): Ready<Cmd> {
    const node = this.node(id);
    const ready = node.ready();
    const disk = this.disks.get(id)!;
    const [first] = ready.entries;
    if (first !== undefined) {
      disk.entries.length = first.index - 1;
      disk.entries.push(...ready.entries);
    }
    if (ready.hardState) disk.hardState = ready.hardState;
    this.inFlight.push(...ready.messages);
    this.applied.get(id)!.push(...ready.committedEntries);
    node.advance(ready);
    node.invariants();
    return ready;
  }

  partition(...groups: NodeId[][]): void {
    this.groups = groups;
  }

  heal(): void {
    this.groups = null;
    this.dropIf = () => false;
  }

  connected(from: NodeId, to: NodeId): boolean {
    return this.groups === null || this.groups.some((g) => g.includes(from) && g.includes(to));
  }

  settle(maxRounds = 200): void {
    for (let round = 0; round < maxRounds; round++) {
      let moved = false;
      for (const [id, node] of this.nodes) {
        while (node.hasReady()) {
          this.cycle(id);
          moved = true;
        }
      }
      const messages = this.inFlight;
      this.inFlight = [];
      for (const message of messages) {
        const target = this.nodes.get(message.to);
        // A message across a partition is lost, as on a real network.
        if (target && this.connected(message.from, message.to) && !this.dropIf(message)) {
          target.step({ type: 'receive', message });
          target.invariants();
          moved = true;
        }
      }
      if (!moved) return;
    }
    throw new Error('harness did not settle');
  }

  /**
   * Delivers the in-flight messages that match (and are not cut off), one step each, and
   * leaves the rest in flight; returns what was delivered. For specs that need one
   * message's effect before the next.
   */
  deliver(which: (message: PeerMessage<Cmd>) => boolean): PeerMessage<Cmd>[] {
    const chosen = this.inFlight.filter(which);
    this.inFlight = this.inFlight.filter((m) => !which(m));
    for (const message of chosen) {
      const target = this.nodes.get(message.to);
      if (target && this.connected(message.from, message.to) && !this.dropIf(message)) {
        target.step({ type: 'receive', message });
        target.invariants();
      }
    }
    return chosen;
  }

  /** Ticks the given nodes in lockstep, settling after each tick, until `done` or `limit`. */
  tickUntil(ids: NodeId[], done: () => boolean, limit = 100): number {
    for (let t = 1; t <= limit; t++) {
      for (const id of ids) this.tick(id, 1, t);
      this.settle();
      if (done()) return t;
    }
    throw new Error(`condition not reached within ${limit} ticks`);
  }

  /** Ticks the given nodes in lockstep for `ticks` ticks, settling after each. */
  tickFor(ids: NodeId[], ticks: number): void {
    for (let t = 1; t <= ticks; t++) {
      for (const id of ids) this.tick(id, 1, t);
      this.settle();
    }
  }

  tick(id: NodeId, times: number, nowMs?: number): void {
    const node = this.node(id);
    for (let t = 0; t < times; t++) {
      node.step({ type: 'tick', nowMs: nowMs ?? t });
      node.invariants();
    }
  }
}

/** Three nodes sharing the committed membership entry {n1, n2, n3} at index 1, term 1. */
/**
 * The voters `ids`, sharing the membership entry at index 1, term 1, committed; `setupFor`
 * adds to each node's setup (its timeout, config, ...). Each has applied that entry.
 */
export function committedVoters(ids: NodeId[], setupFor: (id: NodeId) => NodeSetup = () => ({})): Harness {
  const h = new Harness();
  for (const id of ids)
    h.add(id, { log: [membershipEntry(1, 1, ids)], hardState: { term: 1, commitIndex: 1 }, ...setupFor(id) });
  h.settle();
  return h;
}

/** n1 bootstrapped alone, then joined by `ghost`, a learner that never answers; both changes committed. */
export function soloLeaderWithSilentLearner(): Harness {
  const h = new Harness();
  const n1 = h.add('n1');
  n1.bootstrap(member('n1'), 0);
  h.settle();
  proposeMembers(n1, planJoin(n1.status().members, member('ghost')));
  h.settle();
  return h;
}

export function threeNodes(timeouts: Record<NodeId, number> = { n1: 10, n2: 20, n3: 30 }): Harness {
  return committedVoters(['n1', 'n2', 'n3'], (id) => ({ timeout: timeouts[id] }));
}

/** n1 campaigns first and wins; everyone has settled on its noop. */
export function threeNodesWithLeader(): Harness {
  const h = threeNodes();
  h.tickUntil(['n1', 'n2', 'n3'], () => h.node('n1').isLeader);
  h.settle();
  return h;
}

/**
 * n1 wins term 2 by hand (pre-vote and vote from n2) and has appended its noop (index 2),
 * which nothing has acknowledged yet: its commit index (1) is still of the old term.
 */
export function threeNodesWithFreshLeader(): Harness {
  const h = threeNodes();
  const n1 = h.node('n1');
  h.tick('n1', MIN_TIMEOUT);
  grantPreVote(n1, 'n2', 2);
  grantVote(n1, 'n2', 2);
  h.inFlight = [];
  return h;
}

/** `from` answers yes to `node`'s pre-vote for `term` (thesis §9.6). */
/** A RequestVote reply from `from` to `node` for `term`: a grant from `from`'s disk, unless `fields` say otherwise. */
export function voteReply(
  node: RaftNode<Cmd>,
  from: NodeId,
  term: number,
  fields: Partial<RequestVoteReplyMessage> = {},
): void {
  node.step({
    type: 'receive',
    message: {
      type: 'requestVoteReply',
      from,
      to: node.id,
      term,
      granted: true,
      storageId: `${from}-disk`,
      ...fields,
    },
  });
}

/** `from` grants `node` its vote (or its pre-vote) for `term`, from the storage it names. */
export function grantVote(
  node: RaftNode<Cmd>,
  from: NodeId,
  term: number,
  { preVote = false, storageId = `${from}-disk` }: { preVote?: boolean; storageId?: string } = {},
): void {
  voteReply(node, from, term, preVote ? { preVote, storageId } : { storageId });
}

export function grantPreVote(node: RaftNode<Cmd>, from: NodeId, term: number): void {
  grantVote(node, from, term, { preVote: true });
}

export function requestVote(
  from: NodeId,
  to: NodeId,
  term: number,
  lastLogIndex: number,
  lastLogTerm: number,
): RequestVoteMessage {
  return { type: 'requestVote', from, to, term, lastLogIndex, lastLogTerm };
}

export function appendEntries(
  from: NodeId,
  to: NodeId,
  term: number,
  prevLogIndex: number,
  prevLogTerm: number,
  entries: LogEntry<Cmd>[],
  leaderCommit: number,
): AppendEntriesMessage<Cmd> {
  return { type: 'appendEntries', from, to, term, prevLogIndex, prevLogTerm, entries, leaderCommit };
}

export type MessageOf<T extends PeerMessage<Cmd>['type']> = Extract<PeerMessage<Cmd>, { type: T }>;

export function repliesIn<T extends PeerMessage<Cmd>['type']>(ready: Ready<Cmd>, type: T): MessageOf<T>[] {
  return ready.messages.filter((m): m is MessageOf<T> => m.type === type);
}

/** Proposes a plan's membership on `leader`; fails the test if the plan is not a change. */
export function proposeMembers(leader: RaftNode<Cmd>, plan: MembershipPlan): void {
  if (plan.type !== 'change') throw new Error(`expected a change, got ${JSON.stringify(plan)}`);
  expect(leader.step({ type: 'changeMembership', members: plan.members, nowMs: 0 })).toMatchObject({
    type: 'proposed',
  });
}

/** A node restarted under its old id with an empty data directory: a new storage. */
export function wipe(h: Harness, id: NodeId, timeout = 30): RaftNode<Cmd> {
  h.inFlight = h.inFlight.filter((m) => m.to !== id && m.from !== id);
  return h.add(id, { storageId: `${id}-wiped`, timeout });
}

export function propose(node: RaftNode<Cmd>, command: Cmd): number {
  const result = node.step({ type: 'propose', body: { type: 'command', command }, nowMs: 0 });
  if (result.type !== 'proposed') throw new Error(`not proposed: ${result.type}`);
  return result.index;
}
